"""Newsletter > Issues: every issue with its date, where it stands, its stories, who it goes
to and the next thing to do; and the one status those words come from."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list, ten_articles
from newsletter.issues.defaults import default_recipients
from newsletter.issues.status import issue_status, issue_statuses
from newsletter.models import Campaign, IssuePage
from newsletter.sending.orchestration import send_issue_now
from newsletter.sending.scheduling import schedule

pytestmark = pytest.mark.django_db
URL = "/admin/newsletter/issues/"


def words(element):
    return " ".join(html.unescape(element.get_text(" ")).split()) if element else ""


def day(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def readers(db):
    daily = daily_list()
    return [SubscriberFactory(email=f"r{n}@example.org", lists=[daily]) for n in range(3)]


def make_issue(site, offset, count=10, **kwargs):
    news_index, issue_index = site
    return IssuePageFactory(
        parent=issue_index,
        articles=ten_articles(news_index, count) if count else [],
        issue_date=day(offset),
        **kwargs,
    )


def rows(client):
    response = client.get(URL)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return soup, {int(tr["data-issue"]): tr for tr in soup.select("tr[data-issue]")}


def cell(row, name):
    return words(row.find(attrs={f"data-{name}": True}))


def test_each_status_in_the_words_an_editor_reads(site, editor, readers):
    draft = make_issue(site, 2, count=4, live=False)
    short = make_issue(site, 1, count=7)
    ready = make_issue(site, 0)
    scheduled = make_issue(site, -1)
    schedule(
        Campaign.objects.create(issue=scheduled, subject="s", audience="1"),
        timezone.now() + datetime.timedelta(hours=3),
    )
    sent = make_issue(site, -2)
    send_issue_now(sent, user=editor)

    expected = {
        draft: "Draft: not published",
        short: "Needs work before sending",
        ready: "Ready to send",
        scheduled: "Scheduled",
        sent: "Sent",
    }
    in_bulk = issue_statuses(IssuePage.objects.all())
    for issue, label in expected.items():
        one = issue_status(IssuePage.objects.get(pk=issue.pk))
        assert one.label == label
        assert in_bulk[issue.pk].label == label
    assert "7 of 10" in " ".join(issue_status(short).problems)
    assert in_bulk[short.pk].problems == issue_status(short).problems
    # A draft's problems are on the to-do list too, from its latest draft.
    assert any("not published" in p for p in issue_status(draft).problems)


def test_a_draft_story_makes_a_published_issue_need_work(site):
    issue = make_issue(site, 0)
    article = issue.stories.first().article
    article.unpublish()

    status = issue_statuses([IssuePage.objects.get(pk=issue.pk)])[issue.pk]

    assert status.label == "Needs work before sending"
    assert any(article.title in problem for problem in status.problems)


def test_the_list_shows_date_status_stories_recipients_and_links(
    site, editor, editor_client, readers
):
    recipients = default_recipients()
    tomorrow = make_issue(site, 1, count=7, live=False, newsletter_recipients=recipients)
    today = make_issue(site, 0, newsletter_recipients=recipients)
    sent = make_issue(site, -3, newsletter_recipients=recipients)
    campaign = send_issue_now(sent, user=editor)
    unchosen = make_issue(site, -5, count=10)

    soup, found = rows(editor_client)

    assert list(found) == [tomorrow.pk, today.pk, sent.pk, unchosen.pk]  # newest date first
    assert cell(found[tomorrow.pk], "date").endswith("(tomorrow)")
    assert day(1).strftime("%A") in cell(found[tomorrow.pk], "date")
    assert cell(found[today.pk], "date").endswith("(today)")
    assert cell(found[tomorrow.pk], "status") == "Draft: not published"
    assert cell(found[today.pk], "status") == "Ready to send"
    assert cell(found[sent.pk], "status").startswith("Sent")
    assert cell(found[tomorrow.pk], "stories") == "7 of 10"
    assert cell(found[today.pk], "recipients") == "Daily readers (3 readers)"
    assert cell(found[unchosen.pk], "recipients") == "not chosen"

    review = found[today.pk].find("a", string="Review and send")
    assert review["href"] == f"/admin/newsletter/review/{today.pk}/"
    assert found[today.pk].find("a", string="Edit")["href"] == f"/admin/pages/{today.pk}/edit/"
    assert found[sent.pk].find("a", string="Review and send") is None
    report = found[sent.pk].find("a", string="Report")
    assert report["href"] == f"/admin/newsletter/campaigns/{campaign.pk}/"
    assert editor_client.get(report["href"]).status_code == 200

    new = soup.find("a", attrs={"data-new-issue": True})
    assert words(new) == "New issue"
    assert new["href"] == f"/admin/pages/add/newsletter/issuepage/{site[1].pk}/"
    assert editor_client.get(new["href"]).status_code == 200


def test_issues_come_first_in_the_newsletter_menu(editor_client, site):
    text = editor_client.get("/admin/").content.decode()
    # The sidebar is drawn by script from JSON in the page.
    newsletter = text[text.index('"Newsletter"') :]
    assert newsletter.index('"Issues"') < newsletter.index('"Subscribers"')


def test_only_editors_and_moderators_see_it(client, django_user_model, site):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("someone", "s@example.org", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    assert client.get(URL).status_code == 302  # Wagtail's "permission denied" goes home
    assert URL not in client.get("/admin/").content.decode()
    client.logout()
    assert client.get(URL)["Location"].startswith("/admin/login/")


def test_a_page_of_issues_costs_the_same_however_many(site, editor_client, readers):
    recipients = default_recipients()
    counts = []
    for total in (3, 30):
        IssuePage.objects.all().delete()
        for offset in range(total):
            issue = make_issue(
                site, -offset, count=2, live=offset % 3 != 2, newsletter_recipients=recipients
            )
            if offset % 3 == 1:
                Campaign.objects.create(
                    issue=issue, status=Campaign.Status.SENT, started_at=timezone.now()
                )
        with CaptureQueriesContext(connection) as queries:
            _, found = rows(editor_client)
        assert len(found) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]
