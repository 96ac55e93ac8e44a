"""Sending an issue: everyone on the list gets it exactly once, from the frozen snapshot, with
their own links and the one-click unsubscribe headers; an issue is never sent twice."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from news.models import ArticlePage
from newsletter.models import Campaign, Delivery, IssueSnapshot, NewsletterSettings, Subscriber
from newsletter.sending.message import PREFERENCES, UNSUBSCRIBE
from newsletter.sending.orchestration import SendRefused, report, send_issue_now, send_test
from newsletter.subscriptions import tokens

from .sending_helpers import (
    frozen_campaign,
    make_issue,
    media,
    no_failed_tasks,
    readers,
    recipients_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "no_failed_tasks")]
__all__ = ["media", "no_failed_tasks"]
Status = Campaign.Status


@pytest.fixture
def article_fields():
    """The shared ``issue``'s stories without photos: sending doesn't need them."""
    return {"lead_image": None}


@pytest.fixture
def subscribers():
    return readers("ann@example.org", "bob@example.org", count=8)


def test_every_active_subscriber_gets_the_issue_exactly_once(issue, subscribers):
    left = readers("left@example.org")[0]
    left.change_status(Subscriber.Status.UNSUBSCRIBED)
    readers("pending@example.org")[0].change_status(Subscriber.Status.PENDING)

    campaign = send_issue_now(issue)

    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT
    assert campaign.recipient_count == 10
    assert campaign.finished_at is not None
    assert set(campaign.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_each_message_has_both_parts_the_headers_and_its_readers_own_links(issue, subscribers):
    send_issue_now(issue)

    ann = Subscriber.objects.get(email="ann@example.org")
    message = next(m for m in mail.outbox if m.to == ["ann@example.org"])
    html = {mime: body for body, mime in message.alternatives}["text/html"]
    assert message.subject == issue.get_newsletter_subject()
    assert "Story number 1" in message.body and "Story number 10" in message.body
    assert "Story number 10" in html
    assert tokens.unsubscribe_url(ann) in message.body
    assert tokens.preferences_url(ann) in message.body
    assert f'href="{tokens.unsubscribe_url(ann)}"' in html
    assert f'href="{tokens.preferences_url(ann)}"' in html
    for part in (message.body, html):
        assert UNSUBSCRIBE not in part and PREFERENCES not in part
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{tokens.unsubscribe_url(ann)}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "daily." in message.extra_headers["List-Id"]
    assert re.fullmatch(r"<\w+@[\w.-]+>", message.extra_headers["Message-ID"])
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw

    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    links = {m.extra_headers["List-Unsubscribe"] for m in mail.outbox}
    assert len(ids) == len(links) == len(mail.outbox) == 10


def test_the_message_is_the_snapshot_not_the_live_articles(issue, subscribers, monkeypatch):
    from newsletter.sending import orchestration

    real_build = orchestration.build_snapshot
    edited = []

    def build_then_edit(issue, *, user=None):
        snapshot = real_build(issue, user=user)
        # An editor changes a story while the send is starting: the mail must not change.
        article = ArticlePage.objects.get(title="Story number 1")
        article.title = "EDITED AFTER SENDING"
        article.save_revision().publish()
        edited.append(article)
        return snapshot

    monkeypatch.setattr(orchestration, "build_snapshot", build_then_edit)
    campaign = send_issue_now(issue)

    assert edited

    snapshot = IssueSnapshot.objects.get(issue_date=issue.issue_date)
    assert campaign.snapshot == snapshot and snapshot.is_intact
    assert all("EDITED" not in m.body for m in mail.outbox)
    assert "Story number 1" in snapshot.text


def test_a_second_send_is_refused_and_sends_nothing(issue, subscribers, django_user_model):
    editor = django_user_model.objects.create_user("ed", "ed@example.com", "pw")
    send_issue_now(issue, user=editor)
    mail.outbox = []

    with pytest.raises(SendRefused, match="already been sent on"):
        send_issue_now(issue, user=editor)
    with pytest.raises(SendRefused, match="already been sent"):
        send_issue_now(issue, campaign=Campaign.objects.create(issue=issue))

    assert mail.outbox == []
    assert Campaign.objects.filter(issue=issue, snapshot__isnull=False).count() == 1
    assert Delivery.objects.count() == 10


def test_a_double_click_while_sending_is_refused(issue, subscribers, monkeypatch):
    from newsletter.sending import orchestration

    monkeypatch.setattr(orchestration, "enqueue", lambda campaign_id: None)  # worker busy
    first = send_issue_now(issue)
    assert first.status == Status.SENDING

    with pytest.raises(SendRefused, match="is being sent"):
        send_issue_now(issue, campaign=first)
    assert Delivery.objects.count() == 10 and mail.outbox == []


def test_two_sends_racing_past_the_check_are_stopped_by_the_database(
    issue, subscribers, monkeypatch
):
    """The second of two simultaneous requests passes the "already sent?" check before the
    first commits; the database constraint then refuses it."""
    from newsletter.sending import orchestration

    rival = Campaign.objects.create(issue=issue, status=Status.SENDING)
    real_check = orchestration.already_sent
    monkeypatch.setattr(orchestration, "already_sent", lambda issue: None)
    snapshot = IssueSnapshot(
        issue=None,
        issue_date=datetime.date(1999, 1, 1),
        subject="x",
        html="x",
        text="x",
        web_html="x",
        stories=[],
    )
    snapshot.save()
    Campaign.objects.filter(pk=rival.pk).update(snapshot=snapshot)

    with pytest.raises(SendRefused, match="at the same moment"):
        send_issue_now(issue)

    monkeypatch.setattr(orchestration, "already_sent", real_check)
    assert mail.outbox == [] and Delivery.objects.count() == 0
    assert not IssueSnapshot.objects.filter(issue_date=issue.issue_date).exists()


def test_an_issue_that_is_not_ready_is_refused_in_plain_words(subscribers, site):
    issue = make_issue(site, stories=7)
    with pytest.raises(SendRefused, match="exactly 10 stories; this one has 7 of 10"):
        send_issue_now(issue)
    assert not Campaign.objects.exists() and not IssueSnapshot.objects.exists()


def test_nobody_to_send_to_is_refused(issue):
    with pytest.raises(SendRefused, match="Nobody would get this issue"):
        send_issue_now(issue)
    assert not IssueSnapshot.objects.exists()


def test_the_campaigns_list_and_segment_choose_the_recipients(issue, subscribers):
    from newsletter.factories import MailingListFactory, SegmentFactory, daily_list

    other = MailingListFactory(name="Weekly", slug="weekly")
    weekly = readers("wendy@example.org")[0]
    weekly.lists.set([other])
    segment = SegmentFactory(mailing_list=daily_list(), email_domain="example.net")
    readers("net@example.net")
    campaign = Campaign.objects.create(
        issue=issue, audience=str(daily_list().pk), segment=f"{daily_list().pk}/{segment.pk}"
    )

    send_issue_now(issue, campaign=campaign)

    assert recipients_of() == ["net@example.net"]


def test_report_counts_everything_in_one_query(issue, subscribers, django_assert_num_queries):
    campaign = send_issue_now(issue)
    Delivery.objects.filter(email="bob@example.org").update(status=Delivery.Status.BOUNCED)
    Subscriber.objects.get(email="ann@example.org").change_status(Subscriber.Status.UNSUBSCRIBED)

    with django_assert_num_queries(1):
        figures = report(campaign)

    assert figures["recipients"] == 10
    assert figures["sent"] == 9 and figures["bounced"] == 1
    assert figures["failed"] == figures["pending"] == 0
    assert figures["unsubscribed_since"] == 1
    assert figures["progress"] == 100
    assert figures["send_time"] == campaign.started_at


def test_send_issue_command_sends_todays_issue(issue, subscribers):
    call_command("send_issue", stdout=(out := io.StringIO()))
    assert "to 10 subscribers" in out.getvalue()
    assert len(mail.outbox) == 10


def test_send_issue_command_refuses_a_second_send_with_a_clear_message(issue, subscribers):
    call_command("send_issue", "--date", issue.issue_date.isoformat(), stdout=io.StringIO())
    mail.outbox = []
    with pytest.raises(CommandError, match="already been sent on"):
        call_command("send_issue")
    assert mail.outbox == []


def test_send_issue_command_without_an_issue_or_with_a_bad_date(subscribers):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match=f"no issue for {tomorrow.isoformat()}"):
        call_command("send_issue", "--date", tomorrow.isoformat())
    with pytest.raises(CommandError, match="like 2026-11-23"):
        call_command("send_issue", "--date", "tomorrow")


def test_send_test_personalises_for_a_subscriber_and_not_for_a_stranger(subscribers):
    from .sending_helpers import HTML, TEXT

    # The sender is Settings > Newsletter's, whatever the campaign stored.
    newsletter = NewsletterSettings.load()
    newsletter.from_name = "Lisa at the desk"
    newsletter.reply_to = "desk@example.com"
    newsletter.save()
    campaign = frozen_campaign(html=HTML, text=TEXT, from_name="Environment Default")
    send_test(campaign=campaign, snapshot=campaign.snapshot, email="ann@example.org")
    send_test(campaign=campaign, snapshot=campaign.snapshot, email="editor@example.com")

    ann = Subscriber.objects.get(email="ann@example.org")
    to_ann, to_editor = mail.outbox[-2:]
    assert tokens.unsubscribe_url(ann) in to_ann.body
    assert "/unsubscribe/example/" in to_editor.body and UNSUBSCRIBE not in to_editor.body
    assert to_editor.subject.startswith("[Test] ")
    assert to_editor.from_email.startswith("Lisa at the desk <")
    assert to_editor.reply_to == ["desk@example.com"]
    assert to_editor.alternatives[0].mimetype == "text/html"
    with pytest.raises(SendRefused, match="not an email address"):
        send_test(campaign=campaign, snapshot=campaign.snapshot, email="not-an-address")
