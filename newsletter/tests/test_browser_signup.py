"""A reader signs up from the home page in Chromium and confirms from the captured email."""

import pytest
from django.core import mail

from newsletter.models import Subscriber

from .conftest import links
from .pages import make_home_page

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The home page, with emailed links pointing at the live server."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    make_home_page()
    return live_server.url


@pytest.fixture
def no_js_page(browser):
    """A page with JavaScript off: the form must work without it."""
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_reader_signs_up_on_the_home_page_and_confirms(site, no_js_page, screenshot):
    page = no_js_page
    page.goto(site + "/")
    assert not page.context.cookies()
    page.get_by_label("Your email address").fill("browser.reader@example.org")
    screenshot("1-form-filled", page=page)
    page.get_by_role("button", name="Sign up").click()

    page.wait_for_url("**/newsletter/subscribe/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert "browser.reader@example.org" in page.locator("main").inner_text()
    screenshot("2-check-your-inbox", page=page)

    [confirmation] = mail.outbox
    assert confirmation.to == ["browser.reader@example.org"]
    [confirm_link] = links(confirmation, "/confirm/")
    assert confirm_link.startswith(site)
    page.goto(confirm_link)
    screenshot("3-confirm", page=page)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Confirm my subscription").click()

    page.get_by_role("heading", name="Thank you, you're subscribed").wait_for()
    screenshot("4-thank-you", page=page)
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE
    assert [message.subject for message in mail.outbox][-1] == "Welcome to Lisa's Top Ten"


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
