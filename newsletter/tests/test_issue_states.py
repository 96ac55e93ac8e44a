"""What an editor sees of an issue's state outside the dashboard: "View live" on a published
issue not sent yet shows it to editors (readers still get "Page not found"), and editing a
sent issue says at once that it is sent and frozen."""

import html
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.sending.orchestration import send_issue_now

from .issue_setup import make_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(site):
    news_index, archive = site
    daily = daily_list()
    for address in ("ann@example.org", "bob@example.org"):
        SubscriberFactory(email=address, lists=[daily])
    return IssuePageFactory(
        parent=archive, articles=make_articles(news_index, 10), issue_date=timezone.localdate()
    )


def words(element):
    return " ".join(html.unescape(element.get_text(" ")).split())


def view_live_url(client, issue):
    """Where the edit page's "Live" tag ("Visit the live page") leads."""
    page = BeautifulSoup(client.get(f"/admin/pages/{issue.pk}/edit/").content, "html.parser")
    links = {
        urlsplit(a["href"]).path
        for a in page.select("a.page-status-tag")
        if "Visit the live page" in a.get("aria-label", "")
    }
    (link,) = links
    assert link == f"/issues/{issue.issue_date.isoformat()}/"
    return link


def test_view_live_before_sending_shows_editors_the_issue(editor_client, issue):
    url = view_live_url(editor_client, issue)

    response = editor_client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = BeautifulSoup(response.content, "html.parser")
    notice = words(page.find(attrs={"data-not-sent": True}))
    assert notice.startswith("Not sent yet: only people who may edit this issue see this page.")
    assert page.find("a", href=f"/admin/newsletter/review/{issue.pk}/")
    assert "Story number 1" in words(page)


def test_readers_get_page_not_found_before_sending(client, editor_client, issue):
    url = view_live_url(editor_client, issue)
    editor_client.logout()

    assert client.get(url).status_code == 404


def test_once_sent_view_live_shows_the_frozen_issue_to_everyone(
    client, editor, editor_client, issue
):
    send_issue_now(issue, user=editor)
    url = view_live_url(editor_client, issue)

    for who in (editor_client, client):
        page = BeautifulSoup(who.get(url).content, "html.parser")
        assert not page.find(attrs={"data-not-sent": True})
        assert "Story number 1" in words(page)
    editor_client.logout()
    assert client.get(url).status_code == 200


def test_editing_a_sent_issue_says_it_is_sent_and_frozen(editor, editor_client, issue):
    campaign = send_issue_now(issue, user=editor)

    page = BeautifulSoup(editor_client.get(f"/admin/pages/{issue.pk}/edit/").content, "html.parser")

    messages = [words(li) for li in page.select(".messages li")]
    (frozen,) = [m for m in messages if "frozen" in m]
    sent_at = timezone.localtime(campaign.started_at).strftime("%H:%M")
    assert frozen.startswith("Sent. This issue went out on ")
    assert f"at {sent_at} to 2 readers, and it is frozen" in frozen
    assert "It can't be sent again." in frozen
    buttons = {words(a): a["href"] for a in page.select(".messages li a")}
    assert buttons["See it in the archive"] == f"/issues/{issue.issue_date.isoformat()}/"
    assert buttons["Its report"] == f"/admin/newsletter/campaigns/{campaign.pk}/"


def test_editing_an_unsent_issue_says_nothing_of_the_kind(editor_client, issue):
    page = BeautifulSoup(editor_client.get(f"/admin/pages/{issue.pk}/edit/").content, "html.parser")

    assert not [li for li in page.select(".messages li") if "frozen" in words(li)]
