"""Today's Top Ten on the home page: the latest sent issue, as it was sent."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from newsletter.factories import IssuePageFactory
from newsletter.issues.rendering import build_snapshot


@pytest.fixture
def articles(make_article):
    return [
        make_article(title=f"Story number {n}", summary=f"Why story {n} matters.")
        for n in range(1, 11)
    ]


def top_ten(client):
    response = client.get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one(".top-ten")


@pytest.mark.django_db
def test_before_the_first_issue_is_sent_it_says_one_is_coming(client, archive, articles):
    IssuePageFactory(parent=archive, articles=articles, issue_date=timezone.localdate())

    section = top_ten(client)

    assert section.h2.get_text() == "Today's Top Ten"
    assert "Today's issue is on its way" in section.get_text()
    assert not section.find("a")


@pytest.mark.django_db
def test_todays_sent_issue_shows_its_ten_stories_and_links_to_its_archive(
    client, archive, articles
):
    today = timezone.localdate()
    build_snapshot(IssuePageFactory(parent=archive, articles=articles, issue_date=today))

    section = top_ten(client)

    assert section.h2.get_text() == "Today's Top Ten"
    headlines = section.select(".card__title a")
    assert [a.get_text() for a in headlines] == [f"Story number {n}" for n in range(1, 11)]
    assert [a["href"] for a in headlines] == [article.url for article in articles]
    assert "Why story 3 matters." in section.get_text()
    link = section.find("a", href=f"/issues/{today.isoformat()}/")
    assert link is not None
    assert client.get(link["href"]).status_code == 200


@pytest.mark.django_db
def test_the_top_ten_is_the_snapshot_not_todays_articles(client, archive, articles):
    build_snapshot(
        IssuePageFactory(parent=archive, articles=articles, issue_date=timezone.localdate())
    )
    articles[0].title = "EDITED after sending"
    articles[0].save_revision().publish()

    headlines = [a.get_text() for a in top_ten(client).select(".card__title a")]

    assert headlines[0] == "Story number 1"


@pytest.mark.django_db
def test_the_latest_issue_wins_and_an_older_one_says_so(client, archive, articles):
    today = timezone.localdate()
    for days_ago, subject in [(3, "Older"), (1, "Yesterday's")]:
        build_snapshot(
            IssuePageFactory(
                parent=archive,
                articles=articles[days_ago:] + articles[:days_ago],
                issue_date=today - datetime.timedelta(days=days_ago),
                newsletter_subject=subject,
            )
        )

    section = top_ten(client)

    assert section.h2.get_text() == "The latest Top Ten"
    assert section.select(".card__title a")[0].get_text() == "Story number 2"
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert section.find("a", href=f"/issues/{yesterday}/")


@pytest.mark.django_db
def test_showing_the_top_ten_costs_one_query_more(client, archive, articles):
    from .test_home_page import home_queries

    without = home_queries(client)
    build_snapshot(
        IssuePageFactory(parent=archive, articles=articles, issue_date=timezone.localdate())
    )

    # The snapshot was already looked for; the archive page's address is the one more.
    assert home_queries(client) == without + 1
