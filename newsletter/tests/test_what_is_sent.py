"""What goes out is what is published: a test send, a later draft or line endings typed in a
browser never stop it, and the "Ready to send?" panel counts what will be sent (findings 4,
13 and 17 of issue #10). Driven through the admin as the seeded editor and a writer use it,
``manage.py send_issue`` and the schedule's firing; asserted on the pages, the command's
output and the mail the readers get."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail_newsletter.models import NewsletterRecipients

from home.demo_content import ISSUE_INTRO
from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign, IssuePage
from newsletter.sending.orchestration import send_issue_now
from newsletter.sending.scheduling import run_due_and_stalled, schedule

from .test_issue_admin import edit_form, edit_url, messages_of, newsletter_action, readiness

pytestmark = pytest.mark.django_db
Status = Campaign.Status
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]


@pytest.fixture
def daily():
    mailing_list = daily_list()
    for email in READERS:
        SubscriberFactory(email=email)
    return NewsletterRecipients.objects.create(name="Daily readers", audience=str(mailing_list.pk))


@pytest.fixture
def seeded_issue(site, articles, daily):
    """Today's issue as ``seed_demo`` makes it: published, its intro with ``\\n`` breaks."""
    return IssuePageFactory(
        parent=site[1],
        articles=articles,
        issue_date=timezone.localdate(),
        intro=ISSUE_INTRO,
        newsletter_recipients=daily,
    )


def as_browser_posts(text):
    """A browser posts a textarea's line breaks as CR LF (HTML's form encoding)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def readers_mail():
    return sorted(
        address for message in mail.outbox for address in message.to if address in READERS
    )


def save_draft(client, issue, **changes):
    """The editor's "Save draft" button: the whole form, no action."""
    data = edit_form(client, issue, **changes)
    data["intro"] = as_browser_posts(data["intro"])
    response = client.post(edit_url(issue), data)
    assert response.status_code == 302, messages_of(response)


# Finding 4: a test send does not block the real send


def test_a_test_send_then_send_campaign_sends_the_seeded_issue(editor_client, seeded_issue, daily):
    intro = as_browser_posts(seeded_issue.intro)
    response = newsletter_action(
        editor_client,
        seeded_issue,
        "send_test_email",
        intro=intro,
        newsletter__test__email="lisa@example.com",
    )
    assert "Test message sent to 'lisa@example.com'" in messages_of(response)

    page = editor_client.get(edit_url(seeded_issue))
    assert "not published yet" not in readiness(page)
    assert "Ready to send" in readiness(page)

    response = newsletter_action(
        editor_client,
        seeded_issue,
        "send_campaign",
        intro=intro,
        newsletter_recipients=str(daily.pk),
    )

    assert "Newsletter campaign is now sending" in messages_of(response), messages_of(response)
    assert readers_mail() == sorted(READERS)
    sent = next(m for m in mail.outbox if m.to == [READERS[0]])
    assert "Good morning! Europe's leaders" in sent.body


def test_a_test_send_then_send_issue_sends_the_seeded_issue(editor_client, seeded_issue, capsys):
    newsletter_action(
        editor_client,
        seeded_issue,
        "send_test_email",
        intro=as_browser_posts(seeded_issue.intro),
        newsletter__test__email="lisa@example.com",
    )

    call_command("send_issue")

    assert "Sending" in capsys.readouterr().out
    assert readers_mail() == sorted(READERS)


def test_line_endings_typed_in_a_browser_are_saved_as_newlines(editor_client, seeded_issue):
    save_draft(editor_client, seeded_issue)

    draft = IssuePage.objects.get(pk=seeded_issue.pk).get_latest_revision_as_object()
    assert "\r" not in draft.intro
    assert draft.intro == ISSUE_INTRO


# Finding 13: a later draft never stops what is published


def test_a_writers_draft_does_not_stop_a_scheduled_issue(client, writer, seeded_issue, editor):
    campaign = Campaign.objects.create(
        issue=seeded_issue, subject="Today", audience=seeded_issue.newsletter_recipients.audience
    )
    when = timezone.now() + datetime.timedelta(hours=1)
    schedule(campaign, when, user=editor)

    client.force_login(writer)
    save_draft(client, seeded_issue, intro="A writer's new intro, not approved yet.")
    issue = IssuePage.objects.get(pk=seeded_issue.pk)
    assert issue.has_unpublished_changes

    run_due_and_stalled(when + datetime.timedelta(minutes=1))

    campaign.refresh_from_db()
    assert campaign.status == Status.SENT, campaign.status_note
    assert readers_mail() == sorted(READERS)
    body = next(m for m in mail.outbox if m.to == [READERS[0]]).body
    assert "Good morning! Europe's leaders" in body  # the published intro
    assert "A writer's new intro" not in body
    # The editor is told, on the report, that a newer draft was not sent.
    client.force_login(editor)
    report = client.get(f"/admin/newsletter/campaigns/{campaign.pk}/")
    assert "newer draft" in html.unescape(report.content.decode())


def test_send_issue_sends_the_published_version_and_says_a_draft_was_left_out(
    client, writer, seeded_issue, capsys
):
    client.force_login(writer)
    save_draft(client, seeded_issue, intro="A writer's new intro, not approved yet.")

    call_command("send_issue")

    output = capsys.readouterr()
    assert "newer draft" in output.out + output.err
    assert readers_mail() == sorted(READERS)
    body = next(m for m in mail.outbox if m.to == [READERS[0]]).body
    assert "A writer's new intro" not in body


def test_the_editor_is_warned_of_a_newer_draft_before_sending(
    client, writer, editor_client, seeded_issue
):
    client.force_login(writer)
    save_draft(client, seeded_issue, intro="A writer's new intro, not approved yet.")

    panel = readiness(editor_client.get(edit_url(seeded_issue)))

    assert "newer draft" in panel
    assert "the published version will be sent" in panel
    assert "Ready to send" in panel


def test_a_page_in_review_is_still_refused(editor, seeded_issue):
    from wagtail.models import Workflow

    workflow = Workflow.objects.first()
    workflow.start(seeded_issue, editor)

    with pytest.raises(Exception, match="review workflow"):
        send_issue_now(IssuePage.objects.get(pk=seeded_issue.pk), user=editor)
    assert not mail.outbox


# Finding 17: the panel counts what will be sent, and says when it went


def test_the_panel_counts_the_published_stories_not_the_draft(editor_client, site, articles, daily):
    issue = IssuePageFactory(parent=site[1], articles=articles, issue_date=timezone.localdate())
    data = edit_form(editor_client, issue)
    for row in range(7, 10):
        data[f"stories-{row}-DELETE"] = "1"
    assert editor_client.post(edit_url(issue), data).status_code == 302

    panel = readiness(editor_client.get(edit_url(issue)))

    assert "10 of 10 stories" in panel
    assert "7 of 10" not in panel.split("newer draft")[0]
    assert "newer draft" in panel and "7 stories" in panel
    assert "has 0 of 10" not in panel and "has 7 of 10" not in panel


def test_the_panel_of_a_draft_counts_one_thing(editor_client, site, articles):
    issue = IssuePageFactory(
        parent=site[1], articles=articles[:7], live=False, issue_date=timezone.localdate()
    )
    data = edit_form(editor_client, issue)
    assert editor_client.post(edit_url(issue), data).status_code == 302

    panel = readiness(editor_client.get(edit_url(issue)))

    assert "7 of 10 stories" in panel
    assert "this one has 7 of 10" in panel
    counts = {int(n) for n in __import__("re").findall(r"(\d+) of 10", panel)}
    assert counts == {7}


def test_once_sent_the_panel_says_when_to_how_many_with_the_report(
    settings, editor, editor_client, seeded_issue
):
    settings.TIME_ZONE = "Europe/London"
    campaign = send_issue_now(seeded_issue, user=editor)
    started = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(6, 2))
    )
    Campaign.objects.filter(pk=campaign.pk).update(started_at=started, recipient_count=41_210)

    page = editor_client.get(edit_url(seeded_issue))

    text = readiness(page)
    assert "Sent at 06:02 to 41,210 readers · report" in text
    assert "send it from the Newsletter tab" not in text
    link = (
        BeautifulSoup(page.content, "html.parser")
        .find(attrs={"data-issue-readiness": True})
        .find("a", string="report")
    )
    assert link["href"] == f"/admin/newsletter/campaigns/{campaign.pk}/"
