"""Counting a click without waiting for the database: an in-memory buffer, written in bulk.

The redirect (``newsletter.views.clicks``) calls ``record``, which only appends to a list
under a lock. ``flush`` takes what is there, makes ``Click`` rows (the issue and the rank
copied from the link), lets ``classify.apply`` class them, drops the delivery in the
``aggregate`` privacy mode and writes them with one ``bulk_create`` in one transaction: the
same few queries for 1 click or 5,000.

The process's writer (``flusher``, one daemon thread) flushes every
``NEWSLETTER_CLICK_FLUSH_SECONDS``, started by
the first click (None: never; tests call ``flush`` themselves), and once more at exit
(``atexit``). If the write fails (the database is away) the clicks stay in the buffer and
go with the next flush. The buffer holds at most ``MAX_BUFFERED`` clicks: past that, new
clicks are dropped with a warning, so an outage can't eat the process's memory.

What can be lost: a process killed with SIGKILL (or the machine losing power) loses the
clicks of its last flush interval (one second by default), never more; a normal stop
(SIGTERM, a deploy) flushes them first.
"""

import logging
import threading
from collections import namedtuple

from django.db import transaction

from newsletter.conf import setting
from newsletter.engagement import classify, flusher, retention
from newsletter.models import Click

logger = logging.getLogger(__name__)

MAX_BUFFERED = 100_000
Pending = namedtuple("Pending", "link delivery_id at reason")

_lock = threading.Lock()
_buffer = []
_dropped = 0


def record(link, delivery_id, *, at, reason):
    """Count one click on ``link`` (a ``TrackedLink`` or anything with ``pk``, ``snapshot_id``,
    ``rank`` and ``role``) by delivery ``delivery_id`` (None: none) at ``at``, with the
    ``Click.Reason`` the request gave (``classify.request_reason``). Returns at once."""
    global _dropped
    with _lock:
        if len(_buffer) >= MAX_BUFFERED:
            _dropped += 1
            if _dropped == 1 or _dropped % 10_000 == 0:
                logger.warning(
                    "%s clicks dropped: %s are waiting to be written (is the database away?)",
                    _dropped,
                    len(_buffer),
                )
            return
        _buffer.append(Pending(link, delivery_id, at, reason))
    flusher.start()


def pending():
    """How many clicks wait to be written."""
    return len(_buffer)


def clicks_from(taken):
    """Unsaved ``Click`` rows of the buffered clicks, each with its link's ``role``."""
    clicks = []
    for link, delivery_id, at, reason in taken:
        click = Click(
            link_id=link.pk,
            snapshot_id=link.snapshot_id,
            rank=link.rank,
            delivery_id=delivery_id,
            at=at,
            human=not reason,
            reason=reason,
        )
        click.role = link.role
        clicks.append(click)
    return clicks


@flusher.register
def flush():
    """Write every buffered click; returns how many were written. On a database error they
    go back in the buffer (in their order) and the error is logged, not raised."""
    global _dropped
    with _lock:
        taken = _buffer[:]
        _buffer.clear()
    if not taken:
        return 0
    try:
        clicks = clicks_from(taken)
        with transaction.atomic():
            classify.apply(clicks)
            # Aggregate mode names no reader; nor does a click on an issue whose per-reader
            # clicks were rolled up (retention).
            anonymous = retention.rolled_up({click.snapshot_id for click in clicks})
            aggregate = setting("NEWSLETTER_ANALYTICS_PRIVACY") == "aggregate"
            for click in clicks:
                if aggregate or click.snapshot_id in anonymous:
                    click.delivery_id = None
            Click.objects.bulk_create(clicks, batch_size=2000)
    except Exception:
        logger.exception("Could not write %s clicks; they will be tried again", len(taken))
        with _lock:
            room = max(MAX_BUFFERED - len(_buffer), 0)
            _buffer[:0] = taken[:room]
        return 0
    _dropped = 0
    return len(clicks)


def discard():
    """Forget the buffer (tests: a click of one test must not land in the next)."""
    with _lock:
        _buffer.clear()
