"""Routing below the home page: its sections are remembered, never stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def status(client, url):
    return client.get(url).status_code


@pytest.mark.django_db
def test_a_renamed_section_moves_its_stories_at_once(client, make_article, news_index):
    story = make_article(title="Moved story", slug="moved-story")
    old_url = story.url
    assert status(client, old_url) == 200  # the news index is remembered from here on

    news_index.slug = "world"
    news_index.save_revision().publish()

    assert status(client, old_url) == 404
    assert status(client, "/world/moved-story/") == 200


@pytest.mark.django_db
def test_the_section_below_the_home_page_is_not_looked_up_on_every_view(client, make_article):
    story = make_article(title="Deep story")
    client.get(story.url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(story.url).status_code == 200

    assert not [q for q in queries.captured_queries if "news_newsindexpage" in q["sql"]]


@pytest.mark.django_db
def test_an_unknown_section_is_a_404(client, home_page):
    assert status(client, "/no-such-section/") == 404
    assert status(client, "/no-such-section/story/") == 404
