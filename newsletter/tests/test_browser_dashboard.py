"""The morning's to-do list as an editor clicks it in Chromium: from the dashboard's "This
morning" panel to a new article's form and to today's Review and send; Articles in the menu
opens the list of articles, Help the project's own guide. Also axe on the dashboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.utils import timezone

from core.tests.browser import PASSWORD, sign_in
from newsletter.factories import IssuePageFactory

from .issue_setup import make_articles

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def morning(live_server, settings, site, django_user_model):
    settings.SITE_URL = live_server.url
    news_index, archive = site
    issue = IssuePageFactory(
        parent=archive,
        articles=make_articles(news_index, 7),
        issue_date=timezone.localdate(),
    )
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    return issue


def serious(page):
    results = Axe().run(page)
    return [
        (violation["id"], violation["help"])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_the_morning_panel_leads_to_each_next_step(live_server, page, morning):
    url = live_server.url
    sign_in(page, url)
    panel = page.locator("#newsletter-today-section")
    assert "7 of 10 stories" in panel.inner_text()
    assert "this one has 7 of 10" in panel.inner_text()
    assert serious(page) == []

    panel.get_by_role("link", name="New article").click()
    page.wait_for_url("**/admin/pages/add/news/articlepage/**")
    assert page.get_by_role("textbox", name="Headline").is_visible()

    page.goto(url + "/admin/")
    panel.get_by_role("link", name="Review and send").click()
    page.wait_for_url(f"**/admin/newsletter/review/{morning.pk}/")
    assert "7 of 10" in page.locator("main").inner_text()


def test_articles_and_help_in_the_menu(live_server, page, morning):
    url = live_server.url
    sign_in(page, url)

    page.locator("#wagtail-sidebar").get_by_role("link", name="Articles").click()
    page.wait_for_url("**/admin/articles/")
    assert page.get_by_role("link", name="Story number 3", exact=False).first.is_visible()

    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Help").click()
    sidebar.get_by_role("link", name="Editor's guide").click()
    page.wait_for_url("**/admin/guide/")
    picture = page.locator("[data-editor-guide] img").first
    picture.scroll_into_view_if_needed()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
