"""The tracking pixel's signed token: which issue, which delivery (``/o/<token>.gif``).

Signed like the click links, with its own salt, so a click token is no pixel token and
nobody can make opens up for another reader.
"""

from django.core import signing

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
