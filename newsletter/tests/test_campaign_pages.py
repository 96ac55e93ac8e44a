"""The Campaigns list and a send's report page with its progress bar and Pause / Resume /
Cancel."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from newsletter.models import Campaign, Delivery
from newsletter.sending.orchestration import send_issue_now

from .dashboard_setup import (
    READERS,
    Status,
    messages_of,
    readers,
    started_without_worker,
    todays_issue,
    words,
)

pytestmark = pytest.mark.django_db
__all__ = ["readers"]


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
