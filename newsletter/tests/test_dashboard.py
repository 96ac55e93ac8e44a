"""The morning routine in the admin: the dashboard's "Today's issue" panel."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign, Subscriber
from newsletter.rules import date_words
from newsletter.sending.orchestration import send_issue_now
from newsletter.sending.scheduling import schedule
from newsletter.views.dashboard import morning_context

from .dashboard_setup import (
    PANEL_QUERIES,
    SENT_TODAY_QUERIES,
    dashboard_panel,
    link,
    other_articles,
    readers,
    todays_issue,
    words,
)

pytestmark = pytest.mark.django_db
__all__ = ["readers"]


# The dashboard: the morning's to-do list


def test_no_issue_today_says_how_to_make_one(editor_client, site, readers, settings):
    settings.NEWSLETTER_PREPARE_AT = "17:00"
    panel = dashboard_panel(editor_client)

    assert panel.find("h2").get_text(strip=True) == "This morning"
    assert "There is no issue for today yet" in words(panel.find(attrs={"data-today": True}))
    add = link(panel, "Create today's issue")
    assert add["href"] == f"/admin/pages/add/newsletter/issuepage/{site[1].pk}/"
    assert editor_client.get(add["href"]).status_code == 200
    tomorrow = words(panel.find(attrs={"data-tomorrow": True}))
    assert "Not started yet. The task worker prepares a draft at 17:00" in tomorrow
    assert "3 active subscribers" in words(panel)
    assert "Last issue sent" not in words(panel)


def test_new_article_and_new_issue_open_their_add_forms(editor_client, site):
    news_index, archive = site
    panel = dashboard_panel(editor_client)
    actions = panel.find(attrs={"data-morning-actions": True})

    article = link(actions, "New article")
    issue = link(actions, "New issue")

    assert article["href"] == f"/admin/pages/add/news/articlepage/{news_index.pk}/"
    assert issue["href"] == f"/admin/pages/add/newsletter/issuepage/{archive.pk}/"
    for href, field in ((article["href"], "summary"), (issue["href"], "issue_date")):
        form = BeautifulSoup(editor_client.get(href).content, "html.parser")
        assert form.find(attrs={"name": field}) is not None


def test_a_draft_of_seven_lists_what_is_left_with_what_to_do(editor_client, site, readers):
    issue = todays_issue(site, count=7, live=False)

    panel = dashboard_panel(editor_client)
    today = panel.find(attrs={"data-today": True})

    assert "7 of 10 stories" in words(today)
    assert words(today.find(attrs={"data-status": True})) == "Draft: not published."
    problems = [words(li) for li in today.find(attrs={"data-problems": True}).find_all("li")]
    assert problems == [
        "This issue is not published: publish it first. What is sent is what is published.",
        "An issue needs exactly 10 stories; this one has 7 of 10.",
    ]
    assert link(today, "Edit")["href"] == f"/admin/pages/{issue.pk}/edit/"
    review = link(today, "Review and send")
    assert review["href"] == f"/admin/newsletter/review/{issue.pk}/"
    assert editor_client.get(review["href"]).status_code == 200
    email = editor_client.get(link(today, "Preview the email")["href"])
    assert email.status_code == 200
    assert "Story number 7" in email.content.decode()


def test_a_draft_story_is_a_problem_named_with_what_to_do(editor_client, site, readers):
    issue = todays_issue(site)
    story = issue.stories.first().article
    story.unpublish()

    today = dashboard_panel(editor_client).find(attrs={"data-today": True})

    assert words(today.find(attrs={"data-status": True})) == "Needs work before sending."
    problems = words(today.find(attrs={"data-problems": True}))
    assert f'"{story.title}" is not published: publish it or choose another article.' in problems


def test_a_ready_issue_has_no_problems_and_leads_to_review(editor_client, site, readers):
    issue = todays_issue(site)

    today = dashboard_panel(editor_client).find(attrs={"data-today": True})

    assert words(today.find(attrs={"data-status": True})) == "Ready to send."
    assert today.find(attrs={"data-problems": True}) is None
    assert link(today, "Review and send")["href"] == f"/admin/newsletter/review/{issue.pk}/"


def test_sent_today_says_when_and_to_how_many(editor, editor_client, site, readers):
    issue = todays_issue(site)
    campaign = send_issue_now(issue, user=editor)
    started = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(6, 2))
    )
    Campaign.objects.filter(pk=campaign.pk).update(started_at=started)
    # Bob left after the send began (a minute after, whatever the hour the test runs at).
    Subscriber.objects.filter(email="bob@example.org").update(
        status=Subscriber.Status.UNSUBSCRIBED,
        unsubscribed_at=started + datetime.timedelta(minutes=1),
    )

    panel = dashboard_panel(editor_client)
    today = panel.find(attrs={"data-today": True})

    assert "10 of 10 stories" in words(today)
    status = words(today.find(attrs={"data-status": True}))
    assert status == "Sent at 06:02 to 3 readers. See its report"
    assert "not sent" not in words(panel).lower()
    assert not [a for a in today.find_all("a") if "Review and send" in words(a)]
    assert link(today, "See its report")["href"] == f"/admin/newsletter/campaigns/{campaign.pk}/"
    # The last issue sent is named by the date it was for, and opens its report.
    heading = panel.find(attrs={"data-last": True})
    day = timezone.localdate()
    assert words(heading) == f"Last issue sent: {date_words(day, day)}"
    report = words(panel.find(attrs={"data-last-report": True}))
    assert "3 of 3 sent, 0 failed, 0 bounced, 1 unsubscribed since" in report
    assert link(panel.find(attrs={"data-last-report": True}), "Open its report")["href"] == (
        f"/admin/newsletter/campaigns/{campaign.pk}/"
    )
    assert "2 active subscribers" in words(panel)


def test_the_last_issue_is_named_by_its_date_not_the_day_it_went(
    editor, editor_client, site, readers
):
    """Tomorrow's issue sent early today: the dashboard names it tomorrow's, and today's
    issue is still to do."""
    news_index, archive = site
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    early = IssuePageFactory(
        parent=archive, articles=other_articles(news_index, 10, "Early"), issue_date=tomorrow
    )
    send_issue_now(early, user=editor)

    panel = dashboard_panel(editor_client)

    heading = panel.find(attrs={"data-last": True})
    assert words(heading) == f"Last issue sent: {date_words(tomorrow, today)}"
    assert "(tomorrow)" in words(heading)
    assert "There is no issue for today yet" in words(panel.find(attrs={"data-today": True}))
    assert "Sent" in words(panel.find(attrs={"data-tomorrow": True}))


def test_tomorrows_draft_is_listed_with_a_link_to_edit_it(editor_client, site, readers):
    news_index, archive = site
    todays_issue(site)
    tomorrow = IssuePageFactory(
        parent=archive,
        articles=other_articles(news_index, 4, "Tomorrow"),
        issue_date=timezone.localdate() + datetime.timedelta(days=1),
        live=False,
    )

    line = dashboard_panel(editor_client).find(attrs={"data-tomorrow": True})

    assert "4 of 10 stories · Draft: not published." in words(line)
    assert link(line, "Edit tomorrow's issue")["href"] == f"/admin/pages/{tomorrow.pk}/edit/"


def test_without_tomorrows_issue_it_offers_to_create_it(editor_client, site, readers):
    todays_issue(site)

    line = dashboard_panel(editor_client).find(attrs={"data-tomorrow": True})

    create = link(line, "Create tomorrow's issue")
    form = BeautifulSoup(editor_client.get(create["href"]).content, "html.parser")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert form.find(attrs={"name": "issue_date"})["value"] == tomorrow.isoformat()


def test_a_scheduled_issue_shows_its_time(editor_client, site, readers):
    issue = todays_issue(site)
    when = timezone.localtime() + datetime.timedelta(hours=2)
    campaign = Campaign.objects.create(issue=issue, subject="Today", audience="1")
    schedule(campaign, when)

    status = words(dashboard_panel(editor_client).find(attrs={"data-status": True}))

    assert status.startswith("Scheduled to go out ")
    assert when.strftime("%H:%M") in status


def test_paused_readers_are_counted_apart(editor_client, site, readers):
    Subscriber.objects.filter(email="cy@example.net").update(paused=True)

    panel = dashboard_panel(editor_client)

    assert "3 active subscribers (2 receiving today" in words(panel)


def test_people_who_cannot_send_issues_do_not_see_it(client, writer, site):
    client.force_login(writer)

    assert dashboard_panel(client) is None


def many_sent_issues(site, editor, count, first=1, articles=None):
    """``count`` issues on the days before today (from ``first`` days ago), each sent."""
    news_index, archive = site
    articles = articles or other_articles(news_index, 10, "Earlier")
    today = timezone.localdate()
    for n in range(first, first + count):
        issue = IssuePageFactory(
            parent=archive, articles=articles, issue_date=today - datetime.timedelta(days=n)
        )
        send_issue_now(issue, user=editor)


@pytest.mark.parametrize("earlier", [1, 10])
def test_the_panel_costs_the_same_however_many_issues(
    earlier, editor, site, readers, django_assert_num_queries
):
    """Today's issue sent, tomorrow's a draft, and 1 or 10 issues sent before: the same
    queries (the issues of two days, two statuses, the readers, the last send's report)."""
    many_sent_issues(site, editor, earlier)
    send_issue_now(todays_issue(site), user=editor)
    news_index, archive = site
    IssuePageFactory(
        parent=archive,
        articles=other_articles(news_index, 3, "Tomorrow"),
        issue_date=timezone.localdate() + datetime.timedelta(days=1),
        live=False,
    )

    with django_assert_num_queries(PANEL_QUERIES):
        context = morning_context()

    assert context["today_issue"].status.key == "sent"
    assert context["tomorrow_issue"].status.key == "draft"


def test_the_whole_dashboard_costs_the_same_with_1_or_10_issues(
    editor, editor_client, site, readers, django_assert_num_queries
):
    articles = other_articles(site[0], 10, "Earlier")
    many_sent_issues(site, editor, 1, articles=articles)
    send_issue_now(todays_issue(site), user=editor)
    assert dashboard_panel(editor_client) is not None  # once, for what Wagtail keeps
    with CaptureQueriesContext(connection) as with_one:
        dashboard_panel(editor_client)

    many_sent_issues(site, editor, 9, first=2, articles=articles)

    with django_assert_num_queries(len(with_one)):
        panel = dashboard_panel(editor_client)
    assert "Sent at" in words(panel.find(attrs={"data-status": True}))


def test_the_panel_costs_the_same_however_many_readers_and_campaigns(
    editor, site, readers, django_assert_num_queries
):
    issue = todays_issue(site)
    send_issue_now(issue, user=editor)
    with django_assert_num_queries(SENT_TODAY_QUERIES):
        morning_context()

    daily = daily_list()
    for n in range(20):
        SubscriberFactory(email=f"more{n}@example.org", lists=[daily])
    for n in range(5):
        Campaign.objects.create(issue=issue, subject=f"Old draft {n}")
    with django_assert_num_queries(SENT_TODAY_QUERIES):
        morning_context()


# The Campaigns list and a send's report
