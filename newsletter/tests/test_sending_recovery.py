"""Sends that survive their faults: a worker killed mid-batch (the messages it may have had
in flight are flagged and counted in the report) and a database that is unavailable for a
moment (the send and the worker carry on by themselves)."""

import datetime
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from newsletter.management.commands import db_worker
from newsletter.models import Campaign, Delivery
from newsletter.sending import claims, outage
from newsletter.sending import worker as sending_worker
from newsletter.sending.claims import claim_batch
from newsletter.sending.orchestration import report
from newsletter.sending.scheduling import run_due_and_stalled
from newsletter.sending.tasks import send_campaign

from .sending_helpers import frozen_campaign, no_failed_tasks, readers, recipients_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]
DStatus = Delivery.Status


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """The pauses between tries while the database is away: none here."""
    monkeypatch.setattr(outage, "DB_RETRY_WAITS", (0,))
    monkeypatch.setattr(db_worker, "OUTAGE_WAITS", (0,))


def killed_mid_batch(campaign, owner, *, marked, in_flight):
    """A worker claims a batch of 5, the server takes ``marked + in_flight`` of its messages,
    and it is killed after recording only ``marked`` of them. Returns the addresses the
    server got from it, and the next address in line when it died."""
    batch = claim_batch(campaign.pk, owner, 5)
    for row in batch[:marked]:
        Delivery.objects.filter(pk=row.pk).update(
            status=DStatus.SENT, sent_at=timezone.now(), lease_owner="", lease_expires_at=None
        )
    return [row.email for row in batch[: marked + in_flight]], batch[marked].email


def leases_run_out(campaign):
    Delivery.objects.filter(campaign=campaign, lease_expires_at__isnull=False).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def report_page(client, campaign):
    response = client.get(f"/admin/newsletter/campaigns/{campaign.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_messages_in_flight_when_workers_died_are_flagged_and_reported(settings, editor_client):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 5
    subscribers = readers(count=14)
    campaign = frozen_campaign(subscribers)
    # Two workers killed: the first just after the server took its third message, the
    # second between two messages (nothing in flight, but nobody can tell).
    first, first_next = killed_mid_batch(campaign, "killed-a", marked=2, in_flight=1)
    second, second_next = killed_mid_batch(campaign, "killed-b", marked=1, in_flight=0)
    leases_run_out(campaign)

    run_due_and_stalled()

    at_the_server = Counter(first + second + recipients_of())
    assert set(at_the_server) == {s.email for s in subscribers}
    twice = [address for address, count in at_the_server.items() if count > 1]
    assert twice == [first_next]
    flagged = set(
        Delivery.objects.filter(campaign=campaign, possible_duplicate=True).values_list(
            "email", flat=True
        )
    )
    assert flagged == {first_next, second_next}  # the next in line of each dead worker
    figures = report(campaign)
    assert figures["sent"] == 14 and figures["possible_duplicates"] == 2
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    page = report_page(editor_client, campaign)
    assert "2 messages may have been sent twice after a worker stopped" in page
    assert "May have been sent twice 2" in page
    progress = editor_client.get(f"/admin/newsletter/campaigns/{campaign.pk}/progress/")
    assert progress.json()["possible_duplicates"] == 2


def test_a_send_nobody_interrupted_flags_nothing(editor_client):
    campaign = frozen_campaign(readers(count=6))

    send_campaign.enqueue(campaign.pk)

    assert len(mail.outbox) == 6
    assert report(campaign)["possible_duplicates"] == 0
    assert not Delivery.objects.filter(possible_duplicate=True).exists()
    assert "may have been sent twice" not in report_page(editor_client, campaign)


def test_a_worker_taking_back_its_own_rows_flags_nothing():
    campaign = frozen_campaign(readers(count=4))
    claim_batch(campaign.pk, "slow-worker", 4)
    leases_run_out(campaign)

    assert len(claim_batch(campaign.pk, "slow-worker", 4)) == 4
    assert not Delivery.objects.filter(possible_duplicate=True).exists()


def fails_first(monkeypatch, name, *errors):
    """Make ``worker.<name>`` raise ``errors`` on its first calls, then work as before."""
    original = getattr(sending_worker, name)
    pending = list(errors)

    def flaky(*args, **kwargs):
        if pending:
            raise pending.pop(0)
        return original(*args, **kwargs)

    monkeypatch.setattr(sending_worker, name, flaky)


def test_the_send_goes_on_when_the_database_drops_while_claiming(monkeypatch):
    subscribers = readers(count=7)
    campaign = frozen_campaign(subscribers)
    fails_first(
        monkeypatch,
        "claim_batch",
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    )

    send_campaign.enqueue(campaign.pk)

    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_claim_whose_read_fails_leaves_no_batch_stranded(settings, monkeypatch):
    """The lease is written, then reading the rows fails (a locked SQLite file): the second
    try must not leave the first batch leased to a worker that will never send it."""
    settings.NEWSLETTER_SEND_BATCH_SIZE = 3
    subscribers = readers(count=7)
    campaign = frozen_campaign(subscribers)
    original, failures = claims._read, [OperationalError("database table is locked")]

    def flaky(*args):
        if failures:
            raise failures.pop()
        return original(*args)

    monkeypatch.setattr(claims, "_read", flaky)

    send_campaign.enqueue(campaign.pk)

    assert not failures  # the read did fail once
    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)  # in this one run
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_message_the_server_took_is_recorded_once_the_database_is_back(monkeypatch):
    subscribers = readers(count=5)
    campaign = frozen_campaign(subscribers)
    # The database is away for three tries just as the first message has gone out.
    fails_first(monkeypatch, "mark_sent", *[OperationalError("database is locked")] * 3)

    send_campaign.enqueue(campaign.pk)

    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)  # once each
    figures = report(campaign)
    assert figures["sent"] == 5 and figures["pending"] == 0
    assert figures["possible_duplicates"] == 0
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_longer_outage_than_the_worker_waits_for_fails_the_task_not_the_rows(
    settings, monkeypatch
):
    settings.NEWSLETTER_DB_OUTAGE_SECONDS = 0
    campaign = frozen_campaign(readers(count=3))
    fails_first(monkeypatch, "claim_batch", OperationalError("could not connect to server"))

    with pytest.raises(OperationalError):
        sending_worker.deliver_campaign(campaign.pk)

    # Nothing was lost: the next run (the housekeeping's) sends everything.
    assert run_due_and_stalled()["resumed"] == 1
    assert len(mail.outbox) == 3


def test_db_worker_keeps_running_after_the_database_was_unavailable(monkeypatch, caplog):
    from django_tasks_db.management.commands import db_worker as tasks_db_worker
    from django_tasks_db.models import DBTaskResultQuerySet

    # Tests run tasks inline, inside the test's transaction, which the worker must not close.
    monkeypatch.setattr(tasks_db_worker, "valid_backend_name", str)
    monkeypatch.setattr(tasks_db_worker, "close_old_connections", lambda: None)
    polls = []
    original = DBTaskResultQuerySet.get_locked

    def unavailable_at_first(queryset):
        polls.append(queryset)
        if len(polls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original(queryset)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", unavailable_at_first)
    subscribers = readers(count=3)
    campaign = frozen_campaign(subscribers)
    claim_batch(campaign.pk, "killed-worker", 3)
    leases_run_out(campaign)

    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--housekeeping-interval",
        "1",
        verbosity=0,
    )

    assert len(polls) == 2  # it polled the queue again instead of exiting on the error
    assert "Database unavailable" in caplog.text
    assert sorted(recipients_of()) == sorted(s.email for s in subscribers)
