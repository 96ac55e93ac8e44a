"""What the dashboard and campaign page tests share: three readers on the Daily list, today's
issue, a writer who may not send, and readers of the admin's HTML."""

import html

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from news.factories import ArticlePageFactory
from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign
from newsletter.sending.orchestration import send_issue_now

from .issue_setup import make_articles

Status = Campaign.Status
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]
# The panel's queries (morning_context): both days' issues, the news and issue indexes,
# today's campaigns and stories, the readers twice, the last send and its report (9); and
# tomorrow's campaigns and story count (11).
PANEL_QUERIES = 11
SENT_TODAY_QUERIES = 9


@pytest.fixture
def readers():
    daily = daily_list()
    return [SubscriberFactory(email=address, lists=[daily]) for address in READERS]


def todays_issue(site, count=10, **kwargs):
    news_index, issue_index = site
    return IssuePageFactory(
        parent=issue_index,
        articles=make_articles(news_index, count),
        issue_date=timezone.localdate(),
        **kwargs,
    )


def other_articles(news_index, count, word):
    """Articles besides ``todays_issue``'s "Story number n" (their slugs would clash)."""
    return [
        ArticlePageFactory(parent=news_index, title=f"{word} story {n}")
        for n in range(1, count + 1)
    ]


def words(element):
    return " ".join(html.unescape(element.get_text(" ")).split()) if element else ""


def dashboard_panel(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return soup.find(id="newsletter-today-section")


def link(element, label):
    return next(a for a in element.find_all("a") if label in words(a))


def messages_of(response):
    return [html.unescape(str(message)).strip() for message in response.context["messages"]]


def started_without_worker(issue, user, monkeypatch):
    """Send ``issue`` but keep the task from running, as if the worker were busy."""
    monkeypatch.setattr("newsletter.sending.orchestration.enqueue", lambda campaign_id: None)
    campaign = send_issue_now(issue, user=user)
    monkeypatch.undo()
    return campaign
