"""An editor who is not a superuser assembles, previews, tests and sends today's issue through
the real Wagtail admin views, as the browser would post them."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import DatabaseError
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html
from wagtail_newsletter.models import NewsletterRecipients

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign, Delivery, IssuePage

from .conftest import text

pytestmark = pytest.mark.django_db
Status = Campaign.Status
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]


@pytest.fixture
def daily():
    mailing_list = daily_list()
    for email in READERS:
        SubscriberFactory(email=email)
    return NewsletterRecipients.objects.create(name="Daily readers", audience=str(mailing_list.pk))


def issue_form(articles, day, action="action-publish"):
    data = nested_form_data(
        {
            "title": f"Issue of {day:%d %B %Y}",
            "slug": day.isoformat(),
            "issue_date": day.isoformat(),
            "preheader": "",
            "intro": "Good morning! Ten stories that matter today.",
            "stories": inline_formset(
                [{"article": a.pk, "headline": "", "blurb": ""} for a in articles]
            ),
            "newsletter_recipients": "",
            "newsletter_subject": "",
        }
    )
    if action:
        data[action] = "1"
    return data


def edit_url(issue):
    return f"/admin/pages/{issue.pk}/edit/"


def edit_form(client, issue, **changes):
    """The edit form exactly as the editor's browser would post it, with ``changes``."""
    response = client.get(edit_url(issue))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for name, value in changes.items():
        data[name.replace("__", "-")] = value
    return data


def newsletter_action(client, issue, action, **changes):
    """Click a button of the Newsletter tab: the whole edit form is posted with it."""
    data = edit_form(client, issue, **{"newsletter-action": action}, **changes)
    return client.post(edit_url(issue), data, follow=True)


def messages_of(response):
    return [html.unescape(str(message)).strip() for message in response.context["messages"]]


def readiness(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.find(attrs={"data-issue-readiness": True}).get_text(" ").split())


def panel(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.find(class_="wn-panel").get_text(" ").split())


def test_editor_assembles_previews_tests_and_sends_todays_issue(
    editor, editor_client, site, articles, daily
):
    assert not editor.is_superuser
    today = timezone.localdate()
    add_url = f"/admin/pages/add/newsletter/issuepage/{site[1].pk}/"
    assert "0 of 10 stories" in readiness(editor_client.get(add_url))

    # A draft of seven: the editor sees how far along it is and why it can't go yet.
    response = editor_client.post(add_url, issue_form(articles[:7], today, action=None))
    assert response.status_code == 302, messages_of(response)
    issue = IssuePage.objects.get(issue_date=today)
    page = editor_client.get(edit_url(issue))
    assert "7 of 10 stories" in readiness(page)
    assert "exactly 10 stories; this one has 7 of 10" in readiness(page)

    # Three more chosen (the chooser adds rows to the form), and published.
    data = edit_form(editor_client, issue, action__publish="1")
    assert data["stories-TOTAL_FORMS"] == "7"
    for row, article in enumerate(articles[7:], start=7):
        data.update(
            {
                f"stories-{row}-article": article.pk,
                f"stories-{row}-ORDER": row,
                f"stories-{row}-id": "",
                f"stories-{row}-DELETE": "",
            }
        )
    data["stories-TOTAL_FORMS"] = "10"
    response = editor_client.post(edit_url(issue), data)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.live
    assert [story.article for story in issue.stories.all()] == articles
    page = editor_client.get(edit_url(issue))
    assert "10 of 10 stories" in readiness(page)
    assert "Ready to send" in readiness(page)
    assert "Review and send" in panel(page)

    # Preview as an email: Wagtail's preview panel posts the form, then shows the mode.
    preview_url = f"/admin/pages/{issue.pk}/edit/preview/"
    assert editor_client.post(preview_url, edit_form(editor_client, issue)).json()["is_valid"]
    preview = editor_client.get(preview_url, {"mode": "newsletter"})
    assert preview.status_code == 200
    email_html = preview.content.decode()
    assert all(article.title in email_html for article in articles)
    assert "<mj-" not in email_html  # MJML was rendered to HTML

    # A test to the editor's own address.
    response = newsletter_action(
        editor_client, issue, "send_test_email", newsletter__test__email="lisa@example.com"
    )
    assert "Test message sent to 'lisa@example.com'" in messages_of(response)
    [test] = mail.outbox
    assert test.to == ["lisa@example.com"]
    assert test.subject.startswith("[Test] ")
    assert "1." in test.body and "10." in test.body
    test_html, mimetype = test.alternatives[0]
    assert mimetype == "text/html"
    assert articles[0].title in test_html
    assert "[[" not in test_html and "[[" not in test.body  # personal links filled in
    # The button saved a draft identical to what is published: still ready to send.
    assert "Ready to send" in readiness(editor_client.get(edit_url(issue)))

    # Send it to the Daily readers.
    response = newsletter_action(
        editor_client, issue, "send_campaign", newsletter_recipients=str(daily.pk)
    )
    assert "Newsletter campaign is now sending" in messages_of(response), messages_of(response)
    sent = [message for message in mail.outbox if message is not test]
    assert sorted(address for message in sent for address in message.to) == sorted(READERS)
    assert all("[Test]" not in message.subject for message in sent)

    issue.refresh_from_db()
    campaign = Campaign.objects.get(pk=issue.newsletter_campaign)
    assert campaign.issue_id == issue.pk
    assert campaign.started_by == editor
    assert campaign.snapshot is not None
    assert not issue.has_unpublished_changes  # the chosen recipients were published with it
    assert issue.live_revision.as_object().newsletter_recipients == daily

    # The Newsletter tab shows the report, not the buttons.
    page = editor_client.get(edit_url(issue))
    assert page.status_code == 200
    assert "Review and send" not in panel(page)
    assert "Emails sent: 3" in panel(page)

    # And so does the campaign's own page.
    report = editor_client.get(f"/admin/newsletter/campaigns/{campaign.pk}/")
    assert report.status_code == 200
    figures = BeautifulSoup(report.content, "html.parser").find("dl").get_text(" ", strip=True)
    assert "Recipients 3" in figures and "Sent 3" in figures and "Failed 0" in figures

    # A second click (another tab, a retried request) sends nothing.
    response = newsletter_action(editor_client, issue, "send_campaign")
    assert any("can't be changed or sent again" in m for m in messages_of(response))
    assert len(mail.outbox) == 1 + len(READERS)


def test_nine_stories_are_refused_with_the_reason(editor_client, site, articles, daily):
    issue = IssuePageFactory(parent=site[1], articles=articles[:9])

    response = newsletter_action(
        editor_client, issue, "send_campaign", newsletter_recipients=str(daily.pk)
    )

    assert any("exactly 10 stories; this one has 9 of 10" in m for m in messages_of(response))
    assert not mail.outbox
    assert not Delivery.objects.exists()
    assert not Campaign.objects.exclude(status=Status.DRAFT).exists()


def test_unpublished_changes_are_not_sent_and_the_editor_is_told(editor_client, issue, daily):
    response = newsletter_action(
        editor_client,
        issue,
        "send_campaign",
        newsletter_recipients=str(daily.pk),
        intro="A new intro nobody has published.",
    )

    assert "Newsletter campaign is now sending" in messages_of(response), messages_of(response)
    assert mail.outbox and all("A new intro" not in m.body for m in mail.outbox)
    assert "newer draft" in panel(response)


def test_sending_without_recipients_asks_for_them(editor_client, issue, daily):
    response = newsletter_action(editor_client, issue, "send_campaign")

    assert any("Choose recipients in the Newsletter tab" in m for m in messages_of(response))
    assert not mail.outbox


def test_schedule_then_unschedule_through_the_panel(editor_client, issue, daily):
    when = timezone.localtime() + datetime.timedelta(hours=3)

    response = newsletter_action(
        editor_client,
        issue,
        "schedule_campaign",
        newsletter_recipients=str(daily.pk),
        newsletter__schedule__schedule_time=f"{when:%Y-%m-%d %H:%M}",
    )

    assert any("Campaign scheduled to send at" in m for m in messages_of(response)), messages_of(
        response
    )
    issue.refresh_from_db()
    campaign = Campaign.objects.get(pk=issue.newsletter_campaign)
    assert campaign.status == Status.SCHEDULED
    assert campaign.scheduled_for.replace(second=0, microsecond=0) == when.replace(
        second=0, microsecond=0
    )
    page = editor_client.get(edit_url(issue))
    assert "Unschedule" in panel(page)
    assert not mail.outbox

    response = editor_client.post(f"/admin/newsletter/pages/{issue.pk}/unschedule/", follow=True)

    assert "Campaign successfully unscheduled" in messages_of(response)
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT
    assert "Review and send" in panel(editor_client.get(edit_url(issue)))


def test_a_time_in_the_past_is_refused(editor_client, issue, daily):
    when = timezone.localtime() - datetime.timedelta(hours=1)

    response = newsletter_action(
        editor_client,
        issue,
        "schedule_campaign",
        newsletter_recipients=str(daily.pk),
        newsletter__schedule__schedule_time=f"{when:%Y-%m-%d %H:%M}",
    )

    assert any("in the future" in m for m in messages_of(response))
    assert not Campaign.objects.filter(status=Status.SCHEDULED).exists()


def test_a_moderator_may_send_a_test(moderator, client, issue):
    client.force_login(moderator)

    response = newsletter_action(
        client, issue, "send_test_email", newsletter__test__email="mo@example.com"
    )

    assert "Test message sent to 'mo@example.com'" in messages_of(response)
    assert [message.to for message in mail.outbox] == [["mo@example.com"]]


def test_someone_who_may_edit_but_not_publish_gets_no_newsletter_tab(client, writer, issue, daily):
    client.force_login(writer)

    page = client.get(edit_url(issue))
    assert page.status_code == 200
    assert BeautifulSoup(page.content, "html.parser").find(class_="wn-panel") is None

    data = edit_form(
        client,
        issue,
        **{"newsletter-action": "send_campaign", "newsletter_recipients": str(daily.pk)},
    )
    response = client.post(edit_url(issue), data, follow=True)
    assert any("You do not have permission" in m for m in messages_of(response))
    assert not mail.outbox


# The edit page always renders, whatever the campaign id or the backend says


@pytest.mark.parametrize("campaign_id", ["", "garbage", "999999", "12/3", " 7 "])
def test_the_edit_page_renders_with_any_campaign_id(editor_client, issue, campaign_id):
    IssuePage.objects.filter(pk=issue.pk).update(newsletter_campaign=campaign_id)

    page = editor_client.get(edit_url(issue))

    assert page.status_code == 200
    if campaign_id.strip():
        assert "was deleted in Top Ten mailer" in panel(page)


def test_the_edit_page_and_report_render_when_the_report_fails(editor_client, issue, monkeypatch):
    campaign = Campaign.objects.create(
        issue=issue, subject="Sent", status=Status.SENT, started_at=timezone.now()
    )
    IssuePage.objects.filter(pk=issue.pk).update(newsletter_campaign=str(campaign.pk))

    def broken(*args, **kwargs):
        raise DatabaseError("the report broke")

    # The report's own query fails, however the pages come to read it.
    monkeypatch.setattr(Delivery.objects, "filter", broken)

    page = editor_client.get(edit_url(issue))
    assert page.status_code == 200
    assert "Status: Sent" in panel(page)
    report = editor_client.get(f"/admin/newsletter/campaigns/{campaign.pk}/")
    assert report.status_code == 200
    assert "The figures can't be read just now" in text(report)


def test_a_failing_test_send_is_a_message_not_an_error_page(editor_client, issue, monkeypatch):
    def broken(**kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr("newsletter.campaign_backend.send_test", broken)

    response = newsletter_action(
        editor_client, issue, "send_test_email", newsletter__test__email="lisa@example.com"
    )

    assert response.status_code == 200
    assert any("could not be sent: Connection refused" in m for m in messages_of(response))


def test_the_same_article_twice_is_a_form_error_not_a_crash(editor_client, site, articles):
    stories = [*articles[:9], articles[0]]
    url = f"/admin/pages/add/newsletter/issuepage/{site[1].pk}/"

    response = editor_client.post(url, issue_form(stories, timezone.localdate()))

    assert response.status_code == 200
    assert f'"{articles[0].title}" is in this issue twice' in html.unescape(
        response.content.decode()
    )
    assert not IssuePage.objects.exists()
