"""The signed token of a tracked link in one reader's copy: ``/r/<token>/``.

A token carries a ``TrackedLink`` id and a ``Delivery`` id (or none, for a click that
belongs to no delivery) and an HMAC-SHA256 over both, truncated to 12 bytes (96 bits), all
in URL-safe base64 without padding: about 26 characters. Nobody can make a token for a link
or a delivery they were not sent, so clicks can't be forged for another reader (neither
Ghost nor listmonk signs theirs).

The key is derived from ``SECRET_KEY`` with a salt of its own, so a token is never valid as
another signature of the site (unsubscribe links, sessions). ``read_token`` also accepts
tokens made under ``SECRET_KEY_FALLBACKS``, so rotating the key doesn't break yesterday's
issue. A send makes about fifteen tokens per message: the keyed HMAC is prepared once and
copied per token.

**A copy's key** (``/r/<key>/<link id>/``): a send through a provider's batch API gives each
reader's values to the provider as merge fields, one set per reader in every call. There a
reader's links share one signed key of their delivery (``copy_key``, its own salt), and the
link's id is in the address as it is: 35 links cost one signature and one merge field, not
35. It is as safe: the key can't be made for another reader's delivery, and the click view
refuses a link that is not in that delivery's issue, so a reader can only make clicks on the
links of their own copy, which they can click anyway.
"""

import base64
import binascii
import hashlib
import hmac

from django.conf import settings

SALT = "newsletter.engagement.link"
COPY_SALT = "newsletter.engagement.copy"
MAC_BYTES = 12
_prepared = {}


def _base(secret, salt=SALT):
    """A keyed HMAC ready to ``copy()``, for ``secret`` (kept: ``settings`` may change)."""
    base = _prepared.get((salt, secret))
    if base is None:
        key = hashlib.sha256((salt + secret).encode()).digest()
        base = _prepared[salt, secret] = hmac.new(key, digestmod=hashlib.sha256)
    return base


def _varint(number):
    out = bytearray()
    while number > 0x7F:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def _read_varint(data, start):
    """``(number, next index)``, or None if ``data`` ends inside it or it is not minimal."""
    number = shift = 0
    for index in range(start, min(len(data), start + 10)):
        byte = data[index]
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if byte == 0 and index > start:
                return None  # a padded encoding: not one link_token writes
            return number, index + 1
        shift += 7
    return None


def _mac(secret, payload, salt=SALT):
    signer = _base(secret, salt).copy()
    signer.update(payload)
    return signer.digest()[:MAC_BYTES]


def link_token(link_id, delivery_id):
    """The token of link ``link_id`` in the copy of delivery ``delivery_id`` (None: none)."""
    payload = _varint(link_id) + _varint(0 if delivery_id is None else delivery_id + 1)
    token = payload + _mac(settings.SECRET_KEY, payload)
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def link_tokens(link_ids, delivery_id):
    """``[link_token(link_id, delivery_id) for link_id in link_ids]``, cheaper: one reader's
    copy of an issue has about fifty links, and a send makes a copy per reader."""
    base = _base(settings.SECRET_KEY)
    tail = _varint(0 if delivery_id is None else delivery_id + 1)
    tokens = []
    for link_id in link_ids:
        payload = _varint(link_id) + tail
        signer = base.copy()
        signer.update(payload)
        tokens.append(payload + signer.digest()[:MAC_BYTES])
    return [token.decode() for token in _b64(tokens)]


def _b64(tokens):
    return (base64.urlsafe_b64encode(token).rstrip(b"=") for token in tokens)


def copy_key(delivery_id):
    """The key of delivery ``delivery_id``'s copy, shared by its tracked links."""
    payload = _varint(delivery_id + 1)
    token = payload + _mac(settings.SECRET_KEY, payload, COPY_SALT)
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def _unpadded(token):
    """The bytes of an unpadded URL-safe base64 ``token``, or None unless it is exactly that."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64 or "=" in token:
        return None
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode() != token:
        return None  # stray characters or bits base64 ignores
    return data


def _signed(payload, mac, salt):
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(mac, _mac(secret, payload, salt)) for secret in secrets)


def read_copy_key(key):
    """The delivery id of a key ``copy_key`` made, or None for anything else."""
    data = _unpadded(key)
    if data is None:
        return None
    payload, mac = data[:-MAC_BYTES], data[-MAC_BYTES:]
    delivery = _read_varint(payload, 0)
    if delivery is None or delivery[1] != len(payload) or not delivery[0]:
        return None
    if not _signed(payload, mac, COPY_SALT):
        return None
    return delivery[0] - 1


def read_token(token):
    """``(link_id, delivery_id)`` from a token ``link_token`` made, or None for anything else
    (tampered, truncated, two tokens swapped, garbage)."""
    data = _unpadded(token)
    if data is None:
        return None
    payload, mac = data[:-MAC_BYTES], data[-MAC_BYTES:]
    link = _read_varint(payload, 0)
    delivery = _read_varint(payload, link[1]) if link else None
    if delivery is None or delivery[1] != len(payload):
        return None
    if not _signed(payload, mac, SALT):
        return None
    return link[0], (delivery[0] - 1 if delivery[0] else None)
