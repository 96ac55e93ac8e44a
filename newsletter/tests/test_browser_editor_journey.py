"""An editor's whole morning in Chromium, through the Wagtail admin only: sign in, write and
publish an article with a photo, assemble today's ten stories (and watch the count as one is
removed), preview the email, send a test, send the issue and read the report.

The editor is not a superuser (Wagtail's Editors group). With ``EDITOR_GUIDE=1`` (``make
guide``) the step screenshots become the pictures of ``docs/editor-guide.md``.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from wagtail_newsletter.models import NewsletterRecipients

from news.factories import ArticlePageFactory, SectionFactory
from news.models import ArticlePage
from newsletter.factories import SubscriberFactory, daily_list
from newsletter.issues.preparing import issue_title
from newsletter.models import Campaign, IssuePage, Subscriber

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GUIDE = os.environ.get("EDITOR_GUIDE") == "1"
GUIDE_DIR = Path(__file__).resolve().parents[2] / "docs" / "editor-guide"
READERS = ["ann@example.org", "bob@example.org", "cy@example.net"]
PASSWORD = "correct-horse-battery"
HEADLINES = [
    "Allies agree to meet again in Brussels next month",
    "Floods in Bangladesh: a million people leave their homes",
    "Amazon deforestation falls for a third year",
    "Japan's new prime minister names her cabinet",
    "Kenya opens Africa's largest geothermal plant",
    "Chile votes on a new water law",
    "Canada and the EU sign a critical-minerals pact",
    "India's monsoon ends with record rainfall",
    "Scientists map the deepest coral reef yet found",
]
NEW_HEADLINE = "Austin rallies allies in Brussels"


@pytest.fixture
def newsroom(live_server, settings, site, django_user_model):
    """The site with nine published articles, three readers on the Daily list, the "Daily
    readers" audience, and an editor (not a superuser) with a password to type."""
    settings.SITE_URL = live_server.url
    # Wagtail's autosave posts in the background every half second; racing the Publish
    # button, it locks the shared in-memory SQLite test database. Editors save by hand here.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    news_index, issue_index = site
    section = SectionFactory(name="World", slug="world")
    for headline in HEADLINES:
        ArticlePageFactory(parent=news_index, title=headline, section=section)
    daily = daily_list()
    for address in READERS:
        SubscriberFactory(email=address, lists=[daily])
    NewsletterRecipients.objects.create(name="Daily readers", audience=str(daily.pk))
    editor = django_user_model.objects.create_user(
        "eddie", "eddie@example.com", PASSWORD, first_name="Eddie"
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    assert not editor.is_superuser
    return news_index, issue_index


@pytest.fixture
def guide_page(browser, page):
    """The test's page; for the guide, a 1280x800 window whose pictures stay small."""
    if not GUIDE:
        yield page
        return
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def shoot(guide_page, screenshot):
    """``shoot("step")``: the next numbered picture, in docs/editor-guide/ for ``make
    guide``, else in test-artifacts/ like every other screenshot."""
    taken = []

    def take(step, *, full_page=False):
        taken.append(step)
        number = len(taken)
        if not GUIDE:
            return screenshot(f"{number:02d}-{step}", page=guide_page, full_page=full_page)
        GUIDE_DIR.mkdir(parents=True, exist_ok=True)
        path = GUIDE_DIR / f"{number:02d}-{step}.png"
        png = guide_page.screenshot(full_page=full_page)
        # A 256-colour palette keeps an admin screenshot legible at a fraction of the size.
        picture = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
        picture.save(path, optimize=True)
        return path

    return take


def small_jpeg():
    """A 640x360 photo drawn with Pillow: what the editor uploads."""
    picture = Image.linear_gradient("L").resize((640, 360)).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def publish(page, shoot=None):
    """The footer's Publish action, behind the arrow beside Save draft."""
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    button = page.get_by_role("button", name="Publish")
    if shoot:
        button.wait_for()
        page.wait_for_timeout(500)  # the menu's opening animation
        shoot("publish")
    button.click()


def test_editor_writes_an_article_and_sends_todays_issue(live_server, guide_page, shoot, newsroom):
    news_index, issue_index = newsroom
    page = guide_page
    url = live_server.url
    issue_name = issue_title(timezone.localdate())  # "Issue of 25 November 2026"

    # Sign in through the real form.
    page.goto(url + "/admin/")
    page.wait_for_url("**/admin/login/**")
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(PASSWORD)
    shoot("sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/admin/")
    shoot("dashboard")

    # 1. Write an article: Articles in the menu, then New article (docs/editor-guide.md).
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.wait_for_url("**/admin/articles/**")
    shoot("news-pages")
    page.get_by_role("link", name="New article").first.click()
    page.wait_for_url("**/add/news/articlepage/**")
    page.get_by_role("textbox", name="Headline").fill(NEW_HEADLINE)
    page.get_by_role("textbox", name="Summary").fill(
        "The Pentagon chief says allies will meet again in Brussels next month."
    )

    page.get_by_role("button", name="Choose an image").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("tab", name="Upload").click()
    modal.get_by_label("Title").fill("Lloyd Austin in Brussels")
    modal.locator("input[type=file]").set_input_files(
        {"name": "austin.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    modal.get_by_label("Caption").fill("Secretary of Defense Lloyd Austin.")
    modal.get_by_label("Credit", exact=True).fill("cnn.com")
    shoot("upload-photo")
    modal.get_by_role("button", name="Upload").click()
    modal.wait_for(state="hidden")
    page.get_by_text("Lloyd Austin in Brussels").first.wait_for()
    shoot("article-form")

    body = page.locator("#panel-child-content-body-section")
    body.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Paragraph").first.click()
    editor = body.locator("[contenteditable=true]").first
    editor.click()
    editor.type("Lloyd Austin told allies in Brussels that they would meet again next month.")

    page.get_by_role("button", name="Choose a page").first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=HEADLINES[0]).click()
    modal.wait_for(state="hidden")

    page.get_by_role("button", name="Add related post").click()
    modal.wait_for()
    for headline in HEADLINES[1:3]:
        modal.get_by_role("row", name=headline).get_by_role("checkbox").check()
    shoot("related-posts")
    modal.get_by_role("button", name="Confirm selection").click()
    modal.wait_for(state="hidden")
    related = page.locator("#panel-child-content-related_reading-section")
    related.scroll_into_view_if_needed()
    shoot("related-reading")
    # The web address: filled in from the headline as it was typed.
    page.get_by_role("tab", name="Promote").click()
    expect(page.get_by_role("textbox", name="Slug")).to_have_value(
        "austin-rallies-allies-in-brussels"
    )
    shoot("web-address")
    page.get_by_role("tab", name="Content").click()
    publish(page, shoot)
    page.get_by_text(f"Page '{NEW_HEADLINE}' created and published.").wait_for()
    shoot("article-published")

    # What readers see: the photo with its caption and credit, and the related reading.
    article = ArticlePage.objects.get(title=NEW_HEADLINE)
    assert article.live and not article.owner.is_superuser
    page.goto(url + article.url)
    caption = " ".join(page.locator("figure.lead-image figcaption").text_content().split())
    assert "Secretary of Defense Lloyd Austin." in caption
    assert "cnn.com" in caption
    assert page.get_by_text("Lloyd Austin told allies in Brussels").is_visible()
    assert page.get_by_role("link", name=HEADLINES[0]).first.is_visible()
    shoot("article-live", full_page=True)

    # 2. Today's issue: ten ranked stories, the new article first.
    page.goto(url + "/admin/")
    page.get_by_role("link", name="Create today's issue").click()
    page.wait_for_url(f"**/add/newsletter/issuepage/{issue_index.pk}/")
    # The form starts on the next free date (today), named after it.
    expect(page.get_by_role("textbox", name="Title")).to_have_value(issue_name)
    # The lead story first, then the other nine: the chooser adds them in its own order.
    modal = page.locator(".modal-dialog")
    for headlines in ([NEW_HEADLINE], HEADLINES):
        page.get_by_role("button", name="Add story").click()
        modal.wait_for()
        for headline in headlines:
            modal.get_by_role("row", name=headline).get_by_role("checkbox").check()
        if len(headlines) > 1:
            shoot("choose-stories")
        modal.get_by_role("button", name="Add the ticked stories").click()
        modal.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    page.get_by_role("tabpanel", name="Content").get_by_text(
        "Story 10", exact=True
    ).scroll_into_view_if_needed()
    shoot("ten-stories")
    readiness = page.locator("[data-issue-readiness]")
    assert readiness.locator("[data-issue-story-count]").inner_text() == "10"

    page.get_by_role("tab", name="Newsletter").click()
    # The sign-up list's readers are chosen already: nothing to choose every morning.
    expect(page.locator("#id_newsletter_recipients-title")).to_have_text("Daily readers")
    shoot("recipients")
    publish(page)
    page.get_by_text(f"Page '{issue_name}' created and published.").wait_for()
    issue = IssuePage.objects.get()
    assert issue.live and issue.issue_date == timezone.localdate()
    assert [story.article.title for story in issue.stories.all()][0] == NEW_HEADLINE

    # The dashboard's morning panel says the issue is ready.
    page.goto(url + "/admin/")
    today = page.locator("#newsletter-today-section")
    assert "10 of 10 stories" in today.inner_text()
    # Its buttons are buttons, not bars stretched by their icons.
    assert today.get_by_role("link", name="Edit").bounding_box()["width"] < 200
    shoot("dashboard-ready")
    today.get_by_role("link", name="Edit").click()
    page.wait_for_url(f"**/admin/pages/{issue.pk}/edit/")
    readiness = page.locator("[data-issue-readiness]")
    assert "10 of 10 stories" in readiness.inner_text()
    assert "Ready to send" in readiness.inner_text()
    shoot("issue-ready")
    # Removing a story says at once what the form now holds, while the count stays that of
    # the published issue, which is what would be sent (nothing is saved: the page is
    # loaded again, scrolled to the top as the next pictures expect).
    count = readiness.locator("[data-issue-story-count]")
    assert count.inner_text() == "10"
    page.locator(
        "#id_stories-FORMS [data-inline-panel-child] button[title='Remove this story']"
    ).first.click()
    page.wait_for_function("document.querySelector('[data-issue-form-count]')?.textContent === '9'")
    assert count.inner_text() == "10"
    page.goto(page.url)

    # 3. Preview the email.
    page.get_by_role("button", name="Toggle preview").click()
    page.get_by_label("Preview mode").select_option("newsletter")
    email = page.frame_locator("#w-preview-iframe")
    email.get_by_text(NEW_HEADLINE, exact=True).first.wait_for()
    shoot("email-preview")
    page.get_by_role("button", name="Toggle preview").click()

    # 4. Review and send: the inbox view, the date, the readers; a test to the editor.
    page.get_by_role("tab", name="Newsletter").click()
    page.get_by_role("link", name="Review and send").first.click()
    page.wait_for_url(f"**/admin/newsletter/review/{issue.pk}/")
    review = page.locator("[data-issue-review]")
    expect(review.locator("[data-review=subject]")).to_have_text(issue.get_newsletter_subject())
    expect(review.locator("[data-review=recipients]")).to_contain_text("3 readers")
    assert review.locator("[data-review-problems]").count() == 0
    page.get_by_label("Email address").fill("eddie@example.com")
    shoot("send-test")
    page.get_by_role("button", name="Send test").click()
    page.get_by_text("Test sent to eddie@example.com").wait_for()
    [test_message] = mail.outbox
    assert test_message.to == ["eddie@example.com"]
    assert test_message.subject.startswith("[Test]")
    assert NEW_HEADLINE in test_message.body
    html, _ = test_message.alternatives[0]
    assert "Secretary of Defense Lloyd Austin." in html and "cnn.com" in html

    # 5. Send to the three readers, then read the report.
    shoot("send-campaign")
    page.get_by_role("button", name="Send now to 3 readers").click()
    page.wait_for_url("**/admin/newsletter/campaigns/*/")
    page.get_by_text("The issue is on its way to 3 readers.").wait_for()
    page.goto(f"{url}/admin/pages/{issue.pk}/edit/")
    page.get_by_role("tab", name="Newsletter").click()
    assert "Emails sent: 3" in page.locator(".wn-panel").inner_text()

    page.goto(url + "/admin/")
    page.get_by_role("link", name="Campaigns").first.click()
    campaign_row = page.get_by_role("row", name=re.compile(issue_name))
    campaign_row.wait_for()
    shoot("campaigns")
    campaign_row.locator("td.title a").click()
    page.wait_for_url(f"**/admin/newsletter/campaigns/{Campaign.objects.get().pk}/")
    # The report refreshes itself while the worker sends (here the task backend sends inline).
    report = page.locator("[data-campaign-report]")
    expect(report.locator("dd[data-figure=sent]")).to_have_text("3")
    expect(report.locator("dd[data-figure=recipients]")).to_have_text("3")
    expect(report.locator("dd[data-figure=failed]")).to_have_text("0")
    assert re.search(r"Sent\s+3", page.locator(".campaign-report dl").inner_text())
    shoot("report")
    sent = mail.outbox[1:]
    assert sorted(message.to[0] for message in sent) == sorted(READERS)
    assert all(
        NEW_HEADLINE in message.body and "/newsletter/unsubscribe/" in message.body
        for message in sent
    )
    assert Campaign.objects.get().issue_id == issue.pk
    assert Subscriber.objects.count() == len(READERS)
