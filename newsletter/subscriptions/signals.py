"""Delivery events from the mail provider, through django-anymail's ``tracking`` signal.

anymail's webhook views (``/newsletter/anymail/<provider>/tracking/``) check the request
(HTTP basic auth from ``ANYMAIL["WEBHOOK_SECRET"]``, plus the provider's own signature where
it has one) and then send this signal once per event.
"""

import re

from anymail.signals import EventType, RejectReason, tracking
from django.dispatch import receiver

from newsletter.subscriptions import suppression

# "rejected" means the provider refused to send; only these reasons say the address is bad.
PERMANENT_REJECTS = {RejectReason.INVALID, RejectReason.BOUNCED}
# An SMTP reply code ("452") or enhanced status ("4.2.2") in the provider's text.
SMTP_CODE = re.compile(r"\b([245])(?:\d\d|\.\d{1,3}\.\d{1,3})\b")


def is_temporary(event):
    """Some providers report soft bounces (mailbox full) as "bounced": trust a 4xx code."""
    match = SMTP_CODE.search(f"{event.mta_response or ''} {event.description or ''}")
    return bool(match) and match.group(1) == "4"


@receiver(tracking, dispatch_uid="newsletter.suppress_from_tracking")
def suppress_from_tracking(sender, event, esp_name, **kwargs):
    email = event.recipient
    if not email:
        return
    reason = f"{esp_name}: {event.description or event.mta_response or event.event_type}"
    if event.event_type == EventType.BOUNCED:
        if not is_temporary(event):
            suppression.mark_bounced(email, reason)
    elif event.event_type == EventType.REJECTED:
        if event.reject_reason in PERMANENT_REJECTS:
            suppression.mark_bounced(email, reason)
        elif event.reject_reason == RejectReason.SPAM:
            suppression.mark_complained(email, reason)
        elif event.reject_reason == RejectReason.UNSUBSCRIBED:
            suppression.mark_unsubscribed(email, reason)
    elif event.event_type == EventType.COMPLAINED:
        suppression.mark_complained(email, reason)
    elif event.event_type == EventType.UNSUBSCRIBED:
        suppression.mark_unsubscribed(email, reason)
