"""Rate limits for the sign-up form, per client network and per mailbox.

The counting is ``core.ratelimit``'s (one table, keyed hashes, sliding windows); this module
says what is counted. Every post of the form counts, refused ones too, so a flood stays
refused until it stops. The client is its IP (an IPv4-mapped IPv6 address as the IPv4 address
it carries, other IPv6 addresses per /64 network).

Addresses are counted by their canonical mailbox (``newsletter.addresses.canonical_mailbox``):
``victim+1@example.org`` to ``victim+20@example.org`` all reach one inbox, so they share one
count, and so do Gmail's dotted spellings. Besides the counts per client and per mailbox, one
network may ask for only a few *different* mailboxes an hour ("addresses"), so nobody can
send confirmation mail to a list of strangers; a reader asking again for a mailbox already
counted there still may.

Limits are ``(kind, how many, seconds)``; settings may override them with
``NEWSLETTER_SIGNUP_LIMITS``. The per-mailbox limits cap how much mail one inbox can be sent
by strangers (the resend window in ``newsletter.subscriptions.service`` caps it further for one
exact address).
"""

import datetime

from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.ratelimit import Limiter, Rule
from newsletter.addresses import canonical_mailbox
from newsletter.conf import setting

MESSAGES = {
    "client": "Too many sign-ups from your network just now. Please try again in an hour.",
    "addresses": "We've had sign-ups for several different addresses from your network just "
    "now. Please try again in an hour.",
    "email": "We've had several requests for this address already. Please check your inbox "
    "(and spam folder) for our email, or try again later.",
}


def limits():
    return setting("NEWSLETTER_SIGNUP_LIMITS")


def _rules():
    # "addresses" counts the different mailboxes asked for from one network.
    return [
        Rule(kind, allowed, seconds, distinct=kind == "addresses")
        for kind, allowed, seconds in limits()
    ]


SIGNUPS = Limiter("signup", _rules)


def record_attempt(client, email=""):
    """Count one sign-up attempt; return the ``Refusal`` of the limit it broke, or ``None``.

    ``email`` is the normalised address when the form gave a valid one, else empty.
    """
    mailbox = canonical_mailbox(email) if email else ""
    values = {"client": client, "addresses": client}
    if mailbox:
        values["email"] = mailbox
    refusal = SIGNUPS.check(values, item=mailbox)
    # A refused mailbox doesn't become one of the network's "addresses".
    SIGNUPS.record(values, item="" if refusal else mailbox)
    return refusal


def forget_address(email):
    """Delete the attempts counted for this address's mailbox (erasure on request)."""
    SIGNUPS.forget("email", canonical_mailbox(email))


# Preference changes ------------------------------------------------------------------------
# The links in our emails never expire and need no login, so whoever holds one could pause and
# resume a subscription in a loop, adding to its history each time. The subscriber's own
# history counts the changes. Unsubscribing is never limited: a one-click unsubscribe must
# always work, and mail providers send those from a few shared addresses, so nothing here
# counts per client address. Settings may override ``NEWSLETTER_PREFERENCE_LIMIT``.
PREFERENCE_ACTIONS = (
    "newsletter.pause",
    "newsletter.resume",
    "newsletter.resubscribe",
    "newsletter.unsubscribe",
)
PREFERENCE_MESSAGE = (
    "You've changed your settings several times in the last hour. Please "
    "try again later. Unsubscribing always works."
)


def preference_change_refused(subscriber):
    """The message to show if ``subscriber`` has changed their settings too often, else None."""
    allowed, seconds = setting("NEWSLETTER_PREFERENCE_LIMIT")
    recent = (
        ModelLogEntry.objects.for_instance(subscriber)
        .filter(
            action__in=PREFERENCE_ACTIONS,
            timestamp__gte=timezone.now() - datetime.timedelta(seconds=seconds),
        )
        .count()
    )
    return PREFERENCE_MESSAGE if recent >= allowed else None
