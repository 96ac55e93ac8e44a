"""Assembling ten stories in Chromium: the story chooser lists the newest first and adds them in
the order they were ticked, says how many more fit and stops at ten with words; saved rows are
compact and show their headlines; the keyboard ranks them; a story gone back to draft has its
badge; what is saved is the order the editor arranged."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.tests.browser import PASSWORD, sign_in
from news.factories import ArticlePageFactory, SectionFactory
from news.models import ArticlePage
from newsletter.models import IssuePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Newest first: "Headline 1" is today's, "Headline 12" eleven days old.
HEADLINES = [f"Headline {n}" for n in range(1, 13)]


@pytest.fixture
def newsroom(live_server, settings, site, django_user_model):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # see test_browser_editor_journey.py
    news_index, issue_index = site
    world = SectionFactory(name="World", slug="world")
    today = timezone.localdate()
    for age, headline in reversed(list(enumerate(HEADLINES))):
        ArticlePageFactory(
            parent=news_index,
            title=headline,
            section=world,
            date=today - datetime.timedelta(days=age),
        )
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    return issue_index


def rows(page):
    return page.locator("#id_stories-FORMS > [data-inline-panel-child]:not(.deleted)")


def row_headlines(page):
    return [
        text.strip() for text in rows(page).locator("[data-story-row-headline]").all_inner_texts()
    ]


def choose(page, headlines):
    """Tick ``headlines`` in this order in the open chooser, then add them."""
    modal = page.locator(".modal-dialog")
    for headline in headlines:
        modal.get_by_role("checkbox", name=headline, exact=True).check()
    modal.get_by_role("button", name="Add the ticked stories").click()
    modal.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")


def test_editor_assembles_and_ranks_ten_stories(live_server, page, newsroom):
    url = live_server.url
    sign_in(page, url)
    page.goto(f"{url}/admin/pages/add/newsletter/issuepage/{newsroom.pk}/")
    page.get_by_role("textbox", name="Title").fill("Issue of today")
    modal = page.locator(".modal-dialog")

    # Three stories, ticked lead story first: they arrive in that order, not the list's.
    page.get_by_role("button", name="Add story").click()
    modal.wait_for()
    expect(modal.get_by_role("status")).to_have_text(
        "You can add 10 more stories (an issue has ten)."
    )
    listed = modal.locator("tbody .story-chooser__headline label").all_inner_texts()
    assert listed[:3] == HEADLINES[:3]  # newest first
    assert modal.locator("tbody tr").first.locator("img").get_attribute("src")
    choose(page, ["Headline 5", "Headline 2", "Headline 9"])
    assert row_headlines(page) == ["Headline 5", "Headline 2", "Headline 9"]

    # Seven more fit; those already in are marked and can't be ticked; an 11th can't be.
    page.get_by_role("button", name="Add story").click()
    modal.wait_for()
    status = modal.get_by_role("status")
    expect(status).to_have_text("You can add 7 more stories (an issue has ten).")
    in_issue = modal.locator(
        "tbody tr", has=page.get_by_role("checkbox", name="Headline 2", exact=True)
    )
    expect(in_issue.get_by_text("In this issue")).to_be_visible()
    expect(in_issue.get_by_role("checkbox")).to_be_disabled()
    others = [h for h in HEADLINES if h not in ("Headline 5", "Headline 2", "Headline 9")]
    for headline in others[:7]:
        modal.get_by_role("checkbox", name=headline, exact=True).check()
    expect(status).to_contain_text("all are ticked. Untick one to choose another.")
    eleventh = modal.get_by_role("checkbox", name=others[7], exact=True)
    expect(eleventh).to_be_disabled()
    modal.get_by_role("button", name="Add the ticked stories").click()
    modal.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    assert row_headlines(page) == ["Headline 5", "Headline 2", "Headline 9", *others[:7]]
    expect(page.get_by_text("Ten stories are in. Remove one to add another.")).to_be_visible()
    expect(page.get_by_role("button", name="Add story")).to_be_disabled()

    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/edit/")
    issue = IssuePage.objects.get()
    saved = ["Headline 5", "Headline 2", "Headline 9", *others[:7]]
    assert [s.article.title for s in issue.stories.all()] == saved

    # Saved rows are collapsed, one line each, with rank and headline.
    assert row_headlines(page) == saved
    first = rows(page).first
    expect(first.locator(".w-panel__content")).to_be_hidden()
    heights = [box["height"] for box in (r.bounding_box() for r in rows(page).all())]
    assert max(heights) <= 60, heights
    expect(first).to_contain_text("Story 1")

    # Ranked by keyboard: "Headline 9" up one, then the last story to the top.
    rows(page).nth(2).locator("[data-inline-panel-child-move-up]").focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)  # Wagtail's swap animation
    rows(page).nth(9).locator("[data-story-row-move-top]").focus()
    page.keyboard.press("Enter")
    arranged = [saved[9], saved[0], saved[2], saved[1], *saved[3:9]]
    assert row_headlines(page) == arranged
    expect(rows(page).first).to_contain_text("Story 1")

    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    issue = IssuePage.objects.get().get_latest_revision_as_object()
    assert [s.article.title for s in issue.stories.all()] == arranged

    # An article that went back to draft: its row says so, and what to do.
    ArticlePage.objects.get(title=arranged[3]).unpublish()
    page.reload()
    badge = rows(page).nth(3).locator("[data-story-row-draft]")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Draft: publish the article before sending")
    expect(rows(page).nth(2).locator("[data-story-row-draft]")).to_be_hidden()
