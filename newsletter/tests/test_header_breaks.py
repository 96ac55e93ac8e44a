"""A line break in an issue's subject or the sender name (finding 12 of issue #10): the
forms refuse it with words, and a message that still can't be built (a row saved before they
did) stops its send once, visibly, instead of failing in every task for ever."""

import html

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from core.pagecache.generation import forget_memos
from newsletter.factories import SubscriberFactory, daily_list
from newsletter.models import (
    Campaign,
    Delivery,
    IssuePage,
    IssueSnapshot,
    NewsletterSettings,
    Subscriber,
)
from newsletter.sending.orchestration import send_issue_now
from newsletter.sending.scheduling import run_due_and_stalled
from newsletter.sending.worker import deliver_campaign

from .test_issue_admin import edit_form, edit_url

pytestmark = pytest.mark.django_db
READERS = ["ann@example.org", "bob@example.org"]
BROKEN = "Today's Top Ten\r\nBcc: everyone@example.net"
ONE_LINE = "Write this on one line, without line breaks or tabs"


@pytest.fixture
def issue(issue):
    """The shared issue, for two readers on the Daily list."""
    daily = daily_list()
    for email in READERS:
        SubscriberFactory(email=email, lists=[daily])
    return issue


def page_text(response):
    return html.unescape(response.content.decode())


def test_a_subject_with_a_line_break_is_refused_by_the_issue_form(editor_client, issue):
    data = edit_form(editor_client, issue, newsletter_subject=BROKEN, action__publish="1")

    response = editor_client.post(edit_url(issue), data)

    assert response.status_code == 200
    assert ONE_LINE in page_text(response)
    saved = IssuePage.objects.get(pk=issue.pk)
    assert saved.newsletter_subject == ""
    assert "Bcc" not in saved.get_latest_revision_as_object().newsletter_subject


def test_a_sender_name_with_a_line_break_is_refused_by_the_settings_form(admin_client):
    url = reverse("wagtailsettings:edit", args=["newsletter", "newslettersettings"])
    page = admin_client.get(url, follow=True)
    data = querydict_from_html(page.content.decode(), form_id="w-editor-form")
    data["from_name"] = "Lisa's Top Ten\nBcc: everyone@example.net"

    response = admin_client.post(page.request["PATH_INFO"], data)

    assert response.status_code == 200
    assert ONE_LINE in page_text(response)
    forget_memos()
    assert NewsletterSettings.load().from_name == "Lisa's Top Ten"


def break_sender_name():
    """A sender name saved before the form refused line breaks."""
    NewsletterSettings.load()
    NewsletterSettings.objects.update(from_name="Lisa's Top Ten\r\nBcc: all@example.net")
    forget_memos()


def test_send_issue_refuses_a_message_that_cannot_be_built_and_changes_nothing(issue):
    break_sender_name()

    with pytest.raises(CommandError, match="could not be put together"):
        call_command("send_issue")

    assert not IssueSnapshot.objects.exists()
    assert not Delivery.objects.exists()
    assert not Campaign.objects.exclude(status=Campaign.Status.DRAFT).exists()
    assert not mail.outbox


def test_a_send_whose_message_cannot_be_built_fails_once_with_the_reason(
    settings, issue, editor, editor_client
):
    # The send started (rows frozen) before the sender name went bad; the worker runs after.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    campaign = send_issue_now(issue, user=editor)
    break_sender_name()

    deliver_campaign(campaign.pk)
    again = run_due_and_stalled()

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.FAILED
    assert again["resumed"] == 0  # nothing left for a task to retry
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    assert not mail.outbox
    report = page_text(editor_client.get(f"/admin/newsletter/campaigns/{campaign.pk}/"))
    assert "Failed" in report
    assert "could not be put together" in report and "sender name" in report
    assert "Failed 2" in " ".join(report.split()) or ">2<" in report


def test_a_confirmation_that_cannot_be_built_is_recorded_not_lost(client):
    break_sender_name()

    response = client.post(
        "/newsletter/subscribe/", {"email": "new@example.org", "website": "", "source_url": "/"}
    )

    assert response.status_code == 200
    assert not mail.outbox
    reader = Subscriber.objects.with_email("new@example.org").get()
    # Recorded on the reader's history, and the sign-up window is free to ask again.
    from wagtail.models import ModelLogEntry

    entries = ModelLogEntry.objects.filter(
        object_id=str(reader.pk), action="newsletter.mail_failed"
    )
    assert entries.exists()
    assert reader.signup_mail_sent_at is None
