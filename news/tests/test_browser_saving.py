"""Saving an article in Chromium, as an editor does it: typing, then "Save draft" at once.

Wagtail 8 autosaves half a second after a change. An autosave still waiting, or on its way,
used to race the editor's own save; the server could store it after the editor's version,
and the reloaded editor said "You saved a new version in another window" about the editor's
own save (core/editing.py, core/static/core/admin/autosave.js). The server here is made as
slow as the issue measured (a second and more a save), so the race has room to happen.
"""

import time

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.admin.views.pages.edit import EditView

from core.tests.browser import PASSWORD, sign_in
from news.models import ArticlePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SLOW = 1.0  # seconds the server takes for each save and autosave


@pytest.fixture
def newsroom(live_server, settings, make_article, django_user_model):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 500  # Wagtail's default, stated
    settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL = 1000  # a warning would show within 1 s
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    return make_article(title="Austin rallies allies", summary="Allies meet again.")


@pytest.fixture
def slow_saves(monkeypatch):
    post = EditView.post

    def slow_post(self, request, *args, **kwargs):
        time.sleep(SLOW)
        return post(self, request, *args, **kwargs)

    monkeypatch.setattr(EditView, "post", slow_post)


@pytest.fixture
def page(page):
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => { window.watchingEdits = true; })"
    )
    return page


class SaveLog:
    """The browser's posts to the edit form, in order: ("sent" | "done", "save" | "autosave")."""

    def __init__(self, page, edit_url):
        self.events = []
        page.on("request", lambda request: self.note("sent", request))
        page.on("requestfinished", lambda request: self.note("done", request))
        page.on("requestfailed", lambda request: self.note("done", request))
        self.edit_url = edit_url

    def note(self, what, request):
        if request.method == "POST" and request.url == self.edit_url:
            kind = "autosave" if is_autosave(request) else "save"
            self.events.append((what, kind))

    def races(self):
        """Posts that overlapped an editor's save: an autosave sent while a save was on its
        way, or a save sent while an autosave was."""
        races, open_posts = [], []
        for what, kind in self.events:
            if what == "sent":
                if any(other != kind for other in open_posts):
                    races.append(f"{kind} sent while {', '.join(open_posts)} on its way")
                open_posts.append(kind)
            elif kind in open_posts:
                open_posts.remove(kind)
        return races


def type_in_summary(page, text):
    # Wagtail notes the form as it was two seconds after it loads: edits made before then
    # would count as the form's start, neither unsaved nor autosaved.
    # Polled with evaluate(): wait_for_function() evals a string, which the admin's Content
    # Security Policy (no 'unsafe-eval') refuses.
    deadline = time.monotonic() + 30
    while not page.evaluate("window.watchingEdits === true"):
        assert time.monotonic() < deadline, "Wagtail never started watching the form for edits"
        page.wait_for_timeout(100)
    summary = page.get_by_role("textbox", name="Summary")
    summary.click()
    page.keyboard.press("End")
    page.keyboard.type(text, delay=30)


def is_autosave(request):
    return request.method == "POST" and "json" in request.headers.get("accept", "")


def wait_for_pings(page, count=2):
    for _ in range(count):
        with page.expect_response(lambda response: "/editing-sessions/ping/" in response.url):
            pass


def test_saving_twice_by_hand_warns_of_no_other_window(live_server, page, newsroom, slow_saves):
    url = live_server.url
    sign_in(page, url)
    edit_url = f"{url}/admin/pages/{newsroom.pk}/edit/"
    log = SaveLog(page, edit_url)
    page.goto(edit_url, timeout=60_000)  # the first admin page of a run is slow to build

    # 1. Typing, then Save draft at once: the autosave is still waiting for its half second.
    type_in_summary(page, " First.")
    with page.expect_navigation(url=edit_url, timeout=60_000):
        page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")

    # 2. Typing, the autosave on its way, then Save draft: the save goes once it is back.
    with page.expect_request(is_autosave):
        type_in_summary(page, " Second.")
    with page.expect_navigation(url=edit_url, timeout=60_000):
        page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    wait_for_pings(page)

    assert page.locator(".w-editing-sessions__session--saved").count() == 0
    assert "another window" not in page.locator("#w-editing-sessions").inner_html()
    assert log.races() == []
    assert [kind for what, kind in log.events if what == "sent"].count("save") == 2
    saved = ArticlePage.objects.get(pk=newsroom.pk).get_latest_revision_as_object()
    assert saved.summary == "Allies meet again. First. Second."
    expect(page.get_by_role("textbox", name="Summary")).to_have_value(saved.summary)


def test_the_add_form_saves_nothing_until_the_editor_does(live_server, page, newsroom):
    url = live_server.url
    sign_in(page, url)
    add_url = f"{url}/admin/pages/add/news/articlepage/{newsroom.get_parent().pk}/"
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else 0)
    page.goto(add_url, timeout=60_000)
    page.get_by_role("textbox", name="Headline").fill("A story the editor abandons")
    type_in_summary(page, "Half a thought")
    page.wait_for_timeout(1500)  # three autosave intervals

    assert posts == []
    assert not ArticlePage.objects.filter(title="A story the editor abandons").exists()
    expect(page.locator("#w-autosave-indicator")).to_have_count(0)
