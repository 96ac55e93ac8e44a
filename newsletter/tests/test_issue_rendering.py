"""The daily issue as an email and as plain text, its snapshot and its previews."""

import re
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from news.factories import ArticlePageFactory
from newsletter.factories import IssuePageFactory
from newsletter.issues.rendering import (
    EMAIL_IMAGE_SPEC,
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    build_snapshot,
    render_issue_html,
    render_issue_text,
)
from newsletter.models import IssueSnapshot, IssueStory, NewsletterSettings

pytestmark = pytest.mark.django_db
SITE = "https://lisastopten.example"
ADDRESS = "Lisa's Top Ten, 1 Example Street, London N1 1AA, UK"


@pytest.fixture(autouse=True)
def site_settings(settings):
    settings.SITE_URL = SITE
    newsletter = NewsletterSettings.load()
    newsletter.postal_address = ADDRESS
    newsletter.save()


@pytest.fixture
def articles(news_index):
    return [
        ArticlePageFactory(
            parent=news_index,
            title=f"Story number {n}",
            summary=f"What happened in story {n}.",
            lead_image__size=(800, 450),
        )
        for n in range(1, 11)
    ]


@pytest.fixture
def issue_fields():
    return {"preheader": "", "intro": "Good morning!\n\nTen stories today."}


def soup(html):
    return BeautifulSoup(html, "html.parser")


def hidden_preheader(html):
    return next(div for div in soup(html).find_all("div") if "display:none" in div.get("style", ""))


def test_the_email_is_compiled_mjml_tables_under_gmails_clipping_limit(issue):
    html = render_issue_html(issue)

    assert html.startswith("<!doctype html>")
    assert "<mj-" not in html  # mrml compiled it
    assert soup(html).find("table", attrs={"role": "presentation"})
    assert len(html.encode()) < 102 * 1024
    assert '<meta name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    # The only pictures are the stories' photos: no text drawn in images.
    assert [img["src"].rsplit(".", 1)[-1] for img in soup(html).find_all("img")] == ["jpg"] * 10


def test_the_email_shows_ten_numbered_stories_with_images_and_credits(issue, articles):
    html = render_issue_html(issue)
    page = soup(html)

    headings = [h2.get_text(" ", strip=True) for h2 in page.find_all("h2")]
    assert headings == [f"{n}. Story number {n}" for n in range(1, 11)]
    for article, heading in zip(articles, page.find_all("h2"), strict=True):
        assert heading.a["href"] == SITE + article.url
    images = page.find_all("img")
    assert len(images) == 10
    rendition = articles[0].lead_image.get_rendition(EMAIL_IMAGE_SPEC)
    assert images[0]["src"] == SITE + rendition.url
    assert images[0]["alt"] == articles[0].image_caption
    assert "What happened in story 7." in page.get_text()
    assert f"Photo: {articles[0].image_credit}" in page.get_text()


def test_the_preheader_is_hidden_at_the_top(issue):
    default = hidden_preheader(render_issue_html(issue)).get_text()
    assert default.startswith("Story number 1 · Story number 2 · Story number 3")

    issue.preheader = "Austin rallies allies, floods in Bangladesh"
    assert (
        hidden_preheader(render_issue_html(issue))
        .get_text()
        .startswith("Austin rallies allies, floods in Bangladesh")
    )


def test_footer_address_personal_link_placeholders_and_view_in_browser(issue):
    html = render_issue_html(issue)
    text = soup(html).get_text(" ")

    assert escape(ADDRESS) in html and ADDRESS in text
    assert soup(html).find("a", href=UNSUBSCRIBE_PLACEHOLDER).get_text() == "Unsubscribe"
    assert soup(html).find("a", href=PREFERENCES_PLACEHOLDER)
    browser = soup(html).find("a", string="View this issue in your browser")
    assert browser["href"] == f"{SITE}/issues/{issue.issue_date.isoformat()}/"


def test_every_link_and_image_is_absolute_but_the_personal_placeholders(issue):
    page = soup(render_issue_html(issue))

    urls = [a["href"] for a in page.find_all("a")] + [img["src"] for img in page.find_all("img")]
    personal = {UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER}
    assert len(urls) > 20 and personal <= set(urls)
    assert all(url.startswith(SITE + "/") for url in urls if url not in personal), urls


def test_plain_text_is_numbered_one_to_ten_with_links_and_placeholders(issue, articles):
    text = render_issue_text(issue)

    numbered = re.findall(r"^(\d+)\. (.+)$", text, flags=re.MULTILINE)
    assert numbered == [(str(n), f"Story number {n}") for n in range(1, 11)]
    assert SITE + articles[9].url in text
    assert "What happened in story 10." in text
    assert UNSUBSCRIBE_PLACEHOLDER in text and PREFERENCES_PLACEHOLDER in text
    assert ADDRESS in text
    assert f"{SITE}/issues/{issue.issue_date.isoformat()}/" in text
    assert "<" not in text and "&#" not in text


def test_headline_and_blurb_overrides_and_hostile_text(site, articles):
    _, issue_index = site
    stories = [IssueStory(article=article, sort_order=n) for n, article in enumerate(articles)]
    stories[0].headline = 'Allies <script>alert("x")</script> & "friends"'
    stories[0].blurb = "Said differently, for the email."
    issue = IssuePageFactory(parent=issue_index, stories=stories)

    html, text = render_issue_html(issue), render_issue_text(issue)

    assert "<script>" not in html
    assert soup(html).find("h2").a.get_text() == stories[0].headline
    assert "Said differently, for the email." in soup(html).get_text()
    assert f"1. {stories[0].headline}" in text  # plain text is not HTML-escaped


def test_snapshot_freezes_the_issue(issue, articles, django_user_model):
    editor = django_user_model.objects.create_user("eddie")
    snapshot = build_snapshot(issue, user=editor)
    snapshot.refresh_from_db()

    assert snapshot.issue == issue and snapshot.issue_date == issue.issue_date
    assert snapshot.subject == issue.get_newsletter_subject()
    assert snapshot.preheader.startswith("Story number 1 · Story number 2")
    assert snapshot.revision == issue.live_revision and snapshot.sent_by == editor
    assert snapshot.is_intact and len(snapshot.content_hash) == 64
    assert UNSUBSCRIBE_PLACEHOLDER in snapshot.html and UNSUBSCRIBE_PLACEHOLDER in snapshot.text
    assert UNSUBSCRIBE_PLACEHOLDER not in snapshot.web_html
    assert [story["rank"] for story in snapshot.stories] == list(range(1, 11))
    first = snapshot.stories[0]
    assert first["headline"] == "Story number 1"
    assert first["url"] == SITE + articles[0].url
    assert first["blurb"] == "What happened in story 1."
    assert first["caption"] == articles[0].image_caption
    assert first["credit"] == articles[0].image_credit
    assert (first["image_width"], first["image_height"]) == (800, 450)  # never enlarged
    assert first["image_url"] == SITE + first["image_path"]
    assert first["image_url"] in snapshot.html and first["image_path"] in snapshot.web_html
    assert len(snapshot.web_html.split('class="card"')) == 11


def test_snapshot_images_are_copies_that_rendition_clean_ups_leave_alone(issue, articles, settings):
    snapshot = build_snapshot(issue)
    files = [Path(settings.MEDIA_ROOT) / story["image_file"] for story in snapshot.stories]
    assert all(f"issues/{issue.issue_date.isoformat()}/" in str(f) for f in files)
    assert all(f.is_file() and f.stat().st_size > 1000 for f in files)

    for article in articles:  # photos edited (renditions purged) or deleted altogether
        article.lead_image.renditions.all().delete()
    articles[0].lead_image.delete()

    assert all(f.is_file() for f in files)


def test_snapshot_refuses_any_change(issue):
    snapshot = build_snapshot(issue)

    snapshot.subject = "Changed"
    with pytest.raises(ValidationError, match="cannot be changed"):
        snapshot.save()
    with pytest.raises(ValidationError, match="cannot be changed"):
        IssueSnapshot.objects.filter(pk=snapshot.pk).update(subject="Changed")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        snapshot.delete()
    assert IssueSnapshot.objects.get().subject == issue.get_newsletter_subject()


def test_snapshot_of_ten_stories_takes_few_queries_and_little_time(issue, capsys):
    render_issue_html(issue)  # the renditions exist from here on
    issue = type(issue).objects.get(pk=issue.pk)

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        snapshot = build_snapshot(issue)
    took = (time.perf_counter() - started) * 1000

    # Stories, articles, images, renditions, the archive page, settings, the revision, insert.
    assert len(queries) <= 9, [q["sql"][:80] for q in queries.captured_queries]
    with capsys.disabled():
        print(
            f"\n  snapshot of ten stories: {took:.1f} ms, email "
            f"{len(snapshot.html.encode()) / 1024:.1f} KB"
        )
    assert took < 1000  # measured around 20 ms; this only catches a runaway


def test_newsletter_preview_mode_shows_the_email(issue):
    response = issue.make_preview_request(preview_mode="newsletter")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    # The preview is the email, to the byte, with the inbox view put in at the top of its
    # body (test_issue_preview.py); a saved campaign's HTML is the email alone.
    email = issue.get_newsletter_html()
    assert email == render_issue_html(issue)
    body = re.search(r"<body[^>]*>", email).end()
    assert html.startswith(email[:body]) and html.endswith(email[body:])
    added = soup(html[body : len(html) - len(email) + body])
    assert added.select_one("[data-inbox-view]") is not None
    assert [h2.a.get_text() for h2 in soup(html).find_all("h2")][:2] == [
        "Story number 1",
        "Story number 2",
    ]


def test_an_editor_previews_unsaved_changes_as_the_email_in_the_admin(
    client, issue, articles, django_user_model
):
    editor = django_user_model.objects.create_user("eddie", password="pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    # The editor moves story 3 to the top with a new headline and removes stories 4 to 10.
    existing = list(issue.stories.all())
    stories = [
        {
            "id": story.pk,
            "article": story.article_id,
            "headline": "",
            "blurb": "",
            "DELETE": "" if n < 3 else "1",
        }
        for n, story in enumerate(existing)
    ]
    stories[:3] = reversed(stories[:3])
    stories[0]["headline"] = "A sharper headline"
    data = nested_form_data(
        {
            "title": issue.title,
            "slug": issue.slug,
            "issue_date": issue.issue_date.isoformat(),
            "preheader": "Previewed preheader",
            "intro": "",
            "newsletter_subject": "",
            "newsletter_recipients": "",
            "stories": inline_formset(stories, initial=10),
        }
    )
    url = f"/admin/pages/{issue.pk}/edit/preview/"

    assert client.post(url, data).json()["is_valid"] is True
    response = client.get(url, {"mode": "newsletter"})

    html = response.content.decode()
    assert [h2.a.get_text() for h2 in soup(html).find_all("h2")] == [
        "A sharper headline",
        "Story number 2",
        "Story number 1",
    ]
    assert hidden_preheader(html).get_text().startswith("Previewed preheader")


def test_a_draft_with_fewer_stories_still_renders(site, articles):
    _, issue_index = site
    draft = IssuePageFactory(parent=issue_index, articles=articles[:3], live=False)

    html = draft.make_preview_request(preview_mode="newsletter").content.decode()

    assert len(soup(html).find_all("h2")) == 3
    assert re.findall(r"^(\d+)\. ", render_issue_text(draft), re.MULTILINE) == ["1", "2", "3"]


def test_the_default_preview_shows_the_archive_page_to_be(issue):
    issue.intro = "An intro not yet published."

    response = issue.make_preview_request(preview_mode="")

    assert response.status_code == 200
    page = soup(response.content.decode())
    assert "once it is sent" in page.select_one(".newsletter-notice").get_text()
    assert page.find("h1").get_text() == issue.get_newsletter_subject()
    assert "An intro not yet published." in page.get_text()
    assert [h2.get_text(strip=True) for h2 in page.select(".issue__stories h2")] == [
        f"Story number {n}" for n in range(1, 11)
    ]
