"""The admin pages we add, as a signed-in editor meets them in Chromium: axe finds no serious
or critical problem on Newsletter > Issues, the dashboard, the story chooser (its modal open
on the issue) and the Review and send step; and the issue's preview opens on the email with
its inbox view and stays there after a save.

axe-core comes bundled in ``axe-playwright-python`` (nothing is fetched at run time). Every
finding is printed (``-s``); only serious and critical ones fail.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.tests.browser import PASSWORD, sign_in
from news.factories import ArticlePageFactory, SectionFactory
from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import NewsletterSettings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
BLOCKING = {"serious", "critical"}
# The edit page is heavy, and its preview panel posts the form before it loads the
# preview: slow on a busy machine.
WAIT = 60_000


@pytest.fixture
def morning(live_server, settings, site, django_user_model):
    """Today's issue of seven stories (three more to add), readers, a signed-up editor."""
    settings.SITE_URL = live_server.url
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # see test_browser_editor_journey.py
    news_index, issue_index = site
    world = SectionFactory(name="World", slug="world")
    articles = [
        ArticlePageFactory(parent=news_index, title=f"World story number {n}", section=world)
        for n in range(1, 11)
    ]
    issue = IssuePageFactory(
        parent=issue_index,
        articles=articles[:7],
        issue_date=timezone.localdate(),
        preheader="Floods in Bangladesh and more",
    )
    daily = daily_list()
    for address in ("ann@example.org", "bob@example.org"):
        SubscriberFactory(email=address, lists=[daily])
    newsletter = NewsletterSettings.load()
    newsletter.from_name = "Lisa at Top Ten"
    newsletter.from_email = "lisa@lisastopten.example"
    newsletter.save()
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    return issue


def blocking(page, name, report, context=None):
    """axe on the page (or on ``context``, a selector); prints every finding, returns the
    serious and critical ones."""
    violations = Axe().run(page, context=context).response["violations"]
    report[name] = violations
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        print(
            f"{name}: {violation['id']} ({violation['impact']}) x{len(targets)}: "
            f"{violation['help']} {targets[:3]}"
        )
    return [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
        for violation in violations
        if violation["impact"] in BLOCKING
    ]


def test_the_admin_pages_we_add_have_no_serious_accessibility_problems(
    live_server, page, morning, screenshot
):
    issue, url = morning, live_server.url
    sign_in(page, url)
    report, problems = {}, {}

    def check(name, context=None):
        page.wait_for_load_state("load")
        screenshot(name)
        found = blocking(page, name, report, context)
        if found:
            problems[name] = found

    page.get_by_text("7 of 10 stories").first.wait_for()
    check("dashboard")

    page.goto(url + "/admin/newsletter/issues/")
    expect(page.get_by_role("link", name=issue.title).first).to_be_visible()
    check("issues")

    page.goto(f"{url}/admin/pages/{issue.pk}/edit/")
    page.get_by_role("button", name="Add story").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("checkbox", name="World story number 8", exact=True).wait_for()
    check("story chooser", ".modal-dialog")
    page.keyboard.press("Escape")

    page.goto(f"{url}/admin/newsletter/review/{issue.pk}/")
    expect(page.locator("[data-review=recipients]")).to_contain_text("2 readers")
    check("review")

    print(
        "axe findings per page (all impacts): "
        + ", ".join(f"{k} {len(v)}" for k, v in report.items())
    )
    assert not problems, problems


def test_the_preview_opens_on_the_email_and_stays_there_after_a_save(
    live_server, page, morning, screenshot
):
    issue, url = morning, live_server.url
    page.set_default_timeout(WAIT)  # the edit page and its preview are heavy
    sign_in(page, url)
    page.goto(f"{url}/admin/pages/{issue.pk}/edit/")
    mode = page.get_by_label("Preview mode")
    email = page.frame_locator("#w-preview-iframe")

    page.get_by_role("button", name="Toggle preview").click()
    expect(mode).to_have_value("newsletter", timeout=WAIT)
    inbox = email.locator("[data-inbox-view]")
    expect(inbox.locator("[data-inbox=from-name]")).to_have_text("Lisa at Top Ten", timeout=WAIT)
    expect(inbox.locator("[data-inbox=preheader]")).to_have_text(
        "Floods in Bangladesh and more", timeout=WAIT
    )

    page.get_by_role("textbox", name="Preheader").fill("A record Amazon year")
    with page.expect_navigation():  # the form posts, and the edit page comes back
        page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("textbox", name="Preheader")).to_have_value("A record Amazon year")

    # After the save the page is new: the panel is open again (Wagtail remembers that), on
    # the email, with the saved preheader.
    if not page.locator("#w-preview-iframe").is_visible():
        page.get_by_role("button", name="Toggle preview").click()
    expect(mode).to_have_value("newsletter", timeout=WAIT)
    expect(email.locator("[data-inbox=preheader]")).to_have_text(
        "A record Amazon year", timeout=WAIT
    )
    expect(email.locator("h2").first).to_contain_text("World story number 1", timeout=WAIT)
    screenshot("preview-after-save")
