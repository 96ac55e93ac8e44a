"""The morning routine in the admin: the dashboard's "Today's issue" panel, the Campaigns
list, and a send's report page with its progress bar and Pause / Resume / Cancel."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.sending.orchestration import send_issue_now
from newsletter.sending.scheduling import schedule
from newsletter.views.dashboard import today_context

from .issue_setup import make_articles

pytestmark = pytest.mark.django_db
Status = Campaign.Status
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]


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


@pytest.fixture
def writer(client, django_user_model):
    """May edit pages but not publish them, so may not send issues."""
    writers = Group.objects.create(name="Writers")
    writers.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=writers, page=Page.get_first_root_node(), permission_type="change"
    )
    user = django_user_model.objects.create_user("wri", "wri@example.com", "pw")
    user.groups.add(writers)
    return user


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


# The dashboard


def test_no_issue_today_says_how_to_make_one(editor_client, site, readers):
    panel = dashboard_panel(editor_client)

    assert "There is no issue for today" in words(panel)
    assert "python manage.py prepare_issue" in words(panel)
    add = link(panel, "Create today's issue")
    assert add["href"] == f"/admin/pages/add/newsletter/issuepage/{site[1].pk}/"
    assert editor_client.get(add["href"]).status_code == 200
    assert "3 active subscribers" in words(panel)


def test_a_draft_of_seven_shows_how_far_along_it_is(editor_client, site, readers):
    issue = todays_issue(site, count=7, live=False)

    panel = dashboard_panel(editor_client)

    assert "7 of 10 stories" in words(panel)
    assert "draft, not published" in words(panel)
    assert "Not sent yet" in words(panel)
    assert "exactly 10 stories; this one has 7 of 10" in words(panel)
    edit = link(panel, "Edit")
    assert edit["href"] == f"/admin/pages/{issue.pk}/edit/"
    preview = link(panel, "Preview the email")
    email = editor_client.get(preview["href"])
    assert email.status_code == 200
    assert "Story number 7" in email.content.decode()
    assert "<mj-" not in email.content.decode()


def test_sent_issue_and_last_report(editor, editor_client, site, readers):
    issue = todays_issue(site)
    campaign = send_issue_now(issue, user=editor)
    Subscriber.objects.filter(email="bob@example.org").update(
        status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )

    panel = dashboard_panel(editor_client)

    assert "10 of 10 stories" in words(panel)
    assert "Campaign: Sent" in words(panel)
    report = words(panel.find(attrs={"data-last-report": True}))
    assert "3 of 3 sent, 0 failed, 0 bounced, 1 unsubscribed since" in report
    assert panel.find("a", href=f"/admin/newsletter/campaigns/{campaign.pk}/")
    assert "2 active subscribers" in words(panel)


def test_a_scheduled_issue_shows_its_time(editor_client, site, readers):
    issue = todays_issue(site)
    when = timezone.now() + datetime.timedelta(hours=2)
    campaign = Campaign.objects.create(issue=issue, subject="Today", audience="1")
    schedule(campaign, when)

    status = words(dashboard_panel(editor_client).find(attrs={"data-campaign-status": True}))

    assert status.startswith("Campaign: Scheduled for")
    assert "(in 1 hour" in status or "(in 2 hours" in status


def test_paused_readers_are_counted_apart(editor_client, site, readers):
    Subscriber.objects.filter(email="cy@example.net").update(paused=True)

    panel = dashboard_panel(editor_client)

    assert "3 active subscribers (2 receiving today" in words(panel)


def test_people_who_cannot_send_issues_do_not_see_it(client, writer, site):
    client.force_login(writer)

    assert dashboard_panel(client) is None


def test_the_panel_costs_the_same_however_many_readers_and_sends(
    editor, site, readers, django_assert_num_queries
):
    issue = todays_issue(site)
    send_issue_now(issue, user=editor)
    with django_assert_num_queries(7):
        today_context()

    daily = daily_list()
    for n in range(20):
        SubscriberFactory(email=f"more{n}@example.org", lists=[daily])
    for n in range(5):
        Campaign.objects.create(issue=issue, subject=f"Old draft {n}")
    with django_assert_num_queries(7):
        today_context()


# The Campaigns list and a send's report


def test_the_campaigns_list(editor, editor_client, site, readers):
    issue = todays_issue(site)
    campaign = send_issue_now(issue, user=editor)

    response = editor_client.get("/admin/newsletter/campaigns/")

    assert response.status_code == 200
    table = words(BeautifulSoup(response.content, "html.parser").find("table", "listing"))
    assert campaign.subject in table and "Sent" in table and issue.title in table
    assert b'"/admin/newsletter/campaigns/"' in editor_client.get("/admin/").content


def test_the_campaigns_list_pages_by_fifty(editor_client, django_assert_max_num_queries):
    Campaign.objects.bulk_create(Campaign(subject=f"Draft {n:02d}") for n in range(60))

    with django_assert_max_num_queries(20):
        first = editor_client.get("/admin/newsletter/campaigns/")
    second = editor_client.get("/admin/newsletter/campaigns/", {"p": 2})

    assert "Page 1 of 2" in words(BeautifulSoup(first.content, "html.parser"))
    rows = BeautifulSoup(second.content, "html.parser").select("table.listing tbody tr")
    assert len(rows) == 10


def test_the_campaign_pages_are_for_people_who_may_send(client, writer, editor, site, readers):
    campaign = send_issue_now(todays_issue(site), user=editor)
    client.force_login(writer)

    # Wagtail turns "permission denied" into a message on the dashboard.
    for url in (
        "/admin/newsletter/campaigns/",
        f"/admin/newsletter/campaigns/{campaign.pk}/",
        f"/admin/newsletter/campaigns/{campaign.pk}/progress/",
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [("/admin/", 302)]
        assert "Sorry, you do not have permission" in " ".join(messages_of(response))
    assert client.post(f"/admin/newsletter/campaigns/{campaign.pk}/cancel/").url == "/admin/"
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT
    assert b'"/admin/newsletter/campaigns/"' not in client.get("/admin/").content


def test_pause_resume_while_sending(editor, editor_client, site, readers, monkeypatch):
    campaign = started_without_worker(todays_issue(site), editor, monkeypatch)
    url = f"/admin/newsletter/campaigns/{campaign.pk}/"

    page = editor_client.get(url)
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.find("progress")["value"] == "0"
    assert soup.find("progress").find_next("p").get_text().startswith("0 of 3 sent (0%)")
    assert soup.find(attrs={"data-refreshing": True})  # the page follows the send
    assert [words(b) for b in soup.select("form button")] == ["Pause", "Cancel the rest"]
    progress = editor_client.get(f"{url}progress/").json()
    assert (progress["status"], progress["recipients"], progress["pending"]) == ("sending", 3, 3)

    assert editor_client.get(f"{url}pause/").status_code == 405
    response = editor_client.post(f"{url}pause/", follow=True)
    assert "Sending is paused. Resume it when you're ready." in messages_of(response)
    campaign.refresh_from_db()
    assert campaign.status == Status.PAUSED
    soup = BeautifulSoup(response.content, "html.parser")
    assert [words(b) for b in soup.select("form button")] == ["Resume", "Cancel the rest"]
    assert not mail.outbox

    response = editor_client.post(f"{url}resume/", follow=True)
    assert "Sending has resumed." in messages_of(response)
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(READERS)
    figures = words(BeautifulSoup(response.content, "html.parser").find("dl"))
    assert "Recipients 3 Sent 3 Failed 0 Bounced 0 Still to send 0" in figures


def test_cancel_stops_the_rest(editor, editor_client, site, readers, monkeypatch):
    campaign = started_without_worker(todays_issue(site), editor, monkeypatch)
    url = f"/admin/newsletter/campaigns/{campaign.pk}/"

    response = editor_client.post(f"{url}cancel/", follow=True)

    assert "Sending is cancelled: nobody else will get this issue." in messages_of(response)
    campaign.refresh_from_db()
    assert campaign.status == Status.CANCELLED
    assert not mail.outbox
    # Nothing is offered any more, and asking anyway is refused in words.
    assert not BeautifulSoup(response.content, "html.parser").select("form button")
    response = editor_client.post(f"{url}resume/", follow=True)
    assert "Resume isn't possible now: this campaign is cancelled." in messages_of(response)
    assert editor_client.post(f"{url}explode/").status_code == 404


def test_a_send_that_missed_its_time_waits_for_an_editor(editor, editor_client, site, readers):
    issue = todays_issue(site)
    campaign = Campaign.objects.create(
        issue=issue,
        subject="Today",
        status=Status.WAITING,
        scheduled_for=timezone.now() - datetime.timedelta(hours=9),
        status_note="Missed its time (07:00) by 9 hours, so it was not sent late.",
    )
    url = f"/admin/newsletter/campaigns/{campaign.pk}/"

    page = BeautifulSoup(editor_client.get(url).content, "html.parser")
    assert "Missed its time (07:00) by 9 hours" in words(page)
    assert [words(b) for b in page.select("form button")] == [
        "Send it now",
        "Unschedule",
        "Cancel the rest",
    ]

    response = editor_client.post(f"{url}send_now/", follow=True)

    assert "The issue is now sending." in messages_of(response)
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT
    assert campaign.started_by == editor
    assert Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT).count() == 3
