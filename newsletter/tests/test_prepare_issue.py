"""``manage.py prepare_issue``: tomorrow's draft, filled with the newest articles."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from news.factories import ArticlePageFactory
from newsletter.factories import IssueIndexPageFactory, IssuePageFactory, daily_list
from newsletter.models import IssuePage

pytestmark = pytest.mark.django_db


def make_articles(news_index, count):
    today = timezone.localdate()
    return [
        ArticlePageFactory(
            parent=news_index, title=f"Story {n}", date=today - datetime.timedelta(days=n)
        )
        for n in range(count)
    ]


def prepare(*args):
    output = StringIO()
    call_command("prepare_issue", *args, stdout=output)
    return output.getvalue()


def test_creates_tomorrows_draft_with_the_ten_newest_articles(home_page, news_index, settings):
    IssueIndexPageFactory(parent=home_page)
    articles = make_articles(news_index, 12)
    ArticlePageFactory(parent=news_index, title="Unpublished", live=False)

    output = prepare()

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    issue = IssuePage.objects.get()
    assert issue.issue_date == tomorrow and issue.slug == tomorrow.isoformat()
    assert not issue.live  # a draft for the editors to finish and publish
    assert [s.article_id for s in issue.latest_revision.as_object().stories.all()] == [
        a.pk for a in articles[:10]
    ]
    assert [s.article_id for s in issue.stories.all()] == [a.pk for a in articles[:10]]
    assert "10 of 10 stories" in output
    assert f"{settings.WAGTAILADMIN_BASE_URL}/admin/pages/{issue.pk}/edit/" in output


def test_running_again_changes_nothing(home_page, news_index):
    IssueIndexPageFactory(parent=home_page)
    make_articles(news_index, 10)
    prepare("--date", "2026-12-01")

    output = prepare("--date", "2026-12-01")

    assert IssuePage.objects.count() == 1
    assert "already exists (10 of 10 stories)" in output and "nothing changed" in output


def test_with_fewer_articles_it_says_how_many_are_missing(home_page, news_index):
    IssueIndexPageFactory(parent=home_page)
    make_articles(news_index, 7)

    output = prepare("--date", "2026-12-01")

    assert "7 of 10 stories" in output and "add 3 more before sending" in output


def test_plain_words_when_something_is_missing(home_page):
    with pytest.raises(CommandError, match="no issue archive page"):
        prepare()
    with pytest.raises(CommandError, match="write it as YYYY-MM-DD"):
        prepare("--date", "1 December")


def test_the_draft_goes_to_the_readers_with_stories_the_issue_before_it_lacks(
    home_page, news_index
):
    index = IssueIndexPageFactory(parent=home_page)
    articles = make_articles(news_index, 12)
    IssuePageFactory(parent=index, issue_date=timezone.localdate(), articles=articles[:3])

    output = prepare()

    draft = IssuePage.objects.get(issue_date=timezone.localdate() + datetime.timedelta(days=1))
    assert [s.article_id for s in draft.stories.all()] == [a.pk for a in articles[3:]]
    assert "9 of 10 stories" in output and "add 1 more before sending" in output
    assert draft.newsletter_recipients.audience == str(daily_list().pk)
