"""The issue's "Review and send" step as an editor meets it: the inbox view, the date, the
readers, every problem with what to do, a test, and Send now / Publish and send / Schedule,
each refused with words, and nothing sent twice."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign, Delivery, NewsletterSettings

from .issue_setup import make_articles

pytestmark = pytest.mark.django_db
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]


@pytest.fixture
def readers():
    daily = daily_list()
    return [SubscriberFactory(email=address, lists=[daily]) for address in READERS]


@pytest.fixture
def writer_client(writer):
    """May edit pages but not publish them, so may not send issues."""
    from django.test import Client

    client = Client()
    client.force_login(writer)
    return client


def issue_for(site, day=None, count=10, **kwargs):
    news_index, issue_index = site
    return IssuePageFactory(
        parent=issue_index,
        articles=make_articles(news_index, count),
        issue_date=day or timezone.localdate(),
        **kwargs,
    )


def review_url(issue):
    return reverse("newsletter_review:review", args=[issue.pk])


def words(element):
    return " ".join(html.unescape(element.get_text(" ")).split()) if element else ""


def review(client, issue):
    response = client.get(review_url(issue))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_review_shows_the_inbox_the_date_and_the_readers(editor_client, site, readers):
    settings = NewsletterSettings.load()
    settings.from_email = "lisa@lisastopten.com"
    settings.reply_to = "desk@lisastopten.com"
    settings.save()
    issue = issue_for(site, preheader="Austin rallies allies")
    soup = review(editor_client, issue)
    assert words(soup.select_one("[data-review=from]")) == "Lisa's Top Ten <lisa@lisastopten.com>"
    assert words(soup.select_one("[data-review=reply-to]")) == "desk@lisastopten.com"
    subject = words(soup.select_one("[data-review=subject]"))
    assert subject == issue.get_newsletter_subject()
    assert subject.startswith("Lisa's Top Ten: ")
    assert words(soup.select_one("[data-review=preheader]")) == "Austin rallies allies"
    assert words(soup.select_one("[data-review=date]")).endswith("(today)")
    assert words(soup.select_one("[data-review=recipients]")).endswith("3 readers")
    assert soup.select_one("[data-review-problems]") is None
    assert soup.select_one("[data-review-warnings]") is None
    assert soup.find("button", attrs={"value": "send"}) is not None


def test_blank_preheader_shows_the_first_three_headlines(editor_client, site, readers):
    soup = review(editor_client, issue_for(site))
    assert "Story number 1" in words(soup.select_one("[data-review=preheader]"))


def test_problems_are_listed_and_send_is_not_offered(editor_client, site, readers):
    issue = issue_for(site, count=8)
    soup = review(editor_client, issue)
    problems = words(soup.select_one("[data-review-problems]"))
    assert "8" in problems and "10" in problems
    assert soup.find("button", attrs={"value": "send"}) is None
    response = editor_client.post(review_url(issue), {"action": "send"}, follow=True)
    assert "can't be sent yet" in words(BeautifulSoup(response.content, "html.parser"))
    assert not Campaign.objects.filter(snapshot__isnull=False).exists()
    assert Delivery.objects.count() == 0


def test_tomorrows_issue_needs_the_date_confirmed(editor_client, site, readers):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    issue = issue_for(site, day=tomorrow)
    soup = review(editor_client, issue)
    warning = words(soup.select_one("[data-review-warnings]"))
    assert "(tomorrow)" in warning and "not today" in warning
    response = editor_client.post(review_url(issue), {"action": "send"}, follow=True)
    page = words(BeautifulSoup(response.content, "html.parser"))
    assert "Tick the box to confirm" in page
    assert Delivery.objects.count() == 0
    response = editor_client.post(review_url(issue), {"action": "send", "confirm_date": "yes"})
    campaign = Campaign.objects.get(snapshot__isnull=False)
    assert response.status_code == 302
    assert response.url == reverse("newsletter_campaigns:report", args=[campaign.pk])
    assert Delivery.objects.count() == len(READERS)


def test_send_now_sends_once_to_every_reader(editor_client, site, readers):
    issue = issue_for(site)
    editor_client.post(review_url(issue), {"action": "send"})
    response = editor_client.post(review_url(issue), {"action": "send"}, follow=True)
    assert "already been sent" in words(BeautifulSoup(response.content, "html.parser"))
    assert Campaign.objects.filter(snapshot__isnull=False).count() == 1
    assert sorted(Delivery.objects.values_list("email", flat=True)) == sorted(READERS)
    sent = [message for message in mail.outbox if message.to[0] in READERS]
    assert sorted(message.to[0] for message in sent) == sorted(READERS)
    # Once sent, the review says so and offers the report, not the buttons.
    soup = review(editor_client, issue)
    assert soup.find("button", attrs={"value": "send"}) is None
    assert soup.find("a", string="See its report") is not None


def test_publish_and_send_publishes_the_draft_first(editor_client, site, readers):
    issue = issue_for(site, live=False)
    soup = review(editor_client, issue)
    assert soup.find("button", attrs={"value": "send"}) is None
    assert soup.find("button", attrs={"value": "publish_send"}) is not None
    editor_client.post(review_url(issue), {"action": "publish_send"})
    issue.refresh_from_db()
    assert issue.live
    assert Delivery.objects.count() == len(READERS)


def test_publish_and_send_publishes_nothing_when_it_could_not_go_out(editor_client, site, readers):
    issue = issue_for(site, count=7, live=False)
    response = editor_client.post(review_url(issue), {"action": "publish_send"}, follow=True)
    assert "can't be sent yet" in words(BeautifulSoup(response.content, "html.parser"))
    issue.refresh_from_db()
    assert not issue.live
    assert Delivery.objects.count() == 0


def test_test_send_goes_to_the_address_typed(editor_client, site, readers):
    issue = issue_for(site)
    response = editor_client.post(
        review_url(issue), {"action": "test", "email": "eddie@example.com"}, follow=True
    )
    assert "Test sent to eddie@example.com" in words(BeautifulSoup(response.content, "html.parser"))
    [message] = mail.outbox
    assert message.to == ["eddie@example.com"]
    assert message.subject.startswith("[Test] ")
    assert Delivery.objects.count() == 0
    response = editor_client.post(
        review_url(issue), {"action": "test", "email": "not an address"}, follow=True
    )
    assert "is not an email address" in words(BeautifulSoup(response.content, "html.parser"))
    assert len(mail.outbox) == 1


def test_schedule_needs_a_future_time(editor_client, site, readers):
    issue = issue_for(site)
    response = editor_client.post(
        review_url(issue), {"action": "schedule", "when": "yesterday"}, follow=True
    )
    assert "Choose the date and time" in words(BeautifulSoup(response.content, "html.parser"))
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = editor_client.post(
        review_url(issue), {"action": "schedule", "when": past}, follow=True
    )
    assert "in the future" in words(BeautifulSoup(response.content, "html.parser"))
    assert not Campaign.objects.filter(status=Campaign.Status.SCHEDULED).exists()
    later = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    editor_client.post(review_url(issue), {"action": "schedule", "when": later})
    campaign = Campaign.objects.get(status=Campaign.Status.SCHEDULED)
    assert campaign.issue_id == issue.pk and Delivery.objects.count() == 0


def test_only_those_who_may_publish_review(client, writer_client, site, readers):
    issue = issue_for(site)
    # Wagtail answers a refused admin page by sending them back to the dashboard.
    for response in (
        writer_client.get(review_url(issue)),
        writer_client.post(review_url(issue), {"action": "send"}),
    ):
        assert (response.status_code, response.url) == (302, "/admin/")
    assert Delivery.objects.count() == 0
    assert client.get(review_url(issue)).status_code == 302  # to sign in
    assert writer_client.get(reverse("newsletter_review:review", args=[999999])).status_code == 404
