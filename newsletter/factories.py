"""Factories for subscribers, lists and segments, for tests and demo seeding."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from newsletter.models import MailingList, NewsletterSettings, Segment, Subscriber


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
