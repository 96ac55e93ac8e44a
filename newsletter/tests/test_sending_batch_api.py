"""Sending through Mailgun's batch API: django-anymail's real Mailgun client posting to a
local server that speaks Mailgun's messages API (``trials.mailgun``), which substitutes each
reader's ``recipient-variables`` into their own copy as Mailgun does. Every copy is read
back: exactly one per reader, with their own signed links and List-Unsubscribe header."""

import datetime
import time
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.mail import mailers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.mail import mailer_from_url
from newsletter.engagement.tokens import copy_key, read_copy_key
from newsletter.models import Campaign, Delivery, Subscriber, TrackedLink
from newsletter.sending import batch
from newsletter.sending.claims import claim_batch, new_owner
from newsletter.sending.orchestration import report
from newsletter.sending.tasks import send_campaign
from newsletter.sending.worker import deliver_campaign
from newsletter.subscriptions import tokens
from trials.mailgun import ACCEPT_THEN_HANG, DROP, HANG, MailgunServer

from .mail_capture import unsubscribe_targets
from .sending_helpers import frozen_campaign, media, no_failed_tasks, readers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["media", "no_failed_tasks"]
DStatus = Delivery.Status

HTML = (
    '<html><body><h1>Today</h1><p><a href="[[LINK:1]]">Story one</a></p>'
    '<p><a href="[[LINK:2]]">Story two</a></p><img src="[[OPEN]]" alt="">'
    '<p><a href="[[PREFERENCES_URL]]">Preferences</a> · '
    '<a href="[[UNSUBSCRIBE_URL]]">Unsubscribe</a></p></body></html>'
)
TEXT = (
    "1. Story one [[LINK:1]]\n2. Story two [[LINK:2]]\n\n"
    "Preferences: [[PREFERENCES_URL]]\nUnsubscribe: [[UNSUBSCRIBE_URL]]\n"
)


@pytest.fixture
def mailgun(settings):
    """anymail's Mailgun backend behind the newsletter mailer, configured from an EMAIL_URL
    the way production is, posting to the local server."""
    server = MailgunServer(api_key="key-test").start()
    url = f"mailgun://key-test@?sender_domain=mg.example.com&api_url={server.url}"
    settings.MAILERS = {**settings.MAILERS, "newsletter": mailer_from_url(url, settings.BASE_DIR)}
    yield server
    server.stop()


def campaign_with_links(subscribers, **fields):
    campaign = frozen_campaign(subscribers, html=HTML, text=TEXT, **fields)
    for position in (1, 2):
        TrackedLink.objects.create(
            snapshot=campaign.snapshot,
            position=position,
            role=TrackedLink.Role.HEADLINE,
            url=f"https://news.example.com/story-{position}/",
        )
    return campaign


def expire_retries_and_leases(campaign):
    past = timezone.now() - datetime.timedelta(seconds=1)
    campaign.deliveries.filter(next_attempt_at__isnull=False).update(next_attempt_at=past)
    campaign.deliveries.filter(lease_expires_at__isnull=False).update(lease_expires_at=past)


def one_copy_each(server, subscribers):
    """Every reader got exactly one copy, and nobody else any."""
    assert sorted(server.received) == sorted(s.email.lower() for s in subscribers)
    assert set(server.received.values()) == {1}, server.received


def test_mailgun_url_sets_anymail_api_url_and_timeout(settings):
    url = "mailgun://KEY@?sender_domain=mg.example.com&api_url=http://127.0.0.1:9000/v3/&timeout=7"
    settings.MAILERS = {**settings.MAILERS, "newsletter": mailer_from_url(url, settings.BASE_DIR)}
    backend = mailers["newsletter"]
    assert backend.api_url == "http://127.0.0.1:9000/v3/"
    assert backend.timeout == 7.0
    assert batch.api_batch_size(backend) == 1000


def test_each_reader_gets_one_copy_with_their_own_links(mailgun, settings, client):
    settings.NEWSLETTER_OPEN_TRACKING = True
    subscribers = readers("ann@example.org", "bob@example.org", count=3)
    campaign = campaign_with_links(subscribers)
    deliveries = {d.email: d for d in campaign.deliveries.all()}
    links = {link.position: link.pk for link in campaign.snapshot.links.all()}

    send_campaign.enqueue(campaign.pk)

    assert len(mailgun.calls) == 1 and mailgun.calls[0].answer == 200
    one_copy_each(mailgun, subscribers)
    for subscriber in subscribers:
        (copy,) = mailgun.copies_to(subscriber.email)
        delivery = deliveries[subscriber.email]
        for part in (copy.html, copy.text, copy.subject, *copy.headers.values()):
            assert "%recipient" not in part
        soup = BeautifulSoup(copy.html, "html.parser")
        hrefs = {a.get_text(): a["href"] for a in soup.find_all("a")}
        assert hrefs["Unsubscribe"] == tokens.unsubscribe_url(subscriber)
        assert hrefs["Preferences"] == tokens.preferences_url(subscriber)
        for position, name in ((1, "Story one"), (2, "Story two")):
            # /r/<the copy's key>/<link id>/: the key is this reader's delivery, signed.
            key, link_id = urlsplit(hrefs[name]).path.strip("/").split("/")[-2:]
            assert (read_copy_key(key), int(link_id)) == (delivery.pk, links[position])
            assert hrefs[name] in copy.text
            response = client.get(urlsplit(hrefs[name]).path)
            assert (response.status_code, response["Location"]) == (
                302,
                f"https://news.example.com/story-{position}/",
            )
        pixel = urlsplit(soup.find("img")["src"]).path
        assert pixel == f"/o/{copy_key(delivery.pk)}.gif"
        assert tokens.unsubscribe_url(subscriber) in copy.text
        assert unsubscribe_targets(copy.headers["List-Unsubscribe"]) == [
            tokens.unsubscribe_url(subscriber)
        ]
        assert copy.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "<daily." in copy.headers["List-Id"]
        # Mailgun's own tracking would rewrite our links: off.
        assert copy.options["tracking-clicks"] == ["no"]
        assert copy.options["tracking-opens"] == ["no"]
    pixels = {BeautifulSoup(c.html, "html.parser").find("img")["src"] for c in mailgun.copies}
    assert len(pixels) == len(subscribers)
    assert set(campaign.deliveries.values_list("status", flat=True)) == {DStatus.SENT}
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def queries_on(captured, table):
    return [
        query
        for query in captured
        if f'FROM "{table}"' in query["sql"] or f'UPDATE "{table}"' in query["sql"]
    ]


def test_batches_are_as_large_as_the_setting_and_queries_per_batch_are_fixed(mailgun, settings):
    settings.NEWSLETTER_API_BATCH_SIZE = 4
    subscribers = readers(count=20)
    first = frozen_campaign(subscribers[:8])
    second = frozen_campaign(subscribers[8:])

    with CaptureQueriesContext(connection) as two_batches:
        assert deliver_campaign(first.pk) == 8
    with CaptureQueriesContext(connection) as three_batches:
        assert deliver_campaign(second.pk) == 12

    assert [len(call.recipients) for call in mailgun.calls] == [4, 4, 4, 4, 4]
    one_copy_each(mailgun, subscribers)
    # Per batch of four, whatever its size: the claim (its SELECT and UPDATE), the rows, one
    # UPDATE marking them sent, and the campaign's status before it. At the end an empty
    # claim, whether anything is pending, and the campaign marked sent.
    for captured, batches in ((two_batches, 2), (three_batches, 3)):
        assert len(queries_on(captured, "newsletter_delivery")) == 4 * batches + 2
        statuses = [
            q for q in captured if q["sql"].startswith('SELECT "newsletter_campaign"."status"')
        ]
        assert len(statuses) == batches + 1


def test_a_5xx_mid_send_is_tried_again_without_sending_anything_twice(mailgun, settings):
    settings.NEWSLETTER_API_BATCH_SIZE = 3
    subscribers = readers(count=9)
    campaign = frozen_campaign(subscribers)
    mailgun.script = [None, ("status", 503)]

    assert deliver_campaign(campaign.pk) == 3
    waiting = campaign.deliveries.filter(status=DStatus.PENDING, attempts=1)
    assert waiting.count() == 3
    assert all("503" in error for error in waiting.values_list("last_error", flat=True))
    assert not campaign.deliveries.filter(possible_duplicate=True).exists()

    expire_retries_and_leases(campaign)
    assert deliver_campaign(campaign.pk) == 6
    one_copy_each(mailgun, subscribers)
    assert report(campaign)["possible_duplicates"] == 0
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


@pytest.mark.parametrize("fault", [HANG, DROP])
def test_a_call_that_times_out_or_hangs_up_is_tried_again_and_flagged(mailgun, settings, fault):
    settings.NEWSLETTER_API_TIMEOUT = 0.5
    subscribers = readers(count=4)
    campaign = frozen_campaign(subscribers)
    mailgun.script = [fault]

    assert deliver_campaign(campaign.pk) == 0
    rows = campaign.deliveries.all()
    assert {row.status for row in rows} == {DStatus.PENDING}
    # The provider may have queued a call whose answer was lost: flagged, not hidden.
    assert all(row.possible_duplicate for row in rows)

    expire_retries_and_leases(campaign)
    assert deliver_campaign(campaign.pk) == 4
    one_copy_each(mailgun, subscribers)
    assert report(campaign)["possible_duplicates"] == 4


def test_an_answer_lost_after_the_provider_took_the_call_is_counted_as_possible_duplicates(
    mailgun, settings
):
    settings.NEWSLETTER_API_TIMEOUT = 0.5
    subscribers = readers(count=3)
    campaign = frozen_campaign(subscribers)
    mailgun.script = [ACCEPT_THEN_HANG]

    deliver_campaign(campaign.pk)
    expire_retries_and_leases(campaign)
    deliver_campaign(campaign.pk)

    assert set(mailgun.received.values()) == {2}
    assert report(campaign)["possible_duplicates"] == 3


def test_one_refused_address_is_bounced_like_smtp_and_the_others_go_out(mailgun, settings):
    subscribers = readers("gone@example.org", count=7)
    campaign = frozen_campaign(subscribers)
    mailgun.refused = {"gone@example.org"}

    assert deliver_campaign(campaign.pk) == 7

    gone = Delivery.objects.get(campaign=campaign, email="gone@example.org")
    assert gone.status == DStatus.BOUNCED and "not a valid address" in gone.last_error
    assert Subscriber.objects.get(email="gone@example.org").status == Subscriber.Status.BOUNCED
    assert "gone@example.org" not in mailgun.received
    one_copy_each(mailgun, [s for s in subscribers if s.email != "gone@example.org"])
    # Halved down to the one address: 8 -> 4 -> 2 -> 1, each other half once.
    assert len(mailgun.calls) <= 2 * 3 + 1
    assert report(campaign)["bounced"] == 1


def test_a_wrong_api_key_delays_the_send_and_fails_nobody(mailgun, settings):
    mailgun.api_key = "another-key"
    campaign = frozen_campaign(readers(count=3))

    assert deliver_campaign(campaign.pk) == 0

    rows = campaign.deliveries.all()
    assert {row.status for row in rows} == {DStatus.PENDING}
    assert all("API key" in row.last_error and "401" in row.last_error for row in rows)
    settings.NEWSLETTER_MAX_ATTEMPTS = 1
    expire_retries_and_leases(campaign)
    deliver_campaign(campaign.pk)
    assert campaign.deliveries.filter(status=DStatus.PENDING).count() == 3


def test_the_rate_limit_spaces_calls_by_their_recipients(mailgun, settings):
    settings.NEWSLETTER_API_BATCH_SIZE = 5
    campaign = frozen_campaign(readers(count=15), rate_limit=50)
    arrived = []
    mailgun.on_call = lambda number: arrived.append(time.monotonic())

    assert deliver_campaign(campaign.pk) == 15

    # Three calls of five at 50 a second: each call a tenth of a second after the one before.
    assert len(arrived) == 3
    assert arrived[1] - arrived[0] >= 0.09 and arrived[2] - arrived[1] >= 0.09


def test_an_address_twice_in_a_batch_goes_by_itself(mailgun):
    subscribers = readers("twin@example.org", count=2)
    campaign = frozen_campaign(subscribers)
    # Two rows for one mailbox (a second subscriber row is impossible; a changed case isn't).
    Delivery.objects.filter(campaign=campaign, email="reader000@example.org").update(
        email="Twin@Example.org"
    )

    assert deliver_campaign(campaign.pk) == 3
    assert [len(call.recipients) for call in mailgun.calls] == [2, 1]


def test_a_worker_taken_over_mid_call_flags_its_whole_batch():
    campaign = frozen_campaign(readers(count=6))
    dead = new_owner(in_flight=4)
    assert len(claim_batch(campaign.pk, dead, 4)) == 4
    expire_retries_and_leases(campaign)

    claim_batch(campaign.pk, new_owner(), 6)

    flagged = campaign.deliveries.filter(possible_duplicate=True)
    assert flagged.count() == 4
    smtp_dead = new_owner()
    campaign2 = frozen_campaign(readers("c1@example.org", "c2@example.org", "c3@example.org"))
    claim_batch(campaign2.pk, smtp_dead, 3)
    expire_retries_and_leases(campaign2)
    claim_batch(campaign2.pk, new_owner(), 3)
    assert campaign2.deliveries.filter(possible_duplicate=True).count() == 1


def test_every_api_call_ends_before_its_lease(settings):
    settings.NEWSLETTER_API_TIMEOUT = 60
    settings.NEWSLETTER_LEASE_SECONDS = 30
    url = "mailgun://KEY@?sender_domain=mg.example.com"
    settings.MAILERS = {**settings.MAILERS, "newsletter": mailer_from_url(url, settings.BASE_DIR)}
    backend = batch.bound_calls(mailers["newsletter"], 30)
    assert backend.timeout == 15


def test_the_report_says_what_the_send_is_waiting_for(mailgun, settings, editor_client):
    settings.NEWSLETTER_API_BATCH_SIZE = 2
    campaign = frozen_campaign(readers(count=4))
    mailgun.script = [("status", 503)]

    deliver_campaign(campaign.pk)

    figures = report(campaign)
    assert figures["retrying"] == 2 and figures["pending"] == 4
    assert "answered 503" in figures["last_error"]
    page = editor_client.get(reverse("newsletter_campaigns:report", args=[campaign.pk]))
    note = BeautifulSoup(page.content, "html.parser").select_one("[data-retrying]")
    retry_at = timezone.localtime(figures["next_retry_at"]).strftime("%H:%M")
    assert " ".join(note.get_text().split()) == (
        "2 messages could not be handed to the mail server or provider yet and will be tried "
        f"again from {retry_at}. The last answer: The mail provider answered 503 (Service "
        "temporarily unavailable)."
    )


def test_without_a_batch_api_several_single_calls_go_at_once(mailgun, settings):
    settings.NEWSLETTER_API_BATCH_SIZE = 0  # one call per message, as for Postmark or SES
    settings.NEWSLETTER_API_CONCURRENCY = 3
    mailgun.delay = 0.2
    subscribers = readers(count=9)
    campaign = frozen_campaign(subscribers)

    assert deliver_campaign(campaign.pk) == 9

    assert len(mailgun.calls) == 9 and {len(call.recipients) for call in mailgun.calls} == {1}
    assert mailgun.most_in_flight == 3
    one_copy_each(mailgun, subscribers)
    for subscriber in subscribers:
        (copy,) = mailgun.copies_to(subscriber.email)
        assert tokens.unsubscribe_url(subscriber) in copy.text
    assert set(campaign.deliveries.values_list("status", flat=True)) == {DStatus.SENT}


def test_single_calls_at_once_keep_to_the_rate_limit(mailgun, settings):
    settings.NEWSLETTER_API_BATCH_SIZE = 0
    settings.NEWSLETTER_API_CONCURRENCY = 4
    campaign = frozen_campaign(readers(count=6), rate_limit=20)
    arrived = []
    mailgun.on_call = lambda number: arrived.append(time.monotonic())

    assert deliver_campaign(campaign.pk) == 6

    # 20 a second: a call started each 50 ms, the last 250 ms after the first (less a
    # little for the first call's own way to the server).
    assert len(arrived) == 6 and arrived[-1] - arrived[0] >= 0.2
