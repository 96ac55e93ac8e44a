"""The home page and an article as a reader sees them in Chromium."""

import pytest

from news.factories import CaptionedImageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reader_goes_from_home_to_an_article_and_its_related_story(
    live_server, page, screenshot, make_article
):
    other = make_article(title="Allies agree to meet again")
    make_article(
        title="Austin rallies allies",
        lead_image=CaptionedImageFactory(
            caption="Secretary of Defense Lloyd Austin.", credit="cnn.com"
        ),
        related_story=other,
    )

    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lisa's Top Ten"
    assert page.get_by_text("The first task of the day").is_visible()
    screenshot("home")

    page.get_by_role("link", name="Austin rallies allies").click()
    page.wait_for_url("**/austin-rallies-allies/")
    caption = page.locator("figure.lead-image figcaption")
    assert caption.inner_text() == "Secretary of Defense Lloyd Austin. cnn.com"
    image = page.locator("figure.lead-image img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    header_width = page.evaluate("document.querySelector('.site-header').offsetWidth")
    assert header_width == page.viewport_size["width"]
    screenshot("article")

    page.get_by_role("link", name="Allies agree to meet again").first.click()
    page.wait_for_url("**/allies-agree-to-meet-again/")
    assert page.get_by_role("heading", level=1).inner_text() == "Allies agree to meet again"


def test_keyboard_user_can_skip_to_the_content(live_server, page, home_page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
