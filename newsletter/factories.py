"""Factories for subscribers, lists, segments and daily issues, for tests and demo seeding."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from news.factories import ArticlePageFactory, PageFactory
from newsletter.issues.preparing import issue_title
from newsletter.models import (
    IssueIndexPage,
    IssuePage,
    IssueStory,
    MailingList,
    NewsletterSettings,
    Segment,
    Subscriber,
)
from newsletter.rules import STORIES_PER_ISSUE


def daily_list():
    """The Daily list the data migration makes (made again if a test deleted it)."""
    mailing_list, _ = MailingList.objects.get_or_create(
        slug="daily", defaults={"name": "Daily", "join_on_signup": True}
    )
    return mailing_list


class MailingListFactory(DjangoModelFactory):
    class Meta:
        model = MailingList
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"List {n}")
    slug = factory.Sequence(lambda n: f"list-{n}")


class SubscriberFactory(DjangoModelFactory):
    """An active subscriber on the Daily list; pass ``status=`` and ``lists=[...]`` to vary."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Subscriber.Status.ACTIVE
    source = Subscriber.Source.FORM
    consent_at = factory.LazyFunction(timezone.now)
    consent_url = "https://lisastopten.example/"
    consent_text = factory.LazyFunction(lambda: NewsletterSettings.load().consent_text)

    @factory.post_generation
    def lists(self, create, extracted, **kwargs):
        if create:
            self.lists.set(extracted if extracted is not None else [daily_list()])


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    mailing_list = factory.LazyFunction(daily_list)


# Daily issues -------------------------------------------------------------------------------


class IssueIndexPageFactory(PageFactory):
    """The issue archive at /issues/; pass ``parent=`` (the home page)."""

    class Meta:
        model = IssueIndexPage

    title = "Issues"
    slug = "issues"
    intro = "Every issue we have sent, exactly as it went out."


class IssuePageFactory(PageFactory):
    """A published issue; pass ``parent=`` (the archive) and ``articles=[...]`` for its stories
    in rank order, or ``stories=[IssueStory(...), ...]`` for overrides. Each new issue is a day
    earlier than the last unless ``issue_date=`` says otherwise; ``live=False`` for a draft."""

    class Meta:
        model = IssuePage

    issue_date = factory.Sequence(lambda n: timezone.localdate() - datetime.timedelta(days=n))
    title = factory.LazyAttribute(lambda issue: issue_title(issue.issue_date))
    slug = factory.LazyAttribute(lambda issue: issue.issue_date.isoformat())
    intro = "Good morning! Here are the ten stories that matter today."

    @classmethod
    def _build(cls, model_class, *args, parent=None, articles=(), stories=None, **kwargs):
        issue = model_class(*args, **kwargs)
        issue.stories = (
            stories
            if stories is not None
            else [
                IssueStory(article=article, sort_order=rank)
                for rank, article in enumerate(articles)
            ]
        )
        return issue


def ten_articles(news_index, count=STORIES_PER_ISSUE, **kwargs):
    """``count`` published articles under ``news_index``, each with its own photo."""
    return [ArticlePageFactory(parent=news_index, **kwargs) for _ in range(count)]


def issue_with_ten_stories(issue_index, news_index, **kwargs):
    """A published issue of ten new articles (made under ``news_index``)."""
    return IssuePageFactory(parent=issue_index, articles=ten_articles(news_index), **kwargs)


# Many subscribers at once -------------------------------------------------------------------

BULK_BATCH = 5000


def bulk_address(number):
    """The deterministic address of bulk reader ``number``, e.g. reader00001@example.com."""
    return f"reader{number:05d}@example.com"


def top_up_subscribers(mailing_list, wanted, batch_size=BULK_BATCH):
    """Make ``mailing_list`` have at least ``wanted`` active members, adding confirmed readers
    reader00001@example.com, reader00002@... (skipping addresses already on file).

    Rows and their list memberships go in with ``bulk_create``, a batch at a time, so 100,000
    take seconds. Returns how many were added.
    """
    missing = wanted - mailing_list.subscribers.filter(status=Subscriber.Status.ACTIVE).count()
    if missing <= 0:
        return 0
    taken = set(
        Subscriber.objects.filter(
            email__startswith="reader", email__endswith="@example.com"
        ).values_list("email", flat=True)
    )
    now = timezone.now()
    consent_text = NewsletterSettings.load().consent_text
    membership = Subscriber.lists.through
    added, number, batch = 0, 0, []

    def flush():
        rows = Subscriber.objects.bulk_create(batch)
        if rows and rows[0].pk is None:  # a database that doesn't return new keys
            rows = Subscriber.objects.filter(email__in=[row.email for row in batch])
        membership.objects.bulk_create(
            [membership(subscriber_id=row.pk, mailinglist_id=mailing_list.pk) for row in rows]
        )
        batch.clear()

    while added < missing:
        number += 1
        email = bulk_address(number)
        if email in taken:
            continue
        batch.append(
            Subscriber(
                email=email,
                status=Subscriber.Status.ACTIVE,
                source=Subscriber.Source.IMPORT,
                created_at=now,
                confirmed_at=now,
                consent_at=now,
                consent_text=consent_text,
                consent_url="Demo data (seed_demo --subscribers)",
            )
        )
        added += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return added
