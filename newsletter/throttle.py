"""Rate limits for the sign-up form, per client address and per email address.

Why a table: the site runs several gunicorn workers (and the default cache is per process),
so counters must live somewhere they all share. Each post of the form adds one
``SignupAttempt`` row holding keyed hashes (``salted_hmac``) of the client address and the
email address, never the values themselves; rows older than the longest window are deleted
as new ones arrive. A check is a couple of indexed ``COUNT`` queries. Two requests racing
may both pass at the very edge of a limit; that overshoot of one is acceptable here.

Refused attempts count too, so a flood stays refused until it stops. IPv6 clients are
counted per /64 network, the block one household or phone usually gets.

Limits are ``(kind, how many, seconds)``; settings may override them with
``NEWSLETTER_SIGNUP_LIMITS``. The per-address limits also cap how much mail one address can
be sent by strangers (the resend window in ``newsletter.subscriptions`` caps it further).
"""

import datetime
import ipaddress

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from wagtail.models import ModelLogEntry

from newsletter.models import SignupAttempt

DEFAULT_LIMITS = (
    ("client", 20, 60 * 60),  # an office or school sharing one address can still sign up
    ("email", 5, 60 * 60),
    ("email", 10, 24 * 60 * 60),
)
MESSAGES = {
    "client": "Too many sign-ups from your network just now. Please try again in an hour.",
    "email": "We've had several requests for this address already. Please check your inbox "
    "(and spam folder) for our email, or try again later.",
}


def limits():
    return getattr(settings, "NEWSLETTER_SIGNUP_LIMITS", DEFAULT_LIMITS)


def client_address(request):
    """The client's IP, taking ``NEWSLETTER_TRUSTED_PROXIES`` proxies' X-Forwarded-For into
    account; an IPv6 address is reduced to its /64 network."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "NEWSLETTER_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(kind, value):
    return salted_hmac(f"newsletter.throttle.{kind}", value, algorithm="sha256").hexdigest()


def email_key(email):
    """The key attempts for this normalised address are stored under."""
    return _key("email", email)


def record_attempt(client, email=""):
    """Record one sign-up attempt; return the message of the limit it broke, or ``None``.

    ``email`` is the normalised address when the form gave a valid one, else empty.
    """
    now = timezone.now()
    rules = limits()
    longest = max(seconds for _, _, seconds in rules)
    SignupAttempt.objects.filter(
        created_at__lt=now - datetime.timedelta(seconds=longest)
    ).delete()
    keys = {"client": _key("client", client), "email": email_key(email) if email else ""}
    broken = None
    for kind, allowed, seconds in rules:
        if not keys[kind]:
            continue
        recent = SignupAttempt.objects.filter(
            **{f"{kind}_key": keys[kind]},
            created_at__gte=now - datetime.timedelta(seconds=seconds),
        ).count()
        if recent >= allowed:
            broken = kind
            break
    SignupAttempt.objects.create(
        created_at=now, client_key=keys["client"], email_key=keys["email"]
    )
    return MESSAGES[broken] if broken else None


# Preference changes ------------------------------------------------------------------------
# The links in our emails never expire and need no login, so whoever holds one could pause and
# resume a subscription in a loop, adding to its history each time. The subscriber's own
# history counts the changes. Unsubscribing is never limited: a one-click unsubscribe must
# always work, and mail providers send those from a few shared addresses, so nothing here
# counts per client address. Settings may override ``NEWSLETTER_PREFERENCE_LIMIT``.
PREFERENCE_LIMIT = (10, 60 * 60)  # changes, seconds
PREFERENCE_ACTIONS = ("newsletter.pause", "newsletter.resume", "newsletter.resubscribe",
                      "newsletter.unsubscribe")
PREFERENCE_MESSAGE = ("You've changed your settings several times in the last hour. Please "
                      "try again later. Unsubscribing always works.")


def preference_change_refused(subscriber):
    """The message to show if ``subscriber`` has changed their settings too often, else None."""
    allowed, seconds = getattr(settings, "NEWSLETTER_PREFERENCE_LIMIT", PREFERENCE_LIMIT)
    recent = ModelLogEntry.objects.for_instance(subscriber).filter(
        action__in=PREFERENCE_ACTIONS,
        timestamp__gte=timezone.now() - datetime.timedelta(seconds=seconds),
    ).count()
    return PREFERENCE_MESSAGE if recent >= allowed else None
