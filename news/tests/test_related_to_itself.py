"""An article cannot point readers back to itself: not as its Related Story, not among its
Related Posts. The editor gets the error on the field, and nothing is saved."""

import pytest
from bs4 import BeautifulSoup

from news.factories import CaptionedImageFactory
from news.forms import NOT_ITSELF_POST, NOT_ITSELF_STORY

from .test_editor_admin import article_form

pytestmark = pytest.mark.django_db


def post_edit(client, article, story, posts, europe):
    data = article_form(article.title, CaptionedImageFactory(), story, posts, europe)
    data["slug"] = article.slug
    return client.post(f"/admin/pages/{article.pk}/edit/", data)


def field_error(response, name):
    """The error text Wagtail shows beside the field posted as ``name``."""
    soup = BeautifulSoup(response.content, "html.parser")
    field = soup.find(attrs={"name": name})
    assert field is not None, name
    error = field.find_parent(class_="w-field").find(class_="error-message")
    return " ".join(error.get_text(" ", strip=True).split()) if error else ""


def test_an_article_cannot_be_its_own_related_story(editor_client, make_article, europe):
    article, other = make_article(title="Austin rallies allies"), make_article(title="Allies agree")

    response = post_edit(editor_client, article, article, [other], europe)

    assert response.status_code == 200
    assert field_error(response, "related_story") == NOT_ITSELF_STORY
    article.refresh_from_db()
    assert article.related_story_id is None
    assert not article.has_unpublished_changes


def test_an_article_cannot_be_among_its_own_related_posts(editor_client, make_article, europe):
    article, other = make_article(title="Austin rallies allies"), make_article(title="Allies agree")

    response = post_edit(editor_client, article, other, [other, article], europe)

    assert response.status_code == 200
    assert field_error(response, "related_posts-1-post") == NOT_ITSELF_POST
    assert field_error(response, "related_posts-0-post") == ""  # the other pick is fine
    article.refresh_from_db()
    assert article.related_story_id is None
    assert list(article.related_posts.all()) == []


def test_another_article_is_fine(editor_client, make_article, europe):
    article, other = make_article(title="Austin rallies allies"), make_article(title="Allies agree")

    response = post_edit(editor_client, article, other, [other], europe)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.related_story_id == other.pk
