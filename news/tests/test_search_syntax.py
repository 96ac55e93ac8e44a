"""Whatever a reader types into search gets results or "No stories found", never a server
error: the database's full-text syntax (quotes, ``*``, ``AND``, ``NEAR(``, ``-``, ``^``,
parentheses) is not the reader's. Runs on the database DATABASE_URL points at (SQLite's FTS5
here, PostgreSQL's full-text search in CI)."""

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db

QUERIES = [
    '"',
    '""',
    '"""',
    'Pentagon "chief',
    '"Pentagon',
    'chief"',
    '"Pentagon" "',
    "'",
    "'Pentagon",
    "*",
    "**",
    "Pent*",
    "*gon",
    "AND",
    "OR",
    "NOT",
    "Pentagon AND",
    "AND Pentagon",
    "NOT chief",
    "NEAR(",
    "NEAR(Pentagon chief)",
    "NEAR(Pentagon, 2)",
    "-",
    "--",
    "-Pentagon",
    "^",
    "^Pentagon",
    "(",
    ")",
    "()",
    "(Pentagon",
    "Pentagon)",
    "((a) OR b",
    "+",
    ":",
    "title:",
    "title:Pentagon",
    "{Pentagon chief}",
    "[",
    "\\",
    '\\"',
    "a & b | !c",
    "<->",
    "'':*",
    "!",
    "Pentagon" + " chief" * 300,
    "x" * 5000,
    '"' * 500,
    "a\x00b",
    '\x00"',
    "Brüssel «chef»",
    '\u202e"',
    "\u201cPentagon chief\u201d",
    "\u201eBrussels",
    '\U0001f4a9 "',
    "日本語",
    'e\u0301"',
    "%",
    "_",
    "%_%",
]


def outcome(response):
    """The titles found, [] for "No stories found"; fails on an error or anything else."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    titles = [h.get_text(strip=True) for h in soup.select(".cards h2")]
    nothing = "No stories found" in soup.get_text()
    assert bool(titles) != nothing, "either results or a friendly nothing found"
    return titles


def answer(client, query):
    try:
        return outcome(client.get("/search/", {"q": query}))
    except Exception as error:  # every query is tried, the failures listed
        return error


@pytest.fixture
def stories(make_article):
    make_article(title="Austin rallies allies", summary="The Pentagon chief in Brussels.")
    make_article(title="Rain in Spain", summary="Chief forecaster says the Pentagon is dry.")


def test_any_query_gets_results_or_nothing_found(client, stories):
    failures = {
        query: error for query in QUERIES if isinstance(error := answer(client, query), Exception)
    }

    assert failures == {}


@pytest.mark.parametrize("query", ["\x00", " \t\n "])
def test_a_query_of_nothing_shows_the_search_form(client, stories, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert b'name="q"' in response.content and b"found" not in response.content


def test_a_phrase_in_quotes_finds_those_words_together(client, stories):
    assert outcome(client.get("/search/", {"q": '"Pentagon chief"'})) == ["Austin rallies allies"]
    assert outcome(client.get("/search/", {"q": "\u201cPentagon chief\u201d"})) == [
        "Austin rallies allies"
    ]
    assert outcome(client.get("/search/", {"q": '"chief Pentagon"'})) == []


def test_an_unbalanced_quote_searches_the_words(client, stories):
    assert outcome(client.get("/search/", {"q": 'Brussels "chief'})) == ["Austin rallies allies"]
