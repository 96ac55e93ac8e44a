"""The tracking pixel's signed token: which issue, which delivery (``/o/<token>.gif``).

Signed like the click links, with its own salt, so a click token is no pixel token and
nobody can make opens up for another reader. A copy sent through a provider's batch API
has its copy's key there instead (``tokens.copy_key``), whose delivery names the issue.
"""

from django.core import signing

from newsletter.engagement.links import NO_DELIVERY, delivery_issue
from newsletter.engagement.tokens import read_copy_key

SALT = "newsletter.engagement.open"


def open_token(snapshot_id, delivery_id):
    return signing.dumps([snapshot_id, delivery_id], salt=SALT, compress=False)


def read_open_token(token):
    """``(snapshot_id, delivery_id)`` from a token, or None when it is bad or tampered."""
    try:
        snapshot_id, delivery_id = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(snapshot_id, int) or not isinstance(delivery_id, (int, type(None))):
        return None
    return snapshot_id, delivery_id


def read_pixel(token):
    """``(snapshot_id, delivery_id)`` of a pixel's token: an open token, or a batch copy's
    key (its delivery's issue, one query the first time); None for anything else."""
    found = read_open_token(token)
    if found is not None:
        return found
    delivery_id = read_copy_key(token)
    if delivery_id is None:
        return None
    snapshot_id = delivery_issue(delivery_id)
    return None if snapshot_id == NO_DELIVERY else (snapshot_id, delivery_id)
