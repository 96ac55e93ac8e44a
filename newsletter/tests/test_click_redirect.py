"""The click redirect as a reader's browser (and a scanner) meets it: each link taken from
the raw bytes of a received message answers 302 to its target and is counted once after a
flush; bad tokens and links that lead nowhere get the 404 page; the warm redirect asks the
database nothing; a scanner following every link changes no subscription."""

import datetime

import pytest
from django.utils import timezone

from newsletter.engagement import recording
from newsletter.engagement.tokens import copy_key, link_token
from newsletter.factories import IssuePageFactory
from newsletter.issues.rendering import build_snapshot
from newsletter.models import Click, Subscriber, TrackedLink

from .click_setup import BROWSER, path, reader_clock, sent, site_url
from .mail_capture import smtp_catcher
from .sending_helpers import no_failed_tasks

pytestmark = pytest.mark.django_db
__all__ = ["no_failed_tasks", "reader_clock", "sent", "site_url", "smtp_catcher"]


def assert_not_found(response):
    assert response.status_code == 404
    assert "Location" not in response
    assert b"<html" in response.content.lower()  # the site's 404 page


def test_every_link_of_a_message_redirects_to_its_target_and_counts_once(
    sent, client, reader_clock
):
    delivery = sent.deliveries["ann@example.org"]
    urls = sent.tracked("ann@example.org")
    rows = {link.pk: link for link in TrackedLink.objects.filter(snapshot=sent.snapshot)}
    expected = []
    # A person, one link every 20 seconds, never the hidden canary (only machines follow it).
    for url in urls:
        [link] = [row for row in rows.values() if link_token(row.pk, delivery.pk) in url]
        if link.role == TrackedLink.Role.CANARY:
            continue
        response = client.get(path(url), HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Location"] == link.url
        expected.append((link.pk, link.rank, delivery.pk))
    assert len(expected) == len(urls) - 1

    assert Click.objects.count() == 0  # nothing written before the flush
    assert recording.flush() == len(expected)
    clicks = Click.objects.order_by("pk")
    assert [(c.link_id, c.rank, c.delivery_id) for c in clicks] == expected
    assert [(c.snapshot_id, c.human, c.reason) for c in clicks] == [
        (sent.snapshot.pk, True, "")
    ] * len(expected)
    assert recording.flush() == 0


def test_a_story_link_goes_to_its_article(sent, client, articles):
    story_3 = TrackedLink.objects.get(snapshot=sent.snapshot, rank=3, role="headline")
    url = next(
        u
        for u in sent.tracked("bob@example.org")
        if link_token(story_3.pk, sent.deliveries["bob@example.org"].pk) in u
    )
    response = client.get(path(url))
    assert response["Location"] == f"https://news.lisastopten.example{articles[2].url}"
    assert (
        client.get(
            response["Location"].removeprefix("https://news.lisastopten.example")
        ).status_code
        == 200
    )


def test_head_redirects_and_is_stored_as_suspect(sent, client):
    url = sent.tracked("ann@example.org")[3]
    response = client.head(path(url))
    assert response.status_code == 302
    recording.flush()
    [click] = Click.objects.all()
    assert not click.human and click.reason == Click.Reason.HEAD


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-1],
        lambda token: token[:-3] + ("x" if token[-3] != "x" else "y") + token[-2:],
        lambda token: token + "AA",
        lambda token: "not-a-token-at-all-really",
    ],
    ids=["truncated", "tampered", "lengthened", "garbage"],
)
def test_a_bad_token_gets_the_404_page_and_counts_nothing(sent, client, spoil):
    token = path(sent.tracked("ann@example.org")[0]).split("/")[2]
    assert_not_found(client.get(f"/r/{spoil(token)}/"))
    assert recording.pending() == 0


def test_another_issues_link_with_this_delivery_is_not_found(sent, client, archive, articles):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    other = build_snapshot(
        IssuePageFactory(parent=archive, articles=articles, issue_date=yesterday)
    )
    other_link = other.links.first()
    delivery = sent.deliveries["ann@example.org"]
    assert_not_found(client.get(f"/r/{link_token(other_link.pk, delivery.pk)}/"))
    assert_not_found(client.get(f"/r/{link_token(987_654, delivery.pk)}/"))  # no such link
    assert recording.pending() == 0


def test_a_link_in_a_batch_copy_redirects_and_counts_for_that_reader(sent, client, reader_clock):
    # A copy sent through a provider's batch API: /r/<the copy's key>/<link id>/.
    delivery = sent.deliveries["bob@example.org"]
    link = sent.snapshot.links.exclude(role=TrackedLink.Role.CANARY).order_by("pk").first()

    response = client.get(f"/r/{copy_key(delivery.pk)}/{link.pk}/", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302
    assert response["Location"] == link.url
    assert response["Cache-Control"] == "private, no-store"
    assert recording.flush() == 1
    click = Click.objects.get()
    assert (click.link_id, click.delivery_id, click.human) == (link.pk, delivery.pk, True)


def test_a_batch_copys_bad_key_or_foreign_link_is_not_found(sent, client, archive, articles):
    delivery = sent.deliveries["ann@example.org"]
    link = sent.snapshot.links.order_by("pk").first()
    key = copy_key(delivery.pk)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    other = build_snapshot(
        IssuePageFactory(parent=archive, articles=articles, issue_date=yesterday)
    )
    tampered = key[:-2] + ("AA" if key[-2:] != "AA" else "BB")

    for url in (
        f"/r/{tampered}/{link.pk}/",
        f"/r/{key[:-3]}/{link.pk}/",  # cut short
        f"/r/{link_token(link.pk, delivery.pk)}/{link.pk}/",  # a link's token is no key
        f"/r/{key}/{other.links.first().pk}/",  # not in this reader's issue
        f"/r/{key}/987654/",  # no such link
        f"/r/{key}/999999999999/",  # larger than any id: no database error
        f"/r/{key}/0/",
    ):
        assert_not_found(client.get(url))
    assert recording.pending() == 0


def test_a_deleted_articles_links_are_not_found(sent, client, articles):
    delivery = sent.deliveries["ann@example.org"]
    link = TrackedLink.objects.get(snapshot=sent.snapshot, rank=4, role="read-more")
    url = f"/r/{link_token(link.pk, delivery.pk)}/"
    assert client.get(url).status_code == 302  # the memo knows it now

    articles[3].delete()

    assert_not_found(client.get(url))
    masthead = TrackedLink.objects.get(snapshot=sent.snapshot, role="masthead", position=2)
    assert client.get(f"/r/{link_token(masthead.pk, delivery.pk)}/").status_code == 302


def test_a_scanner_following_every_link_changes_no_subscription(sent, client):
    for address in sent.messages:
        for url in sent.tracked(address):
            client.get(path(url), HTTP_USER_AGENT="Mozilla/5.0 (compatible; SafeLinks scanner)")
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Subscriber.Status.ACTIVE}
    assert recording.flush() == 3 * len(sent.tracked("ann@example.org"))


def test_aggregate_mode_stores_no_delivery(sent, client, settings):
    settings.NEWSLETTER_ANALYTICS_PRIVACY = "aggregate"
    for url in sent.tracked("ann@example.org")[:5]:
        client.get(path(url))
    assert recording.flush() == 5
    assert Click.objects.count() == 5
    assert not Click.objects.filter(delivery__isnull=False).exists()
    assert set(Click.objects.values_list("snapshot_id", flat=True)) == {sent.snapshot.pk}


def test_the_warm_redirect_asks_the_database_nothing(sent, client, django_assert_num_queries):
    first, second = sent.tracked("ann@example.org")[:2]
    client.get("/robots.txt")  # the process has looked its site up (once per process)
    with django_assert_num_queries(2):  # the link, the delivery's issue
        client.get(path(first))
    with django_assert_num_queries(1):  # the link; the delivery is known
        client.get(path(second))
    with django_assert_num_queries(0):
        assert client.get(path(first)).status_code == 302
        assert client.head(path(second)).status_code == 302


@pytest.mark.parametrize("count", [1, 50])
def test_a_flush_writes_any_number_of_clicks_in_the_same_queries(
    sent, client, count, django_assert_num_queries
):
    urls = sent.tracked("ann@example.org") + sent.tracked("bob@example.org")
    for n in range(count):
        client.get(path(urls[n % len(urls)]))
    # SAVEPOINT, the issues rolled up (retention), the deliveries' send times and their
    # clicks stored around these (the bot rules), the INSERT, RELEASE (the test runs in a
    # transaction).
    with django_assert_num_queries(6):
        assert recording.flush() == count


def test_a_failed_write_keeps_the_clicks_for_the_next_flush(sent, client, monkeypatch):
    for url in sent.tracked("ann@example.org")[:3]:
        client.get(path(url))

    def away(*args, **kwargs):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(Click.objects, "bulk_create", away)
    assert recording.flush() == 0
    assert recording.pending() == 3
    monkeypatch.undo()
    assert recording.flush() == 3
    assert Click.objects.count() == 3


def test_robots_keep_out_of_the_redirect(client, home_page):
    assert "Disallow: /r/" in client.get("/robots.txt").content.decode().splitlines()


def test_the_redirect_takes_no_post(sent, client):
    response = client.post(path(sent.tracked("ann@example.org")[0]))
    assert response.status_code == 405
    assert recording.pending() == 0


def test_the_page_cache_never_stores_a_redirect(sent, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    url = path(sent.tracked("ann@example.org")[0])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 302 and "X-Page-Cache" not in response
    assert recording.flush() == 2


def test_a_signed_in_editor_clicking_costs_no_session_lookup(
    sent, client, django_user_model, django_assert_num_queries
):
    """The redirect is answered above the session and auth middleware: an editor's click
    (session cookie and all) asks the database nothing once the link is known, and the
    response sets no cookie."""
    url = path(sent.tracked("ann@example.org")[0])
    client.get(url)
    user = django_user_model.objects.create_user("lisa", password="x")
    client.force_login(user)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 302
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
