"""Stop mail to addresses that bounce, complain or unsubscribe through the mail provider.

Plain functions, called by the provider webhooks (``newsletter.subscriptions.signals``), by our own
transactional mail when the SMTP server refuses a recipient, and by the sending pipeline.
A stronger state is never weakened: complained > bounced > unsubscribed > anything else
(``newsletter.subscriptions.consent``).
"""

import logging

from newsletter.models import Subscriber
from newsletter.subscriptions.consent import Actor, allows
from newsletter.subscriptions.history import log_event

logger = logging.getLogger(__name__)

Status = Subscriber.Status
ACTIONS = {
    Status.UNSUBSCRIBED: "newsletter.unsubscribe",
    Status.BOUNCED: "newsletter.bounce",
    Status.COMPLAINED: "newsletter.complaint",
}


def suppress(email, status, reason=""):
    """Move the subscriber with this address to ``status`` unless they are already in an
    equal or stronger one. Returns the subscriber, or ``None`` for an unknown address."""
    subscriber = Subscriber.objects.with_email(email).first()
    if subscriber is None:
        return None
    if subscriber.status != status and allows(subscriber.status, status, Actor.PROVIDER):
        subscriber.change_status(status, reason)
        log_event(subscriber, ACTIONS[status], reason=subscriber.status_reason)
        logger.info("Subscriber %s is now %s: %s", subscriber.pk, status, reason)
    return subscriber


def mark_bounced(email, reason="permanent bounce"):
    return suppress(email, Status.BOUNCED, reason)


def mark_complained(email, reason="spam complaint"):
    return suppress(email, Status.COMPLAINED, reason)


def mark_unsubscribed(email, reason="unsubscribed through the mail provider"):
    return suppress(email, Status.UNSUBSCRIBED, reason)


def _code(code):
    try:
        return int(code)
    except (TypeError, ValueError):
        return 0


def _text(message):
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return " ".join(str(message or "").split())


def suppress_from_smtp_error(email, code, message=""):
    """Mark ``email`` bounced if the SMTP reply was a permanent failure (5xx).

    Returns True when the address was treated as bounced; temporary (4xx) failures change
    nothing, so the next send tries again.
    """
    code = _code(code)
    if not 500 <= code < 600:
        return False
    mark_bounced(email, f"{code} {_text(message)}".strip())
    return True


def suppress_refused_recipients(error):
    """Handle ``smtplib.SMTPRecipientsRefused``: each permanently refused address bounces."""
    for email, (code, message) in error.recipients.items():
        suppress_from_smtp_error(email, code, message)
