"""The sending worker: claim a batch of deliveries on a lease, send them, repeat.

Several workers (threads, processes, machines) share one campaign safely:

- A claim sets ``lease_owner`` and ``lease_expires_at`` on up to a batch of pending rows whose
  lease is free or expired and whose retry time has come. On PostgreSQL the rows are picked
  with ``SELECT ... FOR UPDATE SKIP LOCKED``; on SQLite the IMMEDIATE transaction serialises
  writers. The UPDATE itself repeats the conditions, so a row can't be claimed twice.
- Each row is marked sent the moment the server accepts its message, so a worker killed at
  any point can at most repeat the one message it had in flight. Its other rows wait for
  their lease to run out and are then claimed by the next worker.
- A long batch renews its lease; if a lease was lost anyway, those rows are left alone.
- Taking over rows whose lease ran out, a worker flags the first unsent row of each dead
  owner's batch ``possible_duplicate``: that message may have been accepted by the server
  just before its worker died, so it may now go out twice. The report counts them. It costs
  a few queries on a take-over, nothing per message.
- The database may go away for a moment (a restart, a failover, a dropped connection, a
  locked SQLite file): each database call waits it out, reconnecting with growing pauses, for
  up to ``NEWSLETTER_DB_OUTAGE_SECONDS``; a message the server took stays recorded as sent.
- The campaign's status is read before each batch and about every second: pausing or
  cancelling stops the workers within a message or two, releasing their unsent rows.
- A subscriber who left (or paused) between the send and their turn is skipped, not mailed.
- A main transport failing persistently hands the rest of the send to the fallback one
  (``failover``); each row records the mailer that took its message.
"""

import logging
import threading
import time

from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from newsletter import rules
from newsletter.conf import setting
from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.sending import batch, concurrent, transport
from newsletter.sending.claims import claim_batch, lease_length, new_owner, release
from newsletter.sending.failover import Failover
from newsletter.sending.message import FrozenMessage, message_problem
from newsletter.sending.outage import STOPPING, persist
from newsletter.sending.outcomes import Recorder, bounce, fail, mark_sent, retry_later, skip

logger = logging.getLogger(__name__)

MAILER = "newsletter"
Status = Delivery.Status
# Timeouts in a row before the rest of a batch waits for its retry (one may be a slow message).
SILENCES_BEFORE_WAITING = 2


def still_receiving(row, today):
    """Is the subscriber still active and not paused (their status may have changed since
    the list was frozen; a deleted subscriber has no status)?"""
    if row.status != Subscriber.Status.ACTIVE:
        return False
    return not row.paused or (row.paused_until is not None and row.paused_until <= today)


def campaign_status(campaign_id):
    return Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).first()


class Pacer:
    """At most ``rate`` messages a second from this worker (0: no limit)."""

    def __init__(self, rate):
        self.interval = 1 / rate if rate else 0
        self.next = time.monotonic()

    def wait(self, count=1):
        """Wait for the turn of ``count`` messages (one API call may carry many); returns
        the seconds waited."""
        if not self.interval:
            return 0
        now = time.monotonic()
        waited = max(self.next - now, 0)
        if waited:
            time.sleep(waited)
        self.next = max(self.next, now) + self.interval * count
        return waited


class CampaignWorker:
    """Sends one campaign's claimable deliveries until none are left or it is stopped."""

    def __init__(self, campaign, owner=None):
        self.campaign = campaign
        self.frozen = FrozenMessage.for_campaign(campaign)
        self.failover = Failover(campaign)
        self.rate = campaign.rate_limit or setting("NEWSLETTER_RATE_LIMIT")
        self.pacer = Pacer(self.rate)
        self.sender = self.api = self.pool = None
        per_call, calls = self.use(self.failover.alias)
        # A batch API call has the whole batch in flight; SMTP one message.
        self.owner = owner or new_owner(in_flight=self.batch_size if per_call else calls)
        self.check_every = setting("NEWSLETTER_STATUS_CHECK_SECONDS")
        self.sent = 0

    def use(self, alias):
        """Send through mailer ``alias`` from now on (the main one, or the fallback once it
        takes over); returns ``(recipients per call, calls at once)``."""
        self.close()
        lease = lease_length().total_seconds()
        # Every call to an HTTP API ends before its lease does (newsletter.sending.batch).
        backend = batch.bound_calls(mail.mailers[alias], lease)
        self.sender = transport.for_backend(backend, self.frozen)
        # A provider with a batch API: one call per claimed batch, each on its own backend.
        per_call = batch.api_batch_size(backend)
        self.api = None
        if per_call:
            self.api = batch.BatchSender(batch.bound_calls(mail.mailers[alias], lease), self.frozen)
            self.recorder = Recorder(self.campaign.pk, mailer=alias)
        size = per_call or setting("NEWSLETTER_SEND_BATCH_SIZE")
        # A batch must fit in half a lease at the rate limit.
        rate = self.rate
        self.batch_size = max(1, min(size, int(rate * lease / 2))) if rate else size
        # One message per call to an HTTP API: several calls at once.
        calls = concurrent.concurrency(backend)
        self.pool = None
        if calls > 1:
            make = lambda: batch.bound_calls(mail.mailers[alias], lease)  # noqa: E731
            self.pool = concurrent.ConcurrentSender(make, self.frozen, calls)
        return per_call, calls

    def close(self):
        for sender in (self.sender, self.api, self.pool):
            if sender is not None:
                sender.close()

    def run(self):
        try:
            while (
                not STOPPING.is_set()
                and persist(campaign_status, self.campaign.pk) == rules.SENDING
            ):
                rows = persist(claim_batch, self.campaign.pk, self.owner, self.batch_size)
                if not rows or not self.send_batch(rows):
                    break
        finally:
            self.close()
        return self.sent

    def send_batch(self, rows):
        """Send a claimed batch; False when the worker should stop (paused, no server)."""
        today = timezone.localdate()
        gone = [row for row in rows if not still_receiving(row, today)]
        if gone:
            persist(skip, gone)
            rows = [row for row in rows if still_receiving(row, today)]
        if self.api is not None:
            return self.send_through_api(rows)
        if self.pool is not None:
            return self.send_concurrently(rows)
        return self.send_one_by_one(rows)

    def send_concurrently(self, rows):
        """Several single API calls at once (``concurrent.ConcurrentSender``), each outcome
        recorded here as its call ends, as ``send_one_by_one`` records it. False (stop) when
        the provider could not be reached or went silent twice running."""
        silences = 0
        for row, error in self.pool.send(rows, self.pacer):
            stuck = isinstance(error, transport.Transient) and (error.connect or error.silent)
            silences = silences + 1 if stuck else 0
            if error is None:
                persist(mark_sent, row, self.failover.alias)
                self.sent += 1
            elif isinstance(error, transport.Permanent):
                persist(bounce, row, error)
            elif isinstance(error, transport.Rejected):
                persist(fail, row, error)
            else:
                persist(retry_later, row, error)
        return silences < SILENCES_BEFORE_WAITING and not STOPPING.is_set()

    def send_through_api(self, rows):
        """The batch in one call (``newsletter.sending.batch``), then the few rows a batch
        API can't take (an address twice, an international one) one by one."""
        together, alone = batch.split(rows)
        if together:
            if self.pacer.wait(len(together)) > lease_length().total_seconds() / 3:
                kept = {row.pk for row in persist(self.renew, together)}
                together = [row for row in together if row.pk in kept]
            before, self.recorder.last_error = self.recorder.count, None
            going = self.api.send(together, self.recorder)
            self.sent += self.recorder.count - before
            if self.recorder.count > before and self.failover.trouble_since:
                persist(self.failover.recovered)
            if not going:
                persist(release, [row.pk for row in alone], self.owner)
                error = self.recorder.last_error
                if error is not None and persist(self.failover.trouble, error):
                    # The fallback takes over: the rows are due again at once, through it.
                    self.use(self.failover.alias)
                    return True
                return False
        return self.send_one_by_one(alone)

    def send_one_by_one(self, rows):
        claimed_at = checked_at = time.monotonic()
        renew_after = lease_length().total_seconds() / 3
        index = silences = 0
        while index < len(rows):
            if STOPPING.is_set():
                persist(release, [row.pk for row in rows[index:]], self.owner)
                return False
            now = time.monotonic()
            if now - checked_at >= self.check_every:
                checked_at = now
                if persist(campaign_status, self.campaign.pk) != rules.SENDING:
                    persist(release, [row.pk for row in rows[index:]], self.owner)
                    return False
            if now - claimed_at >= renew_after:
                claimed_at = now
                rows[index:] = persist(self.renew, rows[index:])
                continue
            row = rows[index]
            index += 1
            self.pacer.wait()
            try:
                self.sender.send(row.email, row.subscriber_id, row.pk)
            except transport.Transient as error:
                persist(retry_later, row, error)
                if persist(self.failover.trouble, error):
                    # The fallback takes over: this row and the rest are due again at once.
                    self.use(self.failover.alias)
                    persist(release, [later.pk for later in rows[index:]], self.owner)
                    return True
                silences = silences + 1 if error.silent else 0
                # The server can't be reached, or went silent twice running (each costs the
                # mailer's whole timeout): the rest of the batch waits too.
                if error.connect or silences >= SILENCES_BEFORE_WAITING:
                    for later in rows[index:]:
                        persist(retry_later, later, error)
                    logger.warning("Campaign %s: %s", self.campaign.pk, error)
                    return False
            except transport.Permanent as error:
                silences = 0
                persist(bounce, row, error)
            except transport.Rejected as error:
                silences = 0
                persist(fail, row, error)
            else:
                silences = 0
                # The server has the message: record it even if the database is away for a
                # while, or it would go out again.
                persist(mark_sent, row, self.failover.alias)
                self.sent += 1
                if self.failover.trouble_since:
                    persist(self.failover.recovered)
        return True

    def renew(self, rows):
        """Extend the lease on rows still ours; drop any another worker has since claimed."""
        ids = [row.pk for row in rows]
        Delivery.objects.filter(pk__in=ids, lease_owner=self.owner, status=Status.PENDING).update(
            lease_expires_at=timezone.now() + lease_length()
        )
        kept = set(
            Delivery.objects.filter(
                pk__in=ids, lease_owner=self.owner, status=Status.PENDING
            ).values_list("pk", flat=True)
        )
        return [row for row in rows if row.pk in kept]


def finish_if_done(campaign_id):
    """Mark a sending campaign sent once no delivery is pending; True if it was."""
    if Delivery.objects.filter(campaign_id=campaign_id, status=Status.PENDING).exists():
        return False
    sources, target = rules.MOVES["finish"]
    return (
        Campaign.objects.filter(pk=campaign_id, status__in=sources).update(
            status=target, finished_at=timezone.now()
        )
        > 0
    )


def fail_unbuildable(campaign, note):
    """A send whose message can't be built (rows frozen before the forms refused line
    breaks): the campaign fails once, with the reason on its report, and its waiting rows
    fail with it, so no task retries them. True if this call failed it."""
    sources, target = rules.MOVES["fail"]
    with transaction.atomic():
        failed = Campaign.objects.filter(pk=campaign.pk, status__in=sources).update(
            status=target, status_note=note[:500], finished_at=timezone.now()
        )
        if failed:
            Delivery.objects.filter(campaign_id=campaign.pk, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.FAILED,
                last_error=note[:500],
                lease_owner="",
                lease_expires_at=None,
            )
    if failed:
        logger.error("Campaign %s failed: %s", campaign.pk, note)
    return bool(failed)


def deliver_campaign(campaign_id, owner=None):
    """Send what can be sent of the campaign now; returns how many messages went out.

    With ``NEWSLETTER_SEND_CONNECTIONS`` above 1 (``NEWSLETTER_API_BATCH_CALLS`` for a batch
    API) and no rate limit, that many threads send side by side, each with its own SMTP or
    API and database connection, claiming their own batches. Inside a transaction (a test,
    or a caller's atomic block) one thread does it all: other connections could not see the
    uncommitted rows. Rows waiting for a retry or
    held by another worker are left for a later run (``run_due_and_stalled`` enqueues one
    when they become claimable).
    """
    campaign = Campaign.objects.select_related("snapshot").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != rules.SENDING or campaign.snapshot is None:
        return 0
    problem = message_problem(campaign)
    if problem:  # it would fail in every task, for ever: fail the campaign once instead
        fail_unbuildable(campaign, problem)
        return 0
    threads = setting("NEWSLETTER_SEND_CONNECTIONS")
    # A batch-API call carries a whole batch: NEWSLETTER_API_BATCH_CALLS in flight per worker
    # process, each its own thread and lease owner, so a worker killed mid-call repeats at
    # most those batches, each flagged (more workers send more at once).
    if batch.api_batch_size(mail.mailers[MAILER]):
        threads = setting("NEWSLETTER_API_BATCH_CALLS")
    if (
        threads > 1
        and not campaign.rate_limit
        and not setting("NEWSLETTER_RATE_LIMIT")
        and not connection.in_atomic_block
    ):
        sent = _in_threads(campaign, threads)
    else:
        sent = CampaignWorker(campaign, owner).run()
    if persist(finish_if_done, campaign_id):
        logger.info("Campaign %s sent", campaign_id)
    return sent


def _in_threads(campaign, count):
    results, errors = [], []

    def work():
        try:
            results.append(CampaignWorker(campaign).run())
        except Exception as error:  # re-raised in the task's own thread below
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connections

    helpers = [
        threading.Thread(target=work, name=f"newsletter-send-{n}", daemon=True)
        for n in range(count - 1)
    ]
    for helper in helpers:
        helper.start()
    try:
        results.append(CampaignWorker(campaign).run())
    finally:
        for helper in helpers:
            helper.join()
    if errors:
        raise errors[0]
    return sum(results)
