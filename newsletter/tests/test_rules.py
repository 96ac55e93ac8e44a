"""newsletter.rules asked directly: each rule says the same words wherever it is checked (the
model, the edit form, sending), and the campaign statuses are the model's."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from newsletter import rules
from newsletter.factories import IssuePageFactory
from newsletter.models import Campaign, IssueStory

from .issue_setup import make_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(news_index, archive):
    """``(news_index, issue archive)`` of the root conftest's page tree."""
    return news_index, archive


@pytest.fixture
def articles(news_index):
    return make_articles(news_index, count=11)


def stories(articles):
    return [IssueStory(article=article, sort_order=rank) for rank, article in enumerate(articles)]


def test_the_same_article_twice_is_one_rule_with_one_message(site, articles):
    twice = [*articles[:9], articles[0]]
    message = f'"{articles[0].title}" is in this issue twice: remove one of them.'

    assert rules.story_problems(stories(twice)) == [message]
    issue = IssuePageFactory(parent=site[1], articles=articles[:10])
    issue.stories = stories(twice)
    with pytest.raises(ValidationError) as refused:
        issue.full_clean()
    assert refused.value.message_dict["stories"] == [message]
    assert message in rules.sending_problems(issue)


def test_at_most_ten_stories_even_in_a_draft(articles):
    assert rules.story_problems(stories(articles[:10])) == []
    assert rules.story_problems(stories(articles)) == [
        "An issue holds 10 stories; this one has 11. Remove some."
    ]


def test_a_published_issue_of_ten_live_stories_is_ready(site, articles):
    issue = IssuePageFactory(
        parent=site[1], articles=articles[:10], issue_date=datetime.date(2026, 11, 23)
    )

    assert rules.sending_problems(issue) == []
    assert rules.problems_before_sending(issue) == []
    assert rules.version_to_send(issue) == issue


def test_the_campaign_statuses_are_the_models():
    assert {value for value, _label in Campaign.Status.choices} == (rules.STARTED | rules.SENDABLE)
    for move in rules.MOVES.values():
        assert move.sources <= set(Campaign.Status.values)
        assert move.target in Campaign.Status.values
