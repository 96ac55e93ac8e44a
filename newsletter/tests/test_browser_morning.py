"""The morning's job counted: from the dashboard to a sent issue of ten already-written
stories, as a signed-in editor clicks it in Chromium, in at most 25 clicks (ticks included;
typing is not a click). Also axe on the Review and send page we added."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from news.factories import ArticlePageFactory, SectionFactory
from newsletter.factories import SubscriberFactory, daily_list
from newsletter.models import Campaign, Delivery, IssuePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]
PASSWORD = "correct-horse-battery"
MOST_CLICKS = 25


class Clicks:
    """Every click and tick the editor makes, counted."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def check(self, locator):
        self.count += 1
        locator.check()


@pytest.fixture
def morning(live_server, settings, site, django_user_model):
    settings.SITE_URL = live_server.url
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # see test_browser_editor_journey
    news_index, _ = site
    section = SectionFactory(name="World", slug="world")
    headlines = [f"World story number {n}" for n in range(1, 11)]
    for headline in headlines:
        ArticlePageFactory(parent=news_index, title=headline, section=section)
    daily = daily_list()
    for address in READERS:
        SubscriberFactory(email=address, lists=[daily])
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    return headlines


def serious(page):
    results = Axe().run(page)
    return [
        (violation["id"], violation["help"])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_dashboard_to_a_sent_issue_in_at_most_25_clicks(live_server, page, morning):
    headlines = morning
    url = live_server.url
    page.goto(url + "/admin/login/")
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/admin/")

    clicks = Clicks()
    clicks.click(page.get_by_role("link", name="Create today's issue"))
    page.wait_for_url("**/add/newsletter/issuepage/**")
    # The date, the title and the readers are filled in already.
    clicks.click(page.get_by_role("button", name="Add story"))
    modal = page.locator(".modal-dialog")
    modal.wait_for()
    for headline in headlines[::-1]:  # the lead story first: they arrive as ticked
        clicks.check(modal.get_by_role("checkbox", name=headline, exact=True))
    clicks.click(modal.get_by_role("button", name="Add the ticked stories"))
    modal.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    clicks.click(page.locator("footer [data-w-dropdown-target='toggle']").first)
    clicks.click(page.get_by_role("button", name="Publish"))
    page.get_by_text("created and published").first.wait_for()
    issue = IssuePage.objects.get()
    assert issue.live and issue.issue_date == timezone.localdate()
    assert [story.article.title for story in issue.stories.all()] == headlines[::-1]

    clicks.click(page.get_by_role("link", name="Review and send").first)
    page.wait_for_url(f"**/admin/newsletter/review/{issue.pk}/")
    expect(page.locator("[data-review=recipients]")).to_contain_text("3 readers")
    assert serious(page) == []
    clicks.click(page.get_by_role("button", name="Send now to 3 readers"))
    page.wait_for_url("**/admin/newsletter/campaigns/*/")
    page.get_by_text("The issue is on its way to 3 readers.").wait_for()

    campaign = Campaign.objects.get(snapshot__isnull=False)
    assert campaign.issue_id == issue.pk
    assert sorted(Delivery.objects.values_list("email", flat=True)) == sorted(READERS)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(READERS)
    assert all(headlines[-1] in message.body for message in mail.outbox)
    print(f"dashboard to a sent issue: {clicks.count} clicks")
    assert clicks.count <= MOST_CLICKS
