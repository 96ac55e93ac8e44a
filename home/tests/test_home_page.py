"""The home page a reader lands on: who we are, the sign-up, the latest stories."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from home.models import LATEST_STORIES, PublicationSettings


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
def test_home_says_what_the_publication_is(client, home_page):
    text = soup_of(client.get("/")).get_text(" ")

    assert "Home of Lisa's Top Ten, the daily email that brings you the world." in text
    assert "The first task of the day" in text
    assert "Get the Top Ten every morning" in text


@pytest.mark.django_db
def test_publication_settings_edited_in_the_admin_show_on_the_site(client, home_page):
    settings = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
    settings.tagline = "Ten stories, every morning."
    settings.twitter_handle = "lisastopten"
    settings.save()

    soup = soup_of(client.get("/"))

    assert soup.select_one(".brand__tagline").get_text(strip=True) == "Ten stories, every morning."
    assert soup.find("a", href="https://x.com/lisastopten")


@pytest.mark.django_db
def test_latest_stories_newest_first_without_drafts(client, make_article):
    today = datetime.date.today()
    make_article(title="Yesterday", date=today - datetime.timedelta(days=1))
    make_article(title="Today", date=today)
    make_article(title="Draft", live=False)

    soup = soup_of(client.get("/"))

    titles = [a.get_text(strip=True) for a in soup.select(".latest .card__title a")]
    assert titles == ["Today", "Yesterday"]


def home_queries(client):
    client.get("/")  # the first view generates the card renditions
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_stories(client, make_article):
    make_article()
    one = home_queries(client)
    for _ in range(LATEST_STORIES + 2):
        make_article()
    many = home_queries(client)

    # The latest sent issue, the latest stories (with their sections and images) and the
    # images' renditions; the site, the settings, the news index and "is any page private?"
    # are read once per process and content generation (core.pagecache.generation.memoize).
    assert one == many == 3
