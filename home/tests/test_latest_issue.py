"""The home page's "latest" issue is the newest one sent for today or earlier: tomorrow's issue,
even published and sent early, waits for its day, and the page cache doesn't keep yesterday's
choice past midnight."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from newsletter.factories import IssuePageFactory
from newsletter.issues.rendering import build_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(make_article):
    return [make_article(title=f"Story number {n}") for n in range(1, 11)]


def sent(archive, articles, issue_date, lead):
    """An issue for ``issue_date`` sent (frozen) now, with the article ``lead`` first."""
    ranked = [articles[lead - 1]] + [a for a in articles if a is not articles[lead - 1]]
    build_snapshot(IssuePageFactory(parent=archive, articles=ranked, issue_date=issue_date))


def top_ten(response):
    assert response.status_code == 200
    section = BeautifulSoup(response.content, "html.parser").select_one(".top-ten")
    return section.h2.get_text(), section.select(".card__title a")[0].get_text()


def test_tomorrows_issue_sent_early_is_not_the_latest(client, archive, articles):
    today = timezone.localdate()
    sent(archive, articles, today - datetime.timedelta(days=1), lead=2)
    sent(archive, articles, today + datetime.timedelta(days=1), lead=9)

    assert top_ten(client.get("/")) == ("The latest Top Ten", "Story number 2")


def test_todays_issue_is_the_latest_even_with_tomorrows_sent(client, archive, articles):
    today = timezone.localdate()
    sent(archive, articles, today, lead=3)
    sent(archive, articles, today + datetime.timedelta(days=1), lead=9)

    assert top_ten(client.get("/")) == ("Today's Top Ten", "Story number 3")


def test_the_cached_home_page_is_kept_until_midnight_only(
    client, archive, articles, settings, tmp_path, monkeypatch
):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    settings.PAGE_CACHE_SHARED_SECONDS = 3600
    today = timezone.localdate()
    sent(archive, articles, today, lead=3)
    sent(archive, articles, today + datetime.timedelta(days=1), lead=9)
    tomorrow = today + datetime.timedelta(days=1)
    midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    late_evening = midnight - datetime.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: late_evening)

    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    # A CDN keeps it no longer than the store does: ten minutes to midnight, not an hour.
    assert "s-maxage=600" in first["Cache-Control"]
    second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert top_ten(second) == ("Today's Top Ten", "Story number 3")

    # Five minutes past midnight: nothing was published, yet the page says what is new.
    after = midnight + datetime.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: after)
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", after.timestamp)
    third = client.get("/")

    assert third["X-Page-Cache"] == "miss"
    assert top_ten(third) == ("Today's Top Ten", "Story number 9")


def test_other_pages_keep_their_usual_lifetime(client, make_article, settings, tmp_path):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    settings.PAGE_CACHE_SHARED_SECONDS = 60
    article = make_article(title="Austin rallies allies")

    response = client.get(article.url)

    assert response["X-Page-Cache"] == "miss"
    assert "s-maxage=60" in response["Cache-Control"]
