"""Loads of the optional tracking pixel (``NEWSLETTER_OPEN_TRACKING``), recorded without
blocking the reader: ``record`` puts one in memory, ``flush`` writes them all at once.

A load is a machine's pre-fetch (``machine``) when the request says so (a known scanner, or
Apple Mail Privacy Protection's proxy, which sends a bare ``Mozilla/5.0``:
``classify.is_machine_agent``) or it came within ``classify.TOO_SOON`` of the message being
sent. Opens are an estimate and never rank anything (docs/analytics.md).

They are written by the process's background writer with the clicks (``flusher``), or at
once when ``FLUSH_AT`` loads wait.
"""

import threading

from newsletter.conf import setting
from newsletter.engagement import classify, flusher, retention
from newsletter.models import Delivery, IssueSnapshot, Open

# Written in one INSERT once this many wait (a morning of Apple pre-fetches is thousands).
FLUSH_AT = 500
_lock = threading.Lock()
_buffer = []


def record(snapshot_id, delivery_id, *, at, user_agent):
    """Keep one pixel load in memory (no query)."""
    opened = Open(snapshot_id=snapshot_id, delivery_id=delivery_id, at=at)
    opened.machine = classify.is_machine_agent(user_agent)
    with _lock:
        _buffer.append(opened)
        full = len(_buffer) >= FLUSH_AT
    flusher.start()
    if full and setting("NEWSLETTER_CLICK_FLUSH_SECONDS") is not None:
        flush()


@flusher.register
def flush():
    """Write the buffered loads (four queries whatever their number); returns how many."""
    with _lock:
        opens, _buffer[:] = list(_buffer), []
    if not opens:
        return 0
    snapshots = set(
        IssueSnapshot.objects.filter(pk__in={o.snapshot_id for o in opens}).values_list(
            "pk", flat=True
        )
    )
    opens = [o for o in opens if o.snapshot_id in snapshots]
    ids = {o.delivery_id for o in opens if o.delivery_id is not None}
    deliveries = dict(
        Delivery.objects.filter(pk__in=ids, campaign__snapshot_id__in=snapshots).values_list(
            "pk", "sent_at"
        )
    )
    anonymous = setting("NEWSLETTER_ANALYTICS_PRIVACY") == "aggregate"
    past = retention.rolled_up(snapshots)
    for opened in opens:
        sent_at = deliveries.get(opened.delivery_id)
        if sent_at is not None and opened.at - sent_at < classify.TOO_SOON:
            opened.machine = True
        if anonymous or opened.snapshot_id in past or opened.delivery_id not in deliveries:
            opened.delivery_id = None
    Open.objects.bulk_create(opens)
    return len(opens)


def forget():
    """Drop what is buffered (tests)."""
    with _lock:
        _buffer.clear()
