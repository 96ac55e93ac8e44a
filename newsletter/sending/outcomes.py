"""What became of one delivery row, written as soon as it is known: sent, to be tried again
after a backoff, bounced (and the address suppressed), failed, or skipped (no longer
subscribed). The sending worker calls these through ``outage.persist``."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from newsletter.conf import MAILER, setting
from newsletter.models import Delivery
from newsletter.subscriptions.suppression import suppress_from_smtp_error

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


def retry_later(row, error):
    """Try this row again after ``backoff``; after ``NEWSLETTER_MAX_ATTEMPTS`` it has failed.

    A mail server that can't be reached at all (``error.connect``) is nobody's address's
    fault: the wait still grows (up to ``NEWSLETTER_RETRY_MAX_SECONDS``) but the row never
    fails for it, so an outage longer than the retries delays the issue instead of losing it.
    """
    attempts = row.attempts + 1
    fields = {
        "attempts": attempts,
        "last_error": str(error)[:500],
        "lease_owner": "",
        "lease_expires_at": None,
    }
    if attempts >= setting("NEWSLETTER_MAX_ATTEMPTS") and not getattr(error, "connect", False):
        fields["status"] = Status.FAILED
    else:
        fields["next_attempt_at"] = timezone.now() + backoff(attempts)
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
