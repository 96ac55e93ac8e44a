"""The sending worker: leases, a worker killed half way, pause / resume / cancel, schedules,
retries with backoff, bounces, skipped leavers and the rate limit."""

import datetime
import smtplib
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from newsletter.models import Campaign, Delivery, IssueSnapshot, Subscriber
from newsletter.sending.claims import claim_batch
from newsletter.sending.orchestration import (
    SendRefused,
    cancel,
    pause,
    report,
    resume,
    send_issue_now,
)
from newsletter.sending.outage import STOPPING
from newsletter.sending.scheduling import run_due_and_stalled, schedule, unschedule
from newsletter.sending.tasks import send_campaign
from newsletter.sending.worker import deliver_campaign

from .sending_helpers import (
    frozen_campaign,
    media,
    no_failed_tasks,
    readers,
    recipients_of,
    refused,
    scripted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["media", "no_failed_tasks", "scripted"]
Status = Campaign.Status
DStatus = Delivery.Status


def pending(campaign):
    return campaign.deliveries.filter(status=DStatus.PENDING)


def expire_leases_and_retries(campaign):
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(campaign=campaign, lease_expires_at__isnull=False).update(
        lease_expires_at=past
    )
    Delivery.objects.filter(campaign=campaign, next_attempt_at__isnull=False).update(
        next_attempt_at=past
    )


def test_freezing_again_adds_nobody_twice_whichever_way_rows_are_inserted():
    from newsletter.factories import daily_list
    from newsletter.sending.recipients import _bulk_insert, freeze

    campaign = frozen_campaign(readers(count=5))
    members = daily_list().members()
    assert freeze(campaign, members) == 5
    _bulk_insert(campaign, members.order_by(), batch_size=2)
    readers("late@example.org")
    _bulk_insert(campaign, members.order_by(), batch_size=2)
    assert freeze(campaign, members) == 6
    assert campaign.deliveries.filter(email="late@example.org").count() == 1


def test_workers_claim_disjoint_batches_and_take_over_expired_leases():
    campaign = frozen_campaign(readers(count=10))

    first = claim_batch(campaign.pk, "worker-a", 4)
    second = claim_batch(campaign.pk, "worker-b", 4)
    third = claim_batch(campaign.pk, "worker-c", 4)

    ids = [row.pk for row in first + second + third]
    assert len(ids) == len(set(ids)) == 10
    assert claim_batch(campaign.pk, "worker-d", 4) == []
    Delivery.objects.filter(lease_owner="worker-a").update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    taken_over = claim_batch(campaign.pk, "worker-d", 10)
    assert {row.pk for row in taken_over} == {row.pk for row in first}


def test_a_worker_killed_half_way_leaves_nobody_out_and_nobody_twice(settings):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 5
    subscribers = readers(count=20)
    campaign = frozen_campaign(subscribers)
    # The dead worker claimed a batch, sent two of it (and marked them), then was killed.
    batch = claim_batch(campaign.pk, "dead-worker", 5)
    for row in batch[:2]:
        Delivery.objects.filter(pk=row.pk).update(status=DStatus.SENT, sent_at=timezone.now())
    sent_by_dead_worker = [row.email for row in batch[:2]]

    # A new worker starts: it sends what nobody holds; the dead worker's lease still runs.
    assert run_due_and_stalled()["resumed"] == 1
    assert len(mail.outbox) == 15
    assert pending(campaign).count() == 3
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENDING
    assert run_due_and_stalled()["resumed"] == 0  # nothing claimable until the lease ends

    expire_leases_and_retries(campaign)
    run_due_and_stalled()

    got = recipients_of() + sent_by_dead_worker
    assert sorted(got) == sorted(s.email for s in subscribers)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT


def test_db_worker_resumes_a_stalled_send_when_it_starts(settings, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # Tests run tasks inline, inside the test's transaction, which the worker must not close.
    monkeypatch.setattr(db_worker, "valid_backend_name", str)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    subscribers = readers(count=6)
    campaign = frozen_campaign(subscribers)
    claim_batch(campaign.pk, "killed-worker", 2)
    expire_leases_and_retries(campaign)

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT


def test_pause_stops_between_messages_and_resume_finishes_exactly_once(settings, scripted):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 4
    settings.NEWSLETTER_STATUS_CHECK_SECONDS = 0
    subscribers = readers(count=10)
    campaign = frozen_campaign(subscribers)

    def pause_after_three(message):
        if len(mail.outbox) == 3:
            pause(Campaign.objects.get(pk=campaign.pk))

    scripted.hook = pause_after_three
    send_campaign.enqueue(campaign.pk)

    assert len(mail.outbox) == 3
    campaign.refresh_from_db()
    assert campaign.status == Status.PAUSED
    assert pending(campaign).count() == 7
    assert not pending(campaign).exclude(lease_owner="").exists()  # given back
    assert run_due_and_stalled()["resumed"] == 0  # a paused send stays paused

    scripted.hook = None
    resume(campaign)

    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT
    with pytest.raises(SendRefused, match="Only a campaign that is sending can be paused"):
        pause(campaign)


def test_cancel_stops_for_good(settings, scripted):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    settings.NEWSLETTER_STATUS_CHECK_SECONDS = 0
    campaign = frozen_campaign(readers(count=6))
    scripted.hook = lambda message: len(mail.outbox) == 2 and cancel(campaign)

    send_campaign.enqueue(campaign.pk)
    run_due_and_stalled()

    campaign.refresh_from_db()
    assert len(mail.outbox) == 2
    assert campaign.status == Status.CANCELLED and campaign.finished_at
    assert report(campaign)["pending"] == 4
    with pytest.raises(SendRefused, match="Only a paused campaign can be resumed"):
        resume(campaign)


def test_a_shutting_down_worker_gives_its_rows_back():
    campaign = frozen_campaign(readers(count=3))
    STOPPING.set()
    try:
        assert deliver_campaign(campaign.pk) == 0
    finally:
        STOPPING.clear()
    assert pending(campaign).filter(lease_owner="").count() == 3
    run_due_and_stalled()
    assert len(mail.outbox) == 3


def test_transient_failures_retry_with_backoff_then_go_out_once(scripted):
    subscribers = readers("slow@example.org", count=3)
    scripted.script["slow@example.org"] = [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPDataError(451, b"4.3.0 try again later"),
    ]
    campaign = frozen_campaign(subscribers)

    send_campaign.enqueue(campaign.pk)

    slow = Delivery.objects.get(email="slow@example.org")
    assert slow.status == DStatus.PENDING and slow.attempts == 1
    wait = slow.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=25) < wait <= datetime.timedelta(seconds=30)
    assert "dropped" in slow.last_error or "reached" in slow.last_error
    assert run_due_and_stalled()["resumed"] == 0  # not due yet

    expire_leases_and_retries(campaign)
    run_due_and_stalled()
    slow.refresh_from_db()
    assert slow.attempts == 2 and "451" in slow.last_error
    wait = slow.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=55) < wait <= datetime.timedelta(seconds=60)

    expire_leases_and_retries(campaign)
    run_due_and_stalled()
    slow.refresh_from_db()
    assert slow.status == DStatus.SENT and slow.attempts == 3
    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT


def test_a_delivery_fails_after_the_last_attempt(settings, scripted):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    scripted.script["down@example.org"] = [smtplib.SMTPDataError(452, b"mailbox busy")] * 5
    campaign = frozen_campaign(readers("down@example.org"))

    send_campaign.enqueue(campaign.pk)
    expire_leases_and_retries(campaign)
    run_due_and_stalled()

    down = Delivery.objects.get(email="down@example.org")
    assert down.status == DStatus.FAILED and down.attempts == 2
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT
    assert report(campaign)["failed"] == 1 and mail.outbox == []


def test_a_permanent_refusal_bounces_and_suppresses_the_address(scripted):
    subscribers = readers("gone@example.org", count=2)
    scripted.script["gone@example.org"] = [refused("gone@example.org")]
    campaign = frozen_campaign(subscribers)

    send_campaign.enqueue(campaign.pk)

    gone = Delivery.objects.get(email="gone@example.org")
    assert gone.status == DStatus.BOUNCED and "550" in gone.last_error
    subscriber = Subscriber.objects.get(email="gone@example.org")
    assert subscriber.status == Subscriber.Status.BOUNCED
    assert subscriber.status_reason.startswith("550")
    assert len(mail.outbox) == 2 and Campaign.objects.get(pk=campaign.pk).status == Status.SENT
    assert report(campaign)["bounced"] == 1


def test_a_reader_who_leaves_or_pauses_before_their_turn_is_skipped():
    subscribers = readers(
        "leaver@example.org",
        "erased@example.org",
        "pauser@example.org",
        "back@example.org",
        count=2,
    )
    campaign = frozen_campaign(subscribers)
    Subscriber.objects.get(email="leaver@example.org").change_status(Subscriber.Status.UNSUBSCRIBED)
    Subscriber.objects.filter(email="erased@example.org").delete()
    Subscriber.objects.filter(email="pauser@example.org").update(paused=True)
    Subscriber.objects.filter(email="back@example.org").update(
        paused=True, paused_until=timezone.localdate()
    )  # the pause ends today

    send_campaign.enqueue(campaign.pk)

    assert sorted(recipients_of()) == sorted(s.email for s in subscribers[3:])
    skipped = campaign.deliveries.filter(status=DStatus.SKIPPED)
    assert sorted(skipped.values_list("email", flat=True)) == [
        "erased@example.org",
        "leaver@example.org",
        "pauser@example.org",
    ]
    assert report(campaign)["unsubscribed_since"] == 1


def test_the_rate_limit_spaces_messages_out():
    campaign = frozen_campaign(readers(count=6), rate_limit=50)
    started = time.monotonic()
    send_campaign.enqueue(campaign.pk)
    assert time.monotonic() - started >= 5 / 50
    assert len(mail.outbox) == 6


# Schedules


@pytest.fixture
def article_fields():
    """The shared ``issue``'s stories without photos: sending doesn't need them."""
    return {"lead_image": None}


@pytest.fixture
def issue(issue):
    readers("ann@example.org", "bob@example.org")
    return issue


def test_a_scheduled_issue_goes_out_at_its_time_from_a_snapshot_taken_then(issue):
    campaign = Campaign.objects.create(issue=issue)
    at = timezone.now() + datetime.timedelta(hours=1)
    schedule(campaign, at)
    assert campaign.status == Status.SCHEDULED and campaign.scheduled_for == at

    assert run_due_and_stalled()["fired"] == 0
    assert mail.outbox == [] and not IssueSnapshot.objects.exists()

    assert run_due_and_stalled(now=at + datetime.timedelta(minutes=1))["fired"] == 1
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT and campaign.snapshot is not None
    assert sorted(recipients_of()) == ["ann@example.org", "bob@example.org"]


def test_unschedule_returns_to_a_draft_and_nothing_goes_out(issue):
    campaign = Campaign.objects.create(issue=issue)
    at = timezone.now() + datetime.timedelta(hours=1)
    schedule(campaign, at)
    unschedule(campaign)

    assert campaign.status == Status.DRAFT and campaign.scheduled_for is None
    run_due_and_stalled(now=at + datetime.timedelta(minutes=1))
    assert mail.outbox == []
    with pytest.raises(SendRefused, match="nothing to unschedule"):
        unschedule(campaign)
    with pytest.raises(SendRefused, match="in the future"):
        schedule(campaign, timezone.now() - datetime.timedelta(minutes=1))


def test_a_send_found_far_past_its_time_waits_for_an_editor(issue):
    campaign = Campaign.objects.create(issue=issue)
    at = timezone.now() + datetime.timedelta(hours=1)
    schedule(campaign, at)

    run_due_and_stalled(now=at + datetime.timedelta(hours=9))

    campaign.refresh_from_db()
    assert campaign.status == Status.WAITING
    assert "Missed its time" in campaign.status_note and "by 9 hours" in campaign.status_note
    assert mail.outbox == [] and not IssueSnapshot.objects.exists()

    send_issue_now(issue, campaign=campaign)  # the editor decides to send it after all
    assert len(mail.outbox) == 2


def test_a_scheduled_issue_that_is_not_ready_at_its_time_waits_with_the_reason(issue):
    campaign = Campaign.objects.create(issue=issue)
    at = timezone.now() + datetime.timedelta(hours=1)
    schedule(campaign, at)
    issue.unpublish()

    run_due_and_stalled(now=at + datetime.timedelta(minutes=1))

    campaign.refresh_from_db()
    assert campaign.status == Status.WAITING
    assert "not published" in campaign.status_note
    assert mail.outbox == []
