"""Signed links in emails: confirm (expires), unsubscribe and preferences (never expire).

Each kind of link has its own salt, so one kind of token never works as another.

- Confirm: ``TimestampSigner`` over the subscriber id, a short hash of the address and the
  sign-up it was sent for (``Subscriber.pending_since``), so the link stops working after
  ``NEWSLETTER_CONFIRM_MAX_AGE`` (3 days), if an editor changes the address it was sent to,
  or once a later sign-up has replaced it (``ReplacedToken``). Links made before the sign-up
  was part of the token carry none, and work while the address hasn't signed up again.
- Unsubscribe and preferences: ``Signer`` over the subscriber id only. They never expire
  (an unsubscribe link in a year-old email must still work) and survive an address change.

The token itself is the secret that guards the POST forms on these pages, the way a CSRF
token would: a third-party site can't forge a request it doesn't know the token for.
"""

import hashlib

from django.core import signing
from django.urls import reverse

from newsletter import mailformat
from newsletter.conf import setting
from newsletter.mailformat import absolute_url
from newsletter.models import NewsletterSettings, Subscriber

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
PREFERENCES_SALT = "newsletter.preferences"


class BadToken(Exception):
    """The link was altered, cut short, or is for someone no longer on file."""


class ExpiredToken(BadToken):
    """The link was genuine but is too old (confirmation links only)."""


class ReplacedToken(BadToken):
    """A genuine confirmation link for an earlier sign-up of the same address."""


def confirm_max_age():
    """How long a confirmation link works (``NEWSLETTER_CONFIRM_MAX_AGE``, 3 days)."""
    return setting("NEWSLETTER_CONFIRM_MAX_AGE")


def _address_check(subscriber):
    return hashlib.sha256(subscriber.email.encode()).hexdigest()[:10]


def _signup_check(subscriber):
    """Which sign-up a confirmation link is for: "" for none recorded (older rows)."""
    moment = subscriber.pending_since
    return "" if moment is None else signing.b62_encode(int(moment.timestamp() * 1_000_000))


def confirm_token(subscriber):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(
        f"{subscriber.pk}.{_address_check(subscriber)}.{_signup_check(subscriber)}"
    )


def unsubscribe_token(subscriber):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber.pk))


def preferences_token(subscriber):
    return signing.Signer(salt=PREFERENCES_SALT).sign(str(subscriber.pk))


def confirm_url(subscriber):
    return absolute_url(reverse("newsletter:confirm", args=[confirm_token(subscriber)]))


def unsubscribe_url(subscriber):
    return absolute_url(reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber)]))


def preferences_url(subscriber):
    return absolute_url(reverse("newsletter:preferences", args=[preferences_token(subscriber)]))


def list_unsubscribe_headers(subscriber, newsletter_settings=None):
    """``List-Unsubscribe`` (https and, when a mailbox is set, mailto) and RFC 8058's
    ``List-Unsubscribe-Post`` for one message to ``subscriber``.

    Pass ``newsletter_settings`` when sending many messages, to read the settings once.
    """
    if newsletter_settings is None:
        newsletter_settings = NewsletterSettings.load()
    return mailformat.list_unsubscribe_headers(
        unsubscribe_url(subscriber), newsletter_settings.unsubscribe_mailbox
    )


def _subscriber(pk):
    try:
        return Subscriber.objects.get(pk=int(pk))
    except (Subscriber.DoesNotExist, ValueError, OverflowError):
        raise BadToken from None


def read_confirm_token(token):
    """The subscriber a confirmation link is for; raises ``BadToken``, ``ExpiredToken`` or
    ``ReplacedToken`` (sent for an earlier sign-up)."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        value = signer.unsign(token, max_age=confirm_max_age())
    except signing.SignatureExpired:
        raise ExpiredToken from None
    except signing.BadSignature:
        raise BadToken from None
    pk, _, rest = value.partition(".")
    check, _, signup = rest.partition(".")
    subscriber = _subscriber(pk)
    if check != _address_check(subscriber):
        raise BadToken
    if signup != _signup_check(subscriber):
        raise ReplacedToken
    return subscriber


def _read(token, salt):
    try:
        pk = signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        raise BadToken from None
    return _subscriber(pk)


def read_unsubscribe_token(token):
    return _read(token, UNSUBSCRIBE_SALT)


def read_preferences_token(token):
    return _read(token, PREFERENCES_SALT)
