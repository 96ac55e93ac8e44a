"""Lists and segments as the campaign backend will read them: members() and member_count()."""

import datetime

import pytest
from django.utils import timezone

from newsletter.factories import MailingListFactory, SegmentFactory, SubscriberFactory, daily_list
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_a_list_counts_only_who_receives_mail(db):
    receiving = SubscriberFactory()
    SubscriberFactory(status=Status.PENDING)
    SubscriberFactory(status=Status.UNSUBSCRIBED)
    SubscriberFactory(status=Status.BOUNCED)
    SubscriberFactory(paused=True)
    back = SubscriberFactory(paused=True, paused_until=datetime.date.today())
    SubscriberFactory(lists=[MailingListFactory()])
    assert set(daily_list().members()) == {receiving, back}
    assert daily_list().member_count() == 2


def test_the_daily_list_comes_from_a_migration(db):
    daily = daily_list()
    assert (daily.name, daily.join_on_signup) == ("Daily", True)


def test_segments_narrow_their_list(db):
    old_form = SubscriberFactory(email="old@example.org", created_at=days_ago(400))
    new_form = SubscriberFactory(email="new@gmail.com", created_at=days_ago(2))
    new_import = SubscriberFactory(
        email="imp@example.org", source=Subscriber.Source.IMPORT, created_at=days_ago(2)
    )
    SubscriberFactory(email="left@example.org", status=Status.UNSUBSCRIBED)
    last_month = (timezone.now() - datetime.timedelta(days=30)).date()
    assert set(SegmentFactory(source="form").members()) == {old_form, new_form}
    assert set(SegmentFactory(signed_up_after=last_month).members()) == {new_form, new_import}
    assert set(SegmentFactory(signed_up_before=last_month).members()) == {old_form}
    assert set(SegmentFactory(email_domain="@GMAIL.com").members()) == set()  # clean() first
    segment = SegmentFactory.build(email_domain="@GMAIL.com", mailing_list=daily_list())
    segment.full_clean()
    assert segment.email_domain == "gmail.com"
    segment.save()
    assert list(segment.members()) == [new_form]
    assert segment.member_count() == 1


def test_the_address_is_unique_whatever_its_case(db):
    from django.db import IntegrityError

    SubscriberFactory(email="ann@example.org")
    with pytest.raises(IntegrityError):
        Subscriber.objects.bulk_create([Subscriber(email="ANN@example.org")])
