"""A reader signs up from the home page in Chromium, confirms from the captured email, and
later leaves from the unsubscribe link in an issue they received."""

import pytest
from django.core import mail
from wagtail_newsletter.models import NewsletterRecipients

from newsletter.factories import daily_list
from newsletter.models import Subscriber
from newsletter.sending.orchestration import send_issue_now

from .conftest import links, mails_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site(live_server, settings, home_page):
    """The home page, with emailed links pointing at the live server."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def issue_fields(db):
    """The issue goes to the Daily list, which sign-ups join."""
    recipients = NewsletterRecipients.objects.create(
        name="Daily readers", audience=str(daily_list().pk)
    )
    return {"newsletter_recipients": recipients}


@pytest.fixture
def todays_issue(site, issue):
    """The shared issue of ten stories, for the Daily list."""
    return issue


@pytest.fixture
def no_js_page(browser):
    """A page with JavaScript off: the form must work without it."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_up_and_confirm(page, site, screenshot, address):
    """The reader's first minutes: the home page's form, the email, the confirm button."""
    page.goto(site + "/")
    assert not page.context.cookies()
    page.get_by_label("Your email address").fill(address)
    screenshot("1-form-filled", page=page)
    page.get_by_role("button", name="Sign up").click()

    page.wait_for_url("**/newsletter/subscribe/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert address in page.locator("main").inner_text()
    screenshot("2-check-your-inbox", page=page)

    [confirmation] = mails_to(address)
    [confirm_link] = links(confirmation, "/confirm/")
    assert confirm_link.startswith(site)
    page.goto(confirm_link)
    screenshot("3-confirm", page=page)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Confirm my subscription").click()

    page.get_by_role("heading", name="Thank you, you're subscribed").wait_for()
    screenshot("4-thank-you", page=page)
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE


def test_reader_signs_up_on_the_home_page_and_confirms(site, no_js_page, screenshot):
    sign_up_and_confirm(no_js_page, site, screenshot, "browser.reader@example.org")
    assert [message.to for message in mail.outbox] == [["browser.reader@example.org"]] * 2
    assert mail.outbox[-1].subject == "Welcome to Lisa's Top Ten"


def test_reader_leaves_from_the_unsubscribe_link_in_an_issue(
    site, todays_issue, no_js_page, screenshot
):
    page = no_js_page
    sign_up_and_confirm(page, site, screenshot, "leaving.reader@example.org")

    send_issue_now(todays_issue)
    [issue_mail] = [
        message
        for message in mails_to("leaving.reader@example.org")
        if message.subject == todays_issue.get_newsletter_subject()
    ]
    assert "Story number 1" in issue_mail.body
    # The reader's own link from the email, the same one its List-Unsubscribe header carries.
    [unsubscribe_link] = links(issue_mail, "/unsubscribe/")
    assert unsubscribe_link.startswith(site)
    assert unsubscribe_link in issue_mail.extra_headers["List-Unsubscribe"]

    page.goto(unsubscribe_link)
    assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe?"
    assert "leaving.reader@example.org" in page.locator("main").inner_text()
    screenshot("5-unsubscribe", page=page)
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE  # opening isn't leaving
    page.get_by_role("button", name="Unsubscribe").click()

    page.get_by_role("heading", name="You're unsubscribed").wait_for()
    assert (
        "We won't send Lisa's Top Ten to leaving.reader@example.org"
        in page.get_by_role("status").inner_text()
    )
    screenshot("6-unsubscribed", page=page)
    reader = Subscriber.objects.get()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert not Subscriber.objects.receiving().exists()


def test_a_mistyped_address_comes_back_with_a_clear_message(site, page, screenshot):
    page.goto(site + "/")
    page.get_by_label("Your email address").fill("jane@gmailcom")
    page.get_by_role("button", name="Sign up").click()
    error = page.locator("#signup-email-error")
    error.wait_for()
    assert error.inner_text() == "Please enter an email address like name@example.com."
    field = page.get_by_label("Your email address")
    assert field.input_value() == "jane@gmailcom"
    assert field.get_attribute("aria-invalid") == "true"
    screenshot("error-shown")
    assert mail.outbox == []
