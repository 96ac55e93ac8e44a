"""Lists of stories: the news index, section and tag pages, search, feeds and sitemap."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.factories import SectionFactory
from news.models.index import PER_PAGE


def titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select(".card__title a")]


@pytest.mark.django_db
def test_index_lists_newest_first_and_paginates(client, make_article):
    today = datetime.date.today()
    for n in range(PER_PAGE + 2):
        make_article(title=f"Story {n:02d}", date=today - datetime.timedelta(days=n))

    first = client.get("/")
    second = client.get("/?page=2")

    assert titles(first)[:2] == ["Story 00", "Story 01"]
    assert len(titles(first)) == PER_PAGE
    assert titles(second) == ["Story 12", "Story 13"]
    assert client.get("/?page=99").status_code == 404
    assert titles(client.get("/?page=abc")) == titles(first)


@pytest.mark.django_db
def test_section_and_tag_pages(client, make_article):
    science = SectionFactory(name="Science", slug="science")
    make_article(title="In Europe", tags=["NATO"])
    make_article(title="In Science", section=science)

    section = client.get("/section/science/")
    tag = client.get("/tag/nato/")

    assert titles(section) == ["In Science"]
    assert b"<h1>Science</h1>" in section.content
    assert titles(tag) == ["In Europe"]
    assert client.get("/section/nowhere/").status_code == 404
    assert client.get("/tag/nothing/").status_code == 404


@pytest.mark.django_db
def test_article_links_to_its_section_and_tags(client, make_article):
    article = make_article(tags=["NATO"])
    soup = BeautifulSoup(client.get(article.url).content, "html.parser")

    assert client.get(soup.select_one(".kicker a")["href"]).status_code == 200
    assert client.get(soup.select_one(".tags a")["href"]).status_code == 200


@pytest.mark.django_db
def test_search_finds_live_articles(client, make_article):
    make_article(title="Austin rallies allies", summary="The Pentagon chief in Brussels.")
    make_article(title="Rain in Spain")

    found = client.get("/search/", {"q": "Pentagon"})
    nothing = client.get("/search/", {"q": "zzzqqq"})
    empty = client.get("/search/")

    assert titles(found) == ["Austin rallies allies"]
    assert b"No stories found" in nothing.content
    assert empty.status_code == 200


@pytest.mark.django_db
def test_search_results_cost_the_same_queries_however_many(client, make_article):
    def queries():
        client.get("/search/", {"q": "Pentagon"})  # the card renditions are made here
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": "Pentagon"}).status_code == 200
        return len(captured.captured_queries)

    make_article(title="Pentagon one")
    one = queries()
    for n in range(6):
        make_article(title=f"Pentagon story {n}")

    # The search with its count, the matching cards (section and photo joined in), their
    # renditions.
    assert one == queries() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "x" * 5000,
        "\u202eevil",
        "%00",
        "\r\nSet-Cookie: a=b",
    ],
)
def test_search_survives_hostile_queries(client, news_index, query):
    response = client.get("/search/", {"q": query, "page": "-1"})

    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.django_db
def test_feeds_and_sitemap(client, make_article):
    article = make_article(title="Austin rallies allies")

    rss = client.get("/feed/")
    atom = client.get("/feed/atom/")
    sitemap = client.get("/sitemap.xml")
    robots = client.get("/robots.txt")

    assert rss["Content-Type"].startswith("application/rss+xml")
    assert b"<title>Austin rallies allies</title>" in rss.content
    assert b"<title>Austin rallies allies</title>" in atom.content
    assert article.full_url.encode() in sitemap.content
    assert b"Sitemap: http://testserver/sitemap.xml" in robots.content


@pytest.mark.django_db
def test_missing_page_is_a_friendly_404(client, news_index):
    response = client.get("/no-such-story/")

    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content
