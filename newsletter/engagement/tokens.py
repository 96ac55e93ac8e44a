"""STAND-IN for the tracking helper's ``tokens.py`` (the lead keeps theirs at merge).

Only the interface the rules need: ``link_token(link_id, delivery_id)`` and
``read_token(token) -> (link_id, delivery_id) or None``.
"""

from django.core import signing

SALT = "newsletter.engagement.link"


def link_token(link_id, delivery_id):
    return signing.dumps([link_id, delivery_id], salt=SALT, compress=False)


def read_token(token):
    try:
        link_id, delivery_id = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return link_id, delivery_id
