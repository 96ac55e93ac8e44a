"""The report pages as visitors and editors get them, their CSV files, and the
``issue_report`` command's output, from the three mornings of ``engagement_setup``."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .engagement_setup import bulk_readers, click, sent_issue, three_mornings

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAGES = [
    ("newsletter_reports:index", []),
    ("newsletter_reports:issue", [TODAY.isoformat()]),
    ("newsletter_reports:across", []),
    ("newsletter_reports:growth", []),
]


@pytest.fixture
def issues(news_index):
    return three_mornings(bulk_readers(10), news_index)


def rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_visitors_are_sent_to_sign_in(client, issues, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_admin_users_who_may_not_publish_are_refused(client, django_user_model, issues, name, args):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("guest", "g@example.com", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code in (302, 403)
    assert b"Readers who clicked" not in response.content


def test_the_reports_menu_lists_sent_issues(editor_client, issues):
    page = editor_client.get(reverse("newsletter_reports:index")).content.decode()
    assert reverse("newsletter_reports:issue", args=[TODAY.isoformat()]) in page
    assert reverse("newsletter_reports:across") in page
    dashboard = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("newsletter_reports:index") in dashboard  # the Newsletter menu's item


def test_the_issue_report_page_shows_people_first(editor_client, issues):
    url = reverse("newsletter_reports:issue", args=[TODAY.isoformat()])
    page = editor_client.get(url).content.decode()
    assert 'data-figure="human_unique">6 (60.0% of those who got it)' in page
    assert 'data-figure="raw">15 (3 by machines, left out above)' in page
    assert "beat its slot, 2.0x the usual for position 2" in page
    assert "5 minutes after sending" in page
    assert page.count('role="img"') == 2
    assert '<title id="chart-stories-title">Readers who clicked each story' in page


def test_the_campaign_report_links_to_the_issue_report(editor_client, issues):
    campaign = issues[2].campaign
    page = editor_client.get(reverse("newsletter_campaigns:report", args=[campaign.pk]))
    url = reverse("newsletter_reports:issue", args=[TODAY.isoformat()])
    assert f'href="{url}"' in page.content.decode()


def test_the_story_table_downloads_as_csv(editor_client, issues):
    url = reverse("newsletter_reports:issue", args=[TODAY.isoformat()])
    response = editor_client.get(url, {"format": "csv", "table": "stories"})
    assert f'filename="issue-{TODAY.isoformat()}-stories.csv"' in response["Content-Disposition"]
    stories = rows(response)
    assert [row["Rank"] for row in stories] == [str(rank) for rank in range(1, 11)]
    first, second = stories[:2]
    assert (first["Readers who clicked"], first["Clicks by people"]) == ("5", "7")
    assert first["All clicks, bots included"] == "10"
    assert (first["Headline clicks"], first["Photo clicks"]) == ("6", "1")
    assert second["Position index"] == "2.000"
    assert second["Click rate"] == "0.4000"
    hours = rows(editor_client.get(url, {"format": "csv", "table": "hours"}))
    assert len(hours) == 24
    assert (hours[0]["Clicks by people"], hours[0]["All clicks, bots included"]) == ("7", "10")


def test_across_issues_and_growth_download_their_tables(editor_client, issues):
    across = reverse("newsletter_reports:across")
    page = editor_client.get(across).content.decode()
    assert "Lisa Marchetti" in page
    curve = rows(editor_client.get(across, {"format": "csv", "table": "positions"}))
    assert curve[1] == {"Rank": "2", "Usual click rate (median)": "0.2000", "Issues counted": "3"}
    beat = rows(editor_client.get(across, {"format": "csv", "table": "beat-their-slot"}))
    assert [(row["Rank"], row["Position index"]) for row in beat] == [
        ("2", "2.000"),
        ("1", "1.200"),
    ]
    authors = rows(editor_client.get(across, {"format": "csv", "table": "by-author"}))
    assert authors[0]["Author"] == "Lisa Marchetti"
    growth = reverse("newsletter_reports:growth")
    assert editor_client.get(growth, {"days": "7"}).status_code == 200
    days = rows(editor_client.get(growth, {"days": "7", "format": "csv", "table": "days"}))
    assert len(days) == 7
    assert days[-1]["Active at the end of the day"] == "10"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/newsletter/reports/issues/2001-01-01/",
        "/admin/newsletter/reports/issues/yesterday/",
        f"/admin/newsletter/reports/issues/{TODAY.isoformat()}/?format=csv&table=nope",
    ],
)
def test_unknown_issues_and_tables_are_not_found(editor_client, issues, url):
    assert editor_client.get(url).status_code == 404


def test_odd_periods_fall_back_to_the_default(editor_client, issues):
    for days in ("abc", "-1", "100000"):
        response = editor_client.get(reverse("newsletter_reports:growth"), {"days": days})
        assert response.status_code == 200
        assert 'aria-current="page">90 days' in response.content.decode()


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_issue_report_page_costs_the_same_queries_for_one_click_or_many(editor_client, db):
    readers = bulk_readers(40)
    small = sent_issue(TODAY - datetime.timedelta(days=9), readers[:1])
    click(small, 1, small.deliveries)
    url = reverse("newsletter_reports:issue", args=[small.issue_date.isoformat()])
    editor_client.get(url)  # the session and the admin's caches warm up
    few = page_queries(editor_client, url)
    for rank in range(1, 11):
        click(small, rank, small.deliveries, times=20)
    big = sent_issue(TODAY, readers)
    for rank in range(1, 11):
        click(big, rank, big.deliveries, times=3)
    many = page_queries(
        editor_client, reverse("newsletter_reports:issue", args=[big.issue_date.isoformat()])
    )
    assert few == many == 25


def test_the_command_prints_the_report_as_json(issues, capsys):
    call_command("issue_report", TODAY.isoformat(), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["date"] == TODAY.isoformat()
    assert report["delivered"] == 10
    assert report["clicks"] == {"human_unique": 6, "human": 12, "raw": 15}
    first, second = report["stories"][:2]
    assert first["rank"] == 1 and first["title"] == "Story number 1"
    assert first["url"] == issues[2].stories[0]["url"]
    assert first["clicks"] == {"human_unique": 5, "human": 7, "raw": 10}
    assert first["position_index"] == pytest.approx(1.0)
    assert second["position_index"] == pytest.approx(2.0)
    assert report["stories"][2]["position_index"] is None


def test_the_command_prints_a_table_without_json(issues, capsys):
    call_command("issue_report", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "readers who clicked 6; clicks by people 12; all clicks, bots included 15" in out
    assert " 2. Story number 2" in out and "index 2.00" in out


@pytest.mark.parametrize(
    ("day", "message"),
    [("2001-01-01", "No issue was sent on 2001-01-01."), ("tomorrow", "a day like 2026-11-23")],
)
def test_the_command_refuses_a_day_without_an_issue(issues, day, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_report", day, "--json")
