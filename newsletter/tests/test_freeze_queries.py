"""Freezing the audience costs the same SQL queries whatever its size: the database copies the
list into delivery rows (``INSERT ... SELECT``), nothing is read into Python per reader.
A million readers are measured by ``make bench`` (part "scale", on PostgreSQL)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from newsletter.factories import daily_list, top_up_subscribers
from newsletter.models import Campaign, Delivery, NewsletterSettings
from newsletter.sending import orchestration
from newsletter.sending.recipients import audience_of, freeze, members_of

from .sending_helpers import make_issue, media

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
__all__ = ["media"]


@pytest.mark.parametrize("readers", [10, 1000])
def test_freezing_is_two_queries_for_10_or_1000_readers(readers, django_assert_num_queries):
    top_up_subscribers(daily_list(), readers)
    campaign = Campaign.objects.create(subject="Today", audience=str(daily_list().pk))
    members = members_of(*audience_of(campaign))
    # One INSERT ... SELECT, one count of the rows now there.
    with django_assert_num_queries(2):
        assert freeze(campaign, members) == readers
    frozen = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.PENDING)
    assert sorted(frozen.values_list("email", flat=True)) == sorted(
        members.values_list("email", flat=True)
    )
    # Again (a retried send): nobody added twice, still two queries.
    with django_assert_num_queries(2):
        assert freeze(campaign, members) == readers


def test_sending_an_issue_to_1000_readers_takes_the_queries_it_takes_for_10(site, monkeypatch):
    """The whole Send (locks, checks, snapshot, freeze) counted twice for the same issue: to
    10 readers, then (the first send undone) to 1,000. The task queue is left out: it sends
    later."""
    monkeypatch.setattr(orchestration, "enqueue", lambda campaign_id: None)
    issue = make_issue(site)
    NewsletterSettings.load()  # made once, not inside the first send (undone below)
    counts = {}
    for readers in (10, 1000):
        with transaction.atomic():
            top_up_subscribers(daily_list(), readers)
            with CaptureQueriesContext(connection) as queries:
                campaign = orchestration.send_issue_now(issue)
            assert campaign.recipient_count == readers
            assert campaign.deliveries.count() == readers
            counts[readers] = len(queries)
            transaction.set_rollback(True)  # undone: the issue is sent again, to 1,000
    assert counts[10] == counts[1000]
