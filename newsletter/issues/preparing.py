"""Assembling a day's issue: the next free date, the newest articles as its ranked stories, the
readers it goes to.

Used by the worker (``prepare_if_due``: tomorrow's draft at ``NEWSLETTER_PREPARE_AT``, called by
``db_worker``'s housekeeping), by ``manage.py prepare_issue`` (the same draft, from cron), by
the admin's "New issue" form (its date and title, ``newsletter/wagtail_hooks.py``) and by the
demo seeding (today's issue, published). Nothing here sends anything.

The worker prepares at most one draft a day: it writes down the day it did
(``PreparedDraft``, one row per day, the day unique), in the same transaction as the draft. So
two workers at once make one draft, and a draft an editor deleted is not made again that day
(they deleted it on purpose); the next day's round prepares the next free date again.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.pagecache.privacy import public
from news.models import ArticlePage
from newsletter.conf import prepare_at
from newsletter.issues.defaults import default_recipients
from newsletter.models import IssueIndexPage, IssuePage, IssueStory, PreparedDraft
from newsletter.rules import STORIES_PER_ISSUE, issue_title, sent_version

__all__ = [
    "create_issue",
    "fresh_articles",
    "issue_index",
    "issue_title",
    "most_recent_articles",
    "next_free_date",
    "prepare_draft",
    "prepare_if_due",
]

logger = logging.getLogger(__name__)
ONE_DAY = datetime.timedelta(days=1)
# The day this process last said there is no archive to prepare under (once a day, not every
# round).
_warned_on = None


def most_recent_articles(count=STORIES_PER_ISSUE, exclude=()):
    """The ``count`` newest live, public articles, newest first (but those in ``exclude``,
    article ids)."""
    articles = public(ArticlePage.objects.live()).exclude(pk__in=list(exclude))
    return list(articles.order_by("-date", "-first_published_at", "-pk")[:count])


def next_free_date(start=None):
    """The first day from ``start`` (default: today, in the publication's time zone) that has
    no issue: ``start`` itself if it is free, else the day after, and so on."""
    day = start or timezone.localdate()
    taken = set(IssuePage.objects.filter(issue_date__gte=day).values_list("issue_date", flat=True))
    while day in taken:
        day += ONE_DAY
    return day


def previous_issue_articles(issue_date):
    """The article ids of the issue before ``issue_date`` (normally the one sent that morning),
    as it went out or would go out: its published version, else its draft."""
    previous = IssuePage.objects.filter(issue_date__lt=issue_date).order_by("-issue_date").first()
    if previous is None:
        return set()
    return {story.article_id for story in sent_version(previous).stories.all()}


def fresh_articles(issue_date, count=STORIES_PER_ISSUE):
    """The stories a new issue starts with: the ``count`` newest live articles that the issue
    before it does not already hold. Fewer when there are not enough: readers don't get
    yesterday's stories again, and a draft of fewer than ten cannot be sent until an editor
    adds the missing ones."""
    return most_recent_articles(count, exclude=previous_issue_articles(issue_date))


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


def prepare_draft(index, issue_date):
    """The draft of ``issue_date``: its fresh stories (``fresh_articles``) and the default
    readers as recipients. Raises ValidationError (or, in a close race, IntegrityError) if
    the day has an issue by now."""
    articles = fresh_articles(issue_date)
    return create_issue(index, issue_date, articles, newsletter_recipients=default_recipients())


def issue_index():
    """The archive page issues live under, or None if there is none yet."""
    return IssueIndexPage.objects.order_by("path").first()


def prepare_if_due(now=None):
    """The worker's daily draft: once the publication's local time is past
    ``NEWSLETTER_PREPARE_AT``, the draft of the next free date after today, unless a draft was
    prepared today already. Returns the new issue, or None when there was nothing to do.

    Never touches an existing issue. Safe to call from several workers at once and every few
    seconds: a day's preparation is written down with its draft, in one transaction, and the
    second worker's write fails on the unique day and changes nothing."""
    at = prepare_at()
    if at is None:
        return None
    local = timezone.localtime(now or timezone.now())
    if local.time() < at:
        return None
    today = local.date()
    if PreparedDraft.objects.filter(prepared_on=today).exists():
        return None
    index = issue_index()
    if index is None:
        global _warned_on
        if _warned_on != today:
            _warned_on = today
            logger.warning(
                "No issue archive page to put tomorrow's draft under: add one in the admin "
                "(or run seed_demo)."
            )
        return None
    issue_date = next_free_date(today + ONE_DAY)
    try:
        with transaction.atomic():
            PreparedDraft.objects.create(prepared_on=today, issue_date=issue_date)
            issue = prepare_draft(index, issue_date)
    except (IntegrityError, ValidationError):
        # Another worker prepared today's draft, or an editor took the date in the meantime
        # (the page's own check, or the database's unique date in a closer race): nothing
        # was written, and the next round sees which.
        logger.info(
            "The draft of %s was not made: another worker or an editor was first", issue_date
        )
        return None
    count = issue.stories.count()
    logger.info(
        "Prepared the draft of %s with %s of %s stories (issue %s)",
        issue_date,
        count,
        STORIES_PER_ISSUE,
        issue.pk,
    )
    return issue
