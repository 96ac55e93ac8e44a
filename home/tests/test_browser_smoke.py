"""The browser harness works end to end: chromium opens the Wagtail admin's login page."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_login_form_is_shown(live_server, page, screenshot):
    page.goto(live_server.url + "/admin/login/")

    form = page.locator("form:has(input[name=password])")
    expect(form).to_be_visible()
    expect(form.locator("input[name=username]")).to_be_visible()
    expect(form.locator("input[name=password]")).to_be_visible()
    expect(form.locator("button[type=submit]")).to_be_visible()

    path = screenshot("login")
    assert path.stat().st_size > 0
