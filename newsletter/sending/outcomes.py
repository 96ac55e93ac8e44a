"""What became of a delivery row, written as soon as it is known: sent, to be tried again
after a backoff, bounced (and the address suppressed), failed, or skipped (no longer
subscribed). The sending worker calls these through ``outage.persist``; a batch-API call's
rows are written together (``Recorder``)."""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import F
from django.utils import timezone

from newsletter.conf import MAILER, setting
from newsletter.models import Delivery
from newsletter.sending import transport
from newsletter.sending.outage import persist
from newsletter.subscriptions.suppression import suppress_from_smtp_error

logger = logging.getLogger("newsletter.sending.worker")

Status = Delivery.Status


def backoff(attempts):
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min, ... at most an hour."""
    base = setting("NEWSLETTER_RETRY_SECONDS")
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), setting("NEWSLETTER_RETRY_MAX_SECONDS"))
    )


def _mark_sent_sql():
    quote = connection.ops.quote_name
    return (
        f"UPDATE {quote(Delivery._meta.db_table)} SET {quote('status')} = %s, "
        f"{quote('sent_at')} = %s, {quote('attempts')} = %s, {quote('lease_owner')} = '', "
        f"{quote('lease_expires_at')} = NULL, {quote('last_error')} = '', "
        f"{quote('transport')} = %s "
        f"WHERE {quote('id')} = %s"
    )


def mark_sent(row, mailer=MAILER):
    """Record one message accepted by ``mailer``, committed at once. Plain SQL: this runs
    once per message and the ORM's query building would cost more than the database's work."""
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_mark_sent_sql(), [Status.SENT, sent_at, row.attempts + 1, mailer, row.pk])


def _retry_fields(attempts, error, now, *, maybe_taken=False):
    """What a row tried ``attempts`` times is updated with, to wait for its next try.

    After ``NEWSLETTER_MAX_ATTEMPTS`` it has failed. A mail server that can't be reached at
    all (``error.connect``) is nobody's address's fault: the wait still grows (up to
    ``NEWSLETTER_RETRY_MAX_SECONDS``) but the row never fails for it, so an outage longer
    than the retries delays the issue instead of losing it."""
    fields = {
        "attempts": attempts,
        "last_error": str(error)[:500],
        "lease_owner": "",
        "lease_expires_at": None,
    }
    if maybe_taken:  # the provider may have queued it: the report says so
        fields["possible_duplicate"] = True
    if attempts >= setting("NEWSLETTER_MAX_ATTEMPTS") and not getattr(error, "connect", False):
        fields["status"] = Status.FAILED
    else:
        fields["next_attempt_at"] = now + backoff(attempts)
    return fields


def retry_later(row, error):
    """Try this row again after ``backoff`` (see ``_retry_fields``)."""
    fields = _retry_fields(row.attempts + 1, error, timezone.now())
    Delivery.objects.filter(pk=row.pk, status=Status.PENDING).update(**fields)


def _end(row, status, error):
    Delivery.objects.filter(pk=row.pk).update(
        status=status,
        attempts=row.attempts + 1,
        last_error=str(error)[:500],
        lease_owner="",
        lease_expires_at=None,
    )


def bounce(row, error):
    _end(row, Status.BOUNCED, error)
    suppress_from_smtp_error(row.email, error.code, str(error))


def fail(row, error):
    _end(row, Status.FAILED, error)


def skip(rows):
    Delivery.objects.filter(pk__in=[row.pk for row in rows], status=Status.PENDING).update(
        status=Status.SKIPPED,
        lease_owner="",
        lease_expires_at=None,
        last_error="No longer subscribed (or paused) when their turn came.",
    )


# A batch-API call's rows, together


def mark_many_sent(rows, mailer=MAILER):
    """Record rows the provider took through ``mailer``, in one UPDATE."""
    Delivery.objects.filter(pk__any=[row.pk for row in rows]).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        lease_owner="",
        lease_expires_at=None,
        last_error="",
        transport=mailer,
    )


def retry_many_later(rows, error, *, maybe_taken=False):
    """``retry_later`` for many rows: one UPDATE per number of attempts so far."""
    groups = defaultdict(list)
    for row in rows:
        groups[row.attempts + 1].append(row.pk)
    now = timezone.now()
    for attempts, ids in groups.items():
        fields = _retry_fields(attempts, error, now, maybe_taken=maybe_taken)
        Delivery.objects.filter(pk__any=ids, status=Status.PENDING).update(**fields)


class Recorder:
    """Writes what became of a batch's rows as soon as it is known (through ``persist``: a
    call the provider took stays recorded even if the database is away for a while), for
    ``batch.BatchSender``. ``mailer``: the transport the calls go through (the report
    counts what each sent)."""

    def __init__(self, campaign_id, *, mailer=MAILER):
        self.campaign_id = campaign_id
        self.mailer = mailer
        self.count = 0
        self.last_error = None  # the last call's failure, for the failover

    def sent(self, rows):
        persist(mark_many_sent, rows, self.mailer)
        self.count += len(rows)

    def retry(self, rows, error, *, maybe_taken=False):
        self.last_error = error
        logger.warning(
            "Campaign %s: %s deliveries wait for a retry: %s", self.campaign_id, len(rows), error
        )
        persist(retry_many_later, rows, error, maybe_taken=maybe_taken)

    def refused(self, row, error):
        if isinstance(error, transport.Permanent):
            persist(bounce, row, error)
        else:
            persist(fail, row, error)
