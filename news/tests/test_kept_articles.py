"""An article page is rendered for every reader, from what each process keeps until the
content changes (news.models.kept): nothing it shows is stale after a publish, whether the
change was made by this process or by another one (which only changes the generation)."""

import contextlib

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.images.rect import Rect

from core.pagecache import generation
from news.factories import CaptionedImageFactory
from news.models import ArticlePage, CaptionedImage
from news.tests.test_editor_admin import article_form


@pytest.fixture(autouse=True)
def generation_file(settings, tmp_path):
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"


def read(client, url):
    """The page an anonymous reader gets, and the SQL queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser"), len(queries.captured_queries)


def related_story(soup):
    line = soup.select_one(".related-story a")
    return line.get_text(strip=True) if line else None


def cards(soup):
    return [a.get_text(strip=True) for a in soup.select(".related-posts .card__title a")]


def card_images(soup):
    return [img["src"] for img in soup.select(".related-posts .card img")]


@contextlib.contextmanager
def made_by(where, capture):
    """A change made here, or by another process: then this one's kept values are not
    cleared by it (its memory is put back as it was); only the generation it reads tells."""
    before = dict(generation._memo)
    with capture(execute=True):  # the change commits: the generation moves on
        yield
    if where == "another process":
        generation._memo.clear()
        generation._memo.update(before)


PROCESSES = ["this process", "another process"]


@pytest.fixture
def story(make_article):
    """ "Austin rallies allies", whose related story and first related post is "Allies agree"."""
    other = make_article(title="Allies agree", slug="allies-agree")
    return make_article(title="Austin rallies allies", related_story=other, related=[other])


@pytest.mark.django_db
def test_a_kept_article_is_read_without_a_query_until_something_changes(client, story):
    first, _ = read(client, story.url)
    again, queries = read(client, story.url)

    assert queries == 0
    assert str(again) == str(first)

    other = story.related_story
    other.title = "A draft headline"
    other.save_revision()  # drafts change nothing readers see

    drafted, queries = read(client, story.url)
    assert queries == 0
    assert related_story(drafted) == "Allies agree"


@pytest.mark.django_db
@pytest.mark.parametrize("where", PROCESSES)
def test_a_new_headline_shows_on_the_articles_that_relate_to_it(
    where, editor_client, story, europe, django_capture_on_commit_callbacks
):
    reader = Client()
    read(reader, story.url), read(reader, story.url)
    other = story.related_story
    form = article_form("Allies meet again", CaptionedImageFactory(), story, [], europe)
    form["slug"] = other.slug

    with made_by(where, django_capture_on_commit_callbacks):
        response = editor_client.post(f"/admin/pages/{other.pk}/edit/", form)
        assert response.status_code == 302, response.content[:2000]

    soup, _ = read(reader, story.url)
    assert related_story(soup) == "Allies meet again"
    assert cards(soup)[0] == "Allies meet again"
    assert "Allies agree" not in soup.get_text()
    assert read(reader, story.url)[1] == 0  # kept again


@pytest.mark.django_db
@pytest.mark.parametrize("where", PROCESSES)
def test_a_new_related_story_shows_at_once(
    where, client, make_article, story, django_capture_on_commit_callbacks
):
    newer = make_article(title="Ministers sign the pact")
    read(client, story.url)

    with made_by(where, django_capture_on_commit_callbacks):
        page = ArticlePage.objects.get(pk=story.pk)
        page.related_story = newer
        page.save_revision().publish()

    soup, _ = read(client, story.url)
    assert related_story(soup) == "Ministers sign the pact"


@pytest.mark.django_db
@pytest.mark.parametrize("where", PROCESSES)
def test_a_new_photo_of_a_related_post_shows_on_its_card(
    where, client, story, django_capture_on_commit_callbacks
):
    before = card_images(read(client, story.url)[0])
    photo = CaptionedImageFactory(title="The pact signed")

    with made_by(where, django_capture_on_commit_callbacks):
        other = ArticlePage.objects.get(pk=story.related_story_id)
        other.lead_image = photo
        other.save_revision().publish()

    after = card_images(read(client, story.url)[0])
    stem = photo.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert after[0] != before[0]
    assert stem in after[0]


@pytest.mark.django_db
@pytest.mark.parametrize("where", PROCESSES)
def test_an_edited_photo_shows_on_every_page_that_uses_it(
    where, client, make_article, django_capture_on_commit_callbacks
):
    photo = CaptionedImageFactory(caption="Tanks on parade.")
    first = make_article(title="First", lead_image=photo)
    second = make_article(
        title="Second",
        body=[{"type": "image", "value": {"image": photo.pk, "caption": "", "credit": ""}}],
    )
    read(client, first.url), read(client, second.url)

    with made_by(where, django_capture_on_commit_callbacks):
        edited = CaptionedImage.objects.get(pk=photo.pk)
        edited.caption = "Tanks leave the city."
        edited.description = "Three tanks on a bridge"
        edited.save()

    lead, _ = read(client, first.url)
    assert (
        lead.select_one("figure.lead-image figcaption")
        .get_text(" ", strip=True)
        .startswith("Tanks leave the city.")
    )
    assert lead.select_one("figure.lead-image img")["alt"] == "Three tanks on a bridge"
    body, _ = read(client, second.url)
    assert (
        body.select_one("figure.body-image figcaption")
        .get_text(" ", strip=True)
        .startswith("Tanks leave the city.")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("where", PROCESSES)
def test_an_unpublished_related_post_leaves_the_other_pages(
    where, client, story, django_capture_on_commit_callbacks
):
    assert cards(read(client, story.url)[0])[0] == "Allies agree"

    with made_by(where, django_capture_on_commit_callbacks):
        ArticlePage.objects.get(pk=story.related_story_id).unpublish()

    soup, _ = read(client, story.url)
    assert related_story(soup) is None
    assert "Allies agree" not in cards(soup)


@pytest.mark.django_db
@pytest.mark.parametrize("where", PROCESSES)
def test_a_photos_new_focal_point_recrops_its_cards(
    where, client, story, django_capture_on_commit_callbacks
):
    before = card_images(read(client, story.url)[0])

    with made_by(where, django_capture_on_commit_callbacks):
        photo = CaptionedImage.objects.get(pk=story.related_story.lead_image_id)
        photo.set_focal_point(Rect(0, 0, photo.width // 4, photo.height // 4))
        photo.save()

    after = card_images(read(client, story.url)[0])
    photo.refresh_from_db()
    assert after[0] != before[0]
    assert after[0] == photo.get_rendition("fill-480x270|format-jpeg").url  # the new crop
