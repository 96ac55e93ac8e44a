"""Assembling a day's issue: the most recent articles, added as the issue's ranked stories.

Used by ``manage.py prepare_issue`` (tomorrow's draft) and by the demo seeding (today's issue,
published). Nothing here sends anything.
"""

import datetime

from django.utils.dateformat import format as format_date

from core.pagecache.privacy import public
from news.models import ArticlePage
from newsletter.models import IssueIndexPage, IssuePage, IssueStory
from newsletter.rules import STORIES_PER_ISSUE


def most_recent_articles(count=STORIES_PER_ISSUE):
    """The ``count`` newest live, public articles, newest first."""
    return list(
        public(ArticlePage.objects.live()).order_by("-date", "-first_published_at", "-pk")[:count]
    )


def issue_title(issue_date):
    return f"Issue of {format_date(issue_date, 'j F Y')}"


def create_issue(index, issue_date, articles, *, publish=False, user=None, **fields):
    """A new ``IssuePage`` under ``index`` for ``issue_date`` with ``articles`` as its stories
    in that order, saved as a revision and published only if ``publish``."""
    if not isinstance(issue_date, datetime.date):
        raise TypeError("issue_date must be a date")
    issue = IssuePage(
        title=fields.pop("title", issue_title(issue_date)),
        slug=issue_date.isoformat(),
        issue_date=issue_date,
        live=False,
        has_unpublished_changes=True,
        **fields,
    )
    issue.stories = [
        IssueStory(article=article, sort_order=rank) for rank, article in enumerate(articles)
    ]
    index.add_child(instance=issue)
    revision = issue.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return IssuePage.objects.get(pk=issue.pk)


def issue_index():
    """The archive page issues live under, or None if there is none yet."""
    return IssueIndexPage.objects.order_by("path").first()
