"""Signing in to the admin in Chromium, as an editor does it: the sign-in form, typed."""

PASSWORD = "correct-horse-battery"


def sign_in(page, url, username="eddie", password=PASSWORD):
    """Sign in through the admin's sign-in page of the live server at ``url``."""
    page.goto(url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/admin/")
