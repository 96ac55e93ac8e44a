"""The story chooser as an editor sees it: the newest live articles first, each with its date,
section and photo, marked "In this issue" and "In yesterday's issue"; search; how many more fit;
the ticked articles come back in the order they were ticked; the page stays fast."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from news.factories import ArticlePageFactory, SectionFactory
from newsletter.models import IssueSnapshot

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 23)
CHOOSE = "newsletter_story_chooser:choose"


def modal(client, **params):
    """The modal's HTML (Wagtail sends it as JSON) as a parsed document."""
    response = client.get(reverse(CHOOSE), {"multiple": 1, **params})
    assert response.status_code == 200
    return BeautifulSoup(json.loads(response.content)["html"], "html.parser")


def rows(soup):
    """Each listed article as ``(headline, date, section, has a photo, marks)``."""
    found = []
    for row in soup.select("#search-results tbody tr"):
        cells = row.find_all("td")
        headline = row.select_one(".story-chooser__headline label").get_text(strip=True)
        marks = [mark.get_text(strip=True) for mark in row.select("[data-story-mark]")]
        photo = row.select_one(".story-chooser__thumbnail img")
        found.append(
            (
                headline,
                cells[3].get_text(strip=True),
                cells[4].get_text(strip=True),
                bool(photo and photo["src"]),
                marks,
            )
        )
    return found


def sent_issue(day, articles):
    IssueSnapshot(
        issue=None,
        issue_date=day,
        subject="x",
        html="x",
        text="x",
        web_html="x",
        stories=[{"rank": n, "article_id": a.pk} for n, a in enumerate(articles, 1)],
    ).save()


@pytest.fixture
def newsroom(news_index):
    asia, europe = SectionFactory(name="Asia"), SectionFactory(name="Europe")
    make = ArticlePageFactory
    return {
        "old": make(
            parent=news_index,
            title="Floods in Bangladesh",
            date=DAY - datetime.timedelta(days=2),
            section=asia,
        ),
        "yesterday": make(
            parent=news_index,
            title="Austin rallies allies",
            date=DAY - datetime.timedelta(days=1),
            section=europe,
        ),
        "today": make(parent=news_index, title="Record Amazon year", date=DAY, section=europe),
        "draft": make(parent=news_index, title="Unfinished story", date=DAY, live=False),
    }


def test_newest_live_articles_first_with_date_section_photo_and_marks(editor_client, newsroom):
    sent_issue(DAY - datetime.timedelta(days=1), [newsroom["old"]])
    sent_issue(DAY - datetime.timedelta(days=5), [newsroom["yesterday"]])  # an older issue

    soup = modal(editor_client, issue_date=DAY.isoformat(), in_issue=f"{newsroom['yesterday'].pk}")

    assert rows(soup) == [
        ("Record Amazon year", "Mon 23 Nov 2026", "Europe", True, []),
        ("Austin rallies allies", "Sun 22 Nov 2026", "Europe", True, ["In this issue"]),
        ("Floods in Bangladesh", "Sat 21 Nov 2026", "Asia", True, ["In yesterday's issue"]),
    ]
    header = [th.get_text(strip=True) for th in soup.select("#search-results thead th")]
    assert header[1:] == ["Photo", "Headline", "Date", "Section"]
    # An article already in the issue cannot be ticked again.
    boxes = {box["value"]: box for box in soup.select("input[data-multiple-choice-select]")}
    assert "disabled" in boxes[str(newsroom["yesterday"].pk)].attrs
    assert "disabled" not in boxes[str(newsroom["today"].pk)].attrs
    remaining = soup.select_one("[data-story-chooser-target=message]").get_text(" ", strip=True)
    assert remaining == "You can add 9 more stories (an issue has ten)."


def test_the_last_issue_sent_is_named_by_its_date_when_not_yesterday(editor_client, newsroom):
    sent_issue(DAY - datetime.timedelta(days=3), [newsroom["old"]])

    soup = modal(editor_client, issue_date=DAY.isoformat())

    marks = {headline: marks for headline, *_, marks in rows(soup)}
    assert marks["Floods in Bangladesh"] == ["In the issue of Friday 20 November"]


def test_a_full_issue_says_so_and_nonsense_in_the_address_is_ignored(editor_client, newsroom):
    ids = ",".join(str(n) for n in range(1000, 1010))

    soup = modal(editor_client, issue_date="not-a-date", in_issue=f"{ids},x,,-1")

    text = soup.select_one("[data-story-chooser-target=message]").get_text(" ", strip=True)
    assert text == "Ten stories are in. Remove one to add another."
    assert len(rows(soup)) == 3


def test_search_finds_headlines_newest_first(editor_client, newsroom, news_index):
    ArticlePageFactory(
        parent=news_index, title="Allies meet again", date=DAY - datetime.timedelta(days=9)
    )

    response = editor_client.get(
        reverse("newsletter_story_chooser:choose_results"), {"multiple": 1, "q": "allies"}
    )

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    headlines = [
        label.get_text(strip=True) for label in soup.select(".story-chooser__headline label")
    ]
    assert headlines == ["Austin rallies allies", "Allies meet again"]
    assert "There are 2 matches" in soup.get_text()


def test_the_ticked_articles_come_back_in_the_order_they_were_ticked(editor_client, newsroom):
    ticked = [newsroom["old"], newsroom["today"], newsroom["yesterday"]]

    response = editor_client.get(
        reverse("newsletter_story_chooser:chosen_multiple"),
        # The boxes arrive in the listing's order; ``ticked`` says the order of the ticks.
        [("id", a.pk) for a in sorted(ticked, key=lambda a: -a.date.toordinal())]
        + [("ticked", a.pk) for a in ticked]
        + [("ticked", "junk")],
    )

    result = json.loads(response.content)["result"]
    assert [item["title"] for item in result] == [a.title for a in ticked]


@pytest.mark.parametrize("count", [5, 50])
def test_the_chooser_costs_the_same_queries_for_5_or_50_articles(
    editor_client, news_index, count, django_assert_num_queries
):
    for n in range(count):
        ArticlePageFactory(
            parent=news_index, title=f"Story {n}", date=DAY - datetime.timedelta(days=n)
        )
    sent_issue(DAY - datetime.timedelta(days=1), [])
    modal(editor_client, issue_date=DAY.isoformat())  # makes the photos' renditions once

    with django_assert_num_queries(QUERIES):
        soup = modal(editor_client, issue_date=DAY.isoformat())

    assert len(rows(soup)) == min(count, 20)
    assert all(has_photo for *_, has_photo, _marks in rows(soup))


QUERIES = 10
