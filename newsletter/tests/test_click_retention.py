"""Retention: ``manage.py roll_up_clicks`` turns an old issue's per-reader clicks into daily
counts, deletes them, and leaves nothing that names a reader."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsletter.engagement import retention
from newsletter.factories import SubscriberFactory
from newsletter.models import Click, ClickRollup, DailyClicks, Open

from .click_rows import Role, sent_issue, stored_click

pytestmark = pytest.mark.django_db


def six_am(days_ago):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(6)))


def later(issue, hours):
    return issue.snapshot.sent_at + datetime.timedelta(hours=hours)


@pytest.fixture
def readers(db):
    return [SubscriberFactory(email=f"{name}@example.org") for name in ("ann", "bob", "cat")]


@pytest.fixture
def old(readers):
    """An issue sent 100 days ago: Ann clicked story 1 twice on the first day and its "Read
    the story" the next; Bob story 1 the next day and the masthead; a scanner hit story 2;
    Ann's and Cat's opens."""
    issue = sent_issue(readers, sent_at=six_am(100))
    ann, bob, cat = (issue.deliveries[f"{n}@example.org"] for n in ("ann", "bob", "cat"))
    stored_click(issue.link(1), ann, later(issue, 1))
    stored_click(issue.link(1), ann, later(issue, 2))
    stored_click(issue.link(1, Role.READ_MORE), ann, later(issue, 25))
    stored_click(issue.link(1), bob, later(issue, 26))
    stored_click(issue.links[None, Role.MASTHEAD], bob, later(issue, 26))
    stored_click(issue.link(2), cat, later(issue, 0.001), reason="scanner")
    Open.objects.create(snapshot=issue.snapshot, delivery=ann, at=later(issue, 1))
    Open.objects.create(snapshot=issue.snapshot, delivery=cat, at=later(issue, 0), machine=True)
    return issue


@pytest.fixture
def recent(readers):
    issue = sent_issue(readers, sent_at=six_am(10))
    stored_click(issue.link(3), issue.deliveries["ann@example.org"], later(issue, 1))
    return issue


def run():
    out = io.StringIO()
    call_command("roll_up_clicks", stdout=out)
    return out.getvalue()


def test_an_old_issue_is_rolled_up_and_no_click_names_a_reader(old, recent):
    first_day = old.snapshot.sent_at.date()
    next_day = first_day + datetime.timedelta(days=1)
    assert run() == (
        f"{old.snapshot.issue_date}: 6 clicks rolled up into 5 daily counts (2 readers "
        "clicked); 2 opens kept without their reader.\n"
    )
    rows = DailyClicks.objects.filter(snapshot=old.snapshot).order_by("day", "link__position")
    assert [
        (row.day, row.rank, row.link.role, row.raw, row.human, row.human_unique) for row in rows
    ] == [
        (first_day, 1, "headline", 2, 2, 1),
        (first_day, 2, "headline", 1, 0, 0),
        (next_day, None, "masthead", 1, 1, 1),
        (next_day, 1, "headline", 1, 1, 1),
        (next_day, 1, "read-more", 1, 1, 1),
    ]
    rollup = ClickRollup.objects.get(snapshot=old.snapshot)
    assert (rollup.human_unique, rollup.story_unique) == (2, {"1": 2})
    assert not Click.objects.filter(snapshot=old.snapshot).exists()
    assert list(
        Open.objects.filter(snapshot=old.snapshot).order_by("pk").values_list("delivery", "machine")
    ) == [
        (None, False),
        (None, True),
    ]
    # The issue sent ten days ago keeps its clicks.
    assert Click.objects.filter(snapshot=recent.snapshot, delivery__isnull=False).count() == 1
    assert not ClickRollup.objects.filter(snapshot=recent.snapshot).exists()


def test_running_it_again_changes_nothing(old):
    run()
    before = list(DailyClicks.objects.values_list("link", "day", "raw", "human", "human_unique"))
    assert run() == ("Nothing to roll up: no issue sent over 90 days ago has reader clicks left.\n")
    after = list(DailyClicks.objects.values_list("link", "day", "raw", "human", "human_unique"))
    assert after == before and ClickRollup.objects.count() == 1


def test_the_retention_period_is_a_setting(settings, old, recent):
    settings.NEWSLETTER_CLICK_RETENTION_DAYS = 200
    assert run().startswith("Nothing to roll up: no issue sent over 200 days ago")
    settings.NEWSLETTER_CLICK_RETENTION_DAYS = 5
    assert run().count("clicks rolled up") == 2
    assert not Click.objects.exists()


def test_clicks_after_the_roll_up_name_no_reader_and_join_the_daily_counts(old, recent):
    ids = [old.snapshot.pk, recent.snapshot.pk]
    assert retention.rolled_up(ids) == {old.snapshot.pk}  # past the period: about to be
    run()
    assert retention.is_rolled_up(old.snapshot.pk)
    assert not retention.is_rolled_up(recent.snapshot.pk)
    # What the recorder does for a rolled-up issue: the click is stored with no delivery.
    stored_click(old.link(1), None, timezone.now())
    stored_click(old.link(1), None, timezone.now(), reason="scanner")
    assert (
        run()
        == f"{old.snapshot.issue_date}: 2 late clicks (no reader kept) added to its daily counts.\n"
    )
    today = DailyClicks.objects.get(snapshot=old.snapshot, day=timezone.localdate())
    assert (today.raw, today.human, today.human_unique) == (2, 1, 0)
    assert ClickRollup.objects.get(snapshot=old.snapshot).human_unique == 2
    assert not Click.objects.filter(snapshot=old.snapshot).exists()


def test_rolled_up_takes_one_query_for_any_number_of_issues(old, recent, django_assert_num_queries):
    with django_assert_num_queries(1):
        retention.rolled_up([old.snapshot.pk, recent.snapshot.pk, 999])


def test_rolling_up_an_issue_takes_the_same_queries_for_any_number_of_clicks(
    readers, django_assert_num_queries
):
    small = sent_issue(readers[:1], sent_at=six_am(100))
    stored_click(small.link(1), small.deliveries["ann@example.org"], later(small, 1))
    big = sent_issue(readers, sent_at=six_am(101))
    for delivery in big.deliveries.values():
        for rank in range(1, 11):
            stored_click(big.link(rank), delivery, later(big, rank))
            stored_click(big.link(rank, Role.READ_MORE), delivery, later(big, 30 + rank))
    # SAVEPOINT, last id, daily counts, first clicks, INSERT daily, INSERT roll-up, DELETE
    # clicks, UPDATE opens, RELEASE SAVEPOINT.
    with django_assert_num_queries(9):
        assert retention.roll_up_issue(small.snapshot)["clicks"] == 1
    with django_assert_num_queries(9):
        assert retention.roll_up_issue(big.snapshot)["clicks"] == 60
    assert ClickRollup.objects.get(snapshot=big.snapshot).story_unique == {
        str(rank): 3 for rank in range(1, 11)
    }
