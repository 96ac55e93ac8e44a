"""Claiming deliveries on a lease: which rows a worker may take, taking over the batches of
workers that stopped, and giving rows back (see the sending worker's docstring for why it is
safe with several workers)."""

import logging
import os
import socket
from collections import namedtuple
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from newsletter.conf import setting
from newsletter.models import Delivery

logger = logging.getLogger("newsletter.sending.worker")

Status = Delivery.Status
Row = namedtuple("Row", "pk email subscriber_id attempts status paused paused_until")


def lease_length():
    return timedelta(seconds=setting("NEWSLETTER_LEASE_SECONDS"))


def new_owner(in_flight=1):
    """A name for this worker, unique across processes and machines (64 characters max).
    ``in_flight``: how many of its rows may be with the mail server at once (a batch API
    call has its whole batch), written at the end (``/1000``) for ``take_over``."""
    name = f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(10)}"
    return f"{name}/{in_flight}" if in_flight > 1 else name


def in_flight(owner):
    """How many rows a worker named ``owner`` may have had with the mail server at once."""
    _name, slash, count = owner.rpartition("/")
    return int(count) if slash and count.isdigit() else 1


def claimable(campaign_id, now=None):
    """Pending rows of the campaign that nobody holds and whose retry time has come."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        campaign_id=campaign_id,
        status=Status.PENDING,
    )


def take_over(campaign_id, stopped, now):
    """Free the rows of workers whose lease ran out (``stopped``: their names), flagging the
    first of each one's batch ``possible_duplicate``: a worker sends its batch in pk order
    and a row it finished no longer has its name, so that is the message it may have had in
    flight (the first ``in_flight(owner)`` rows for a worker with more at once: a batch API
    call has its whole batch). Its own transaction, rows locked in pk order: a second
    worker taking over the same batch waits, then finds it freed, and flags nothing twice.
    Only on a take-over."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.filter(
                campaign_id=campaign_id,
                status=Status.PENDING,
                lease_owner__in=stopped,
                lease_expires_at__lte=now,
            )
            .order_by("pk")
            .select_for_update()
            .values_list("pk", "lease_owner")
        )
        first = {}
        for pk, previous in rows:
            first.setdefault(previous, [])
            if len(first[previous]) < in_flight(previous):
                first[previous].append(pk)
        if first:
            flagged = [pk for pks in first.values() for pk in pks]
            Delivery.objects.filter(pk__in=flagged).update(possible_duplicate=True)
            Delivery.objects.filter(pk__in=[pk for pk, _previous in rows]).update(lease_owner="")
            logger.warning(
                "Campaign %s: took over the batches of %s stopped worker(s); the "
                "first message of each may go out twice",
                campaign_id,
                len(first),
            )


def claim_batch(campaign_id, owner, size):
    """Lease up to ``size`` claimable rows to ``owner``; returns them as ``Row``s.

    Rows still named after another worker whose lease ran out are first taken over (see
    ``take_over``), then claimed like the others."""
    while True:
        now = timezone.now()
        with transaction.atomic():
            claimed = list(
                claimable(campaign_id, now)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "lease_owner")[:size]
            )
            stopped = {previous for _pk, previous in claimed if previous and previous != owner}
            if not stopped:
                if not claimed:
                    return []
                # Leased and read in one transaction: if the read fails (a locked SQLite
                # file, a dropped connection), the lease is undone too, and ``persist``'s
                # second try cannot leave a batch leased to this worker that it never sends.
                ids = [pk for pk, _previous in claimed]
                claimable(campaign_id, now).filter(pk__any=ids).update(
                    lease_owner=owner, lease_expires_at=now + lease_length()
                )
                return _read(ids, owner)
        take_over(campaign_id, stopped, now)


def _read(ids, owner):
    rows = (
        Delivery.objects.filter(pk__any=ids, lease_owner=owner, status=Status.PENDING)
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "subscriber_id",
            "attempts",
            "subscriber__status",
            "subscriber__paused",
            "subscriber__paused_until",
        )
    )
    return [Row(*row) for row in rows]


def release(ids, owner):
    """Give rows back unsent (pause, cancel, shutdown) for another worker to claim."""
    Delivery.objects.filter(pk__in=ids, lease_owner=owner, status=Status.PENDING).update(
        lease_owner="", lease_expires_at=None
    )
