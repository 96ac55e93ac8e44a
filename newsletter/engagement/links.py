"""The tracked links and deliveries the redirect has seen, remembered by the process.

A ``TrackedLink`` never changes once its issue is frozen (only its article can be deleted),
and neither does the issue a delivery belongs to. So the redirect reads each link once
(one query the first time this process sees it, none after) and each delivery's issue once,
and the morning burst of clicks costs the database nothing but the buffered writes
(``recording``). A link is read again after ``LINK_MEMO_SECONDS``, so a story whose article
was deleted stops redirecting within that time in every process (at once in this one: see
``forget_article``).
"""

import threading
import time
from collections import namedtuple

from newsletter.models import Delivery, TrackedLink

LINK_MEMO_SECONDS = 300
MAX_DELIVERIES = 200_000  # about 20 MB of memo at most; cleared when full

# What the redirect and the recorder need of a link. ``gone``: its story's article was
# deleted (a story link with no article), so it leads nowhere.
Link = namedtuple("Link", "pk snapshot_id rank role url article_id gone seen")
NO_DELIVERY = 0  # memo value for a delivery that is no longer there

_links = {}
_deliveries = {}
_lock = threading.Lock()


def known(link_id):
    """The ``Link`` of ``link_id``, or None if there is no such link."""
    found = _links.get(link_id)
    if found is not None and time.monotonic() - found.seen < LINK_MEMO_SECONDS:
        return found
    row = (
        TrackedLink.objects.filter(pk=link_id)
        .values_list("snapshot_id", "rank", "role", "url", "article_id")
        .first()
    )
    if row is None:
        _links.pop(link_id, None)
        return None
    snapshot_id, rank, role, url, article_id = row
    gone = rank is not None and article_id is None
    found = Link(link_id, snapshot_id, rank, role, url, article_id, gone, time.monotonic())
    _links[link_id] = found
    return found


def delivery_issue(delivery_id):
    """The snapshot id of the issue delivery ``delivery_id`` sent, or ``NO_DELIVERY``."""
    found = _deliveries.get(delivery_id)
    if found is not None:
        return found
    found = (
        Delivery.objects.filter(pk=delivery_id)
        .values_list("campaign__snapshot_id", flat=True)
        .first()
    ) or NO_DELIVERY
    with _lock:
        if len(_deliveries) >= MAX_DELIVERIES:
            _deliveries.clear()
        _deliveries[delivery_id] = found
    return found


def forget_article(article_id):
    """Forget the links of a deleted article (this process; others within the memo time)."""
    for link_id in [pk for pk, link in list(_links.items()) if link.article_id == article_id]:
        _links.pop(link_id, None)


def forget():
    """Forget everything (tests: ids are reused after a rollback)."""
    _links.clear()
    _deliveries.clear()
