"""An editor's morning in Chromium: the dashboard, today's issue, a test send, the send, and
the report."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone
from wagtail_newsletter.models import NewsletterRecipients

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign

from .issue_setup import make_articles

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]


@pytest.fixture
def morning(live_server, settings, site, django_user_model):
    """Today's published issue of ten stories, three readers, and a signed-in editor."""
    settings.SITE_URL = live_server.url
    news_index, issue_index = site
    daily = daily_list()
    for address in READERS:
        SubscriberFactory(email=address, lists=[daily])
    recipients = NewsletterRecipients.objects.create(name="Daily readers",
                                                     audience=str(daily.pk))
    issue = IssuePageFactory(parent=issue_index, articles=make_articles(news_index),
                             issue_date=timezone.localdate(), newsletter_recipients=recipients)
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    return issue, client.cookies["sessionid"].value


def test_editor_tests_sends_and_follows_todays_issue(live_server, page, screenshot, morning):
    issue, session = morning
    page.context.add_cookies([{"name": "sessionid", "value": session,
                               "url": live_server.url}])

    page.goto(live_server.url + "/admin/")
    today = page.locator("#newsletter-today-section")
    assert "10 of 10 stories" in today.inner_text()
    screenshot("1-dashboard")
    today.get_by_role("link", name="Edit").click()

    page.wait_for_url(f"**/admin/pages/{issue.pk}/edit/")
    count = page.locator("[data-issue-story-count]")
    assert count.inner_text() == "10"
    # Removing a story says at once what the form now holds, while the count stays that of
    # the published issue, which is what would be sent (nothing is saved: the page is
    # reloaded).
    page.locator("#id_stories-FORMS [data-inline-panel-child] button[title='Delete']").first \
        .click()
    page.wait_for_function(
        "document.querySelector('[data-issue-form-count]')?.textContent === '9'")
    assert count.inner_text() == "10"
    screenshot("2-nine-of-ten")
    page.reload()

    page.get_by_role("tab", name="Newsletter").click()
    page.get_by_role("button", name="Send test email").first.click()
    page.get_by_label("Email address").fill("lisa@example.com")
    screenshot("3-test-dialog")
    page.locator("button[name='newsletter-action'][value='send_test_email']").click()
    page.get_by_text("Test message sent to 'lisa@example.com'").wait_for()
    assert [message.to for message in mail.outbox] == [["lisa@example.com"]]

    page.get_by_role("tab", name="Newsletter").click()
    page.get_by_role("button", name="Send campaign").click()
    dialog = page.locator("#wn-send-dialog")
    dialog.get_by_text(re.compile("with 3 recipients")).wait_for()
    screenshot("4-send-dialog")
    dialog.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Newsletter campaign is now sending").wait_for()
    assert sorted(m.to[0] for m in mail.outbox[1:]) == sorted(READERS)

    page.get_by_role("tab", name="Newsletter").click()
    assert "Emails sent: 3" in page.locator(".wn-panel").inner_text()
    campaign = Campaign.objects.get()
    page.goto(f"{live_server.url}/admin/newsletter/campaigns/{campaign.pk}/")
    figures = page.locator(".campaign-report dl").inner_text()
    assert re.search(r"Sent\s+3", figures)
    screenshot("5-report")
