"""Tracked links as readers receive them: every link of a sent issue's email goes through a
signed ``/r/<token>/`` of their own, each with a ``TrackedLink`` row saying which story,
role and target; the unsubscribe and preference links, the test send, the archive page and
the preview link directly; and the canary is there for machines only."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from newsletter.campaign_backend import LocalCampaignBackend
from newsletter.engagement.tokens import link_token, read_token
from newsletter.factories import daily_list
from newsletter.issues.rendering import render_issue_html
from newsletter.models import Campaign, TrackedLink
from newsletter.sending.orchestration import send_issue_now

from .click_setup import SITE, hrefs, path, sent, site_url, text_of, text_urls
from .mail_capture import smtp_catcher, strictly
from .sending_helpers import no_failed_tasks, readers, scripted

pytestmark = pytest.mark.django_db
__all__ = ["no_failed_tasks", "scripted", "sent", "site_url", "smtp_catcher"]
Role = TrackedLink.Role


def test_each_reader_gets_signed_links_of_their_own_for_every_story_link(sent):
    links = {link.position: link for link in sent.snapshot.links.all()}
    seen = {}
    for address in sent.messages:
        delivery = sent.deliveries[address]
        for url in sent.tracked(address):
            link_id, delivery_id = read_token(path(url).split("/")[2])
            assert delivery_id == delivery.pk
            seen.setdefault(address, []).append(link_id)
    # Everyone has the same links in the same order, none shared between two readers' copies.
    assert seen["ann@example.org"] == seen["bob@example.org"] == seen["cat@example.org"]
    assert sorted(seen["ann@example.org"]) == sorted(link.pk for link in links.values())
    assert set(sent.tracked("ann@example.org")).isdisjoint(sent.tracked("bob@example.org"))
    roles = [links[pos].role for pos in sorted(links) if links[pos].rank == 1]
    assert roles == [
        Role.HEADLINE,
        Role.IMAGE,
        Role.READ_MORE,
        Role.SOURCE,
        Role.TEXT,
        Role.TEXT,
    ]
    story = [link for link in links.values() if link.rank is not None]
    assert {link.rank for link in story} == set(range(1, 11))
    own = [link for link in story if link.role in (Role.HEADLINE, Role.IMAGE, Role.READ_MORE)]
    assert all(link.article_id and link.url.startswith(f"{SITE}/news/") for link in own)
    counts = {role: sum(link.role == role for link in links.values()) for role in Role.values}
    assert counts == {
        Role.HEADLINE: 10,
        Role.IMAGE: 10,
        Role.READ_MORE: 10,
        Role.SOURCE: 1,
        Role.RELATED: 1,
        Role.TEXT: 10 + 2 + 1,  # the stories, story 1's source and 2's related, the browser
        Role.MASTHEAD: 2,
        Role.FOOTER: 1,
        Role.CANARY: 1,
    }


def test_the_source_and_related_lines_show_in_the_email_and_the_text(sent, articles):
    message = sent.messages["ann@example.org"]
    page = BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
    source = page.find("a", string="CNN")
    related = page.find("a", string=articles[4].title)
    assert source.parent.get_text(" ", strip=True) == "Source: CNN"
    assert related.parent.get_text(" ", strip=True) == f"Related: {articles[4].title}"
    by_position = {link.position: link for link in sent.snapshot.links.all()}
    source_row = next(link for link in by_position.values() if link.role == Role.SOURCE)
    assert source_row.url == articles[0].source_url and source_row.rank == 1
    related_row = next(link for link in by_position.values() if link.role == Role.RELATED)
    assert related_row.rank == 2 and related_row.url == f"{SITE}{articles[4].url}"
    text = text_of(message)
    assert "Source: CNN https://news.lisastopten.example/r/" in text
    assert f"Related: {articles[4].title} https://news.lisastopten.example/r/" in text


def test_unsubscribe_and_preference_links_are_never_tracked(sent):
    message = sent.messages["ann@example.org"]
    links = [href for href, _a in hrefs(message)] + text_urls(message)
    personal = [url for url in links if "/newsletter/" in url]
    assert len(personal) == 4  # both links, in the HTML and in the text
    assert all(not url.startswith(f"{SITE}/r/") for url in personal)
    assert "/r/" not in message["List-Unsubscribe"]


def test_the_canary_is_hidden_from_people_and_screen_readers(sent):
    canary = TrackedLink.objects.get(snapshot=sent.snapshot, role=Role.CANARY)
    token = link_token(canary.pk, sent.deliveries["ann@example.org"].pk)
    [(href, a)] = [
        (href, a) for href, a in hrefs(sent.messages["ann@example.org"]) if token in href
    ]
    assert a["aria-hidden"] == "true" and a["tabindex"] == "-1"
    assert a.get_text(strip=True) == "" and not a.find("img")
    assert any("display:none" in parent.get("style", "") for parent in a.parents if parent.name)


def test_the_test_send_links_directly(smtp_catcher, issue):
    ann = readers("ann@example.org")[0]
    campaign = Campaign.objects.create(
        issue=issue, audience=str(daily_list().pk), subject=issue.get_newsletter_subject()
    )
    LocalCampaignBackend().send_test_email(campaign_id=str(campaign.pk), email=ann.email)

    [raw] = smtp_catcher.raw_to(ann.email)
    message = strictly(raw)
    links = [href for href, _a in hrefs(message)] + text_urls(message)
    assert len(links) > 40
    assert not [url for url in links if "/r/" in url or "[[" in url]
    assert f"{SITE}/issues/{issue.issue_date}/" in links


def test_the_archive_page_and_the_preview_link_directly(sent, client, issue):
    page = client.get(f"/issues/{issue.issue_date}/")
    assert page.status_code == 200
    assert b"/r/" not in page.content and b"[[LINK" not in page.content
    preview = render_issue_html(issue)
    assert "/r/" not in preview and "[[LINK" not in preview
    assert 'aria-hidden="true"' not in preview  # no canary where nothing is tracked


def test_with_tracking_off_the_sent_links_are_direct(settings, smtp_catcher, issue):
    settings.NEWSLETTER_CLICK_TRACKING = False
    readers("ann@example.org")
    send_issue_now(issue)

    [raw] = smtp_catcher.raw_to("ann@example.org")
    message = strictly(raw)
    links = [href for href, _a in hrefs(message)] + text_urls(message)
    assert not [url for url in links if "/r/" in url or "[[" in url]
    assert sum(url.startswith(f"{SITE}/news/") for url in links) == 40  # 4 per story


def test_the_in_memory_backend_gets_the_same_tracked_links(scripted, issue):
    readers("ann@example.org")
    send_issue_now(issue)

    [message] = mail.outbox
    html = message.alternatives[0].content
    raw_html = message.message().get_body(("html",)).get_content()
    assert html.replace("\r\n", "\n") == raw_html.replace("\r\n", "\n")
    assert html.count(f"{SITE}/r/") == TrackedLink.objects.exclude(role=Role.TEXT).count()
