"""The mail provider's own bot flag, through django-anymail's ``tracking`` signal.

Mailgun, when its click or open tracking is on, says in each "clicked" and "opened" event
whether its own detection took the client for a bot: ``client-info.bot`` is ``"apple"``
(Apple Mail Privacy Protection), ``"gmail"``, ``"generic"`` (a firewall or virus scanner), or
empty. anymail hands the event over as it came (``event.esp_event``).

A flagged click names the link it followed (``event.click_url``): ours are ``/r/<token>/``,
so the token says which link and which delivery. Our own click of that delivery on that link
within ``MATCH_SPAN`` of the event is marked suspect (reason "provider"). A flagged open marks
the delivery's pixel loads within ``MATCH_SPAN`` as a machine's.

The webhook view (``newsletter.views.webhooks``) checks the provider's signature first.
"""

import datetime
import re

from anymail.signals import EventType, tracking
from django.dispatch import receiver
from django.utils import timezone

from newsletter.engagement.tokens import read_copy_key, read_token
from newsletter.models import Click, Open

# The provider's clock and ours, and its event against our buffered write, differ by
# seconds; no reader clicks the same story twice within a minute on purpose.
MATCH_SPAN = datetime.timedelta(seconds=60)
TOKEN_IN_URL = re.compile(r"/r/(?P<token>[^/?#\s]+)/(?:(?P<link>[0-9]{1,9})/)?")


def bot_flag(esp_event):
    """The provider's bot verdict in its raw event (``"apple"``, ``"generic"``...) or ``""``."""
    if not isinstance(esp_event, dict):
        return ""
    event_data = esp_event.get("event-data")
    client_info = (event_data if isinstance(event_data, dict) else {}).get("client-info")
    flag = client_info.get("bot") if isinstance(client_info, dict) else None
    return flag.strip() if isinstance(flag, str) else ""


def link_clicked(url):
    """``(link id, delivery id)`` of one of our links in ``url``, ``/r/<token>/`` or a batch
    copy's ``/r/<key>/<link id>/``; None for anything else."""
    match = TOKEN_IN_URL.search(url or "")
    if match is None:
        return None
    if match.group("link"):
        delivery_id = read_copy_key(match.group("token"))
        return None if delivery_id is None else (int(match.group("link")), delivery_id)
    return read_token(match.group("token"))


def mark_clicks(link_id, delivery_id, at):
    """Mark the delivery's clicks on the link within ``MATCH_SPAN`` of ``at`` suspect (one
    UPDATE); returns how many changed."""
    if delivery_id is None:
        return 0
    return Click.objects.filter(
        link_id=link_id,
        delivery_id=delivery_id,
        at__range=(at - MATCH_SPAN, at + MATCH_SPAN),
        human=True,
    ).update(human=False, reason=Click.Reason.PROVIDER)


def mark_opens(email, at):
    """Mark pixel loads within ``MATCH_SPAN`` of ``at`` by deliveries to ``email`` as a
    machine's (one UPDATE)."""
    return Open.objects.filter(
        delivery__email__iexact=email,
        at__range=(at - MATCH_SPAN, at + MATCH_SPAN),
        machine=False,
    ).update(machine=True)


@receiver(tracking, dispatch_uid="newsletter.engagement.provider_flagged_bot")
def provider_flagged_bot(sender, event, esp_name, **kwargs):
    if event.event_type not in (EventType.CLICKED, EventType.OPENED):
        return
    if not bot_flag(event.esp_event):
        return
    at = event.timestamp or timezone.now()
    if event.event_type == EventType.OPENED:
        if event.recipient:
            mark_opens(event.recipient, at)
        return
    found = link_clicked(event.click_url)
    if found is not None:
        mark_clicks(*found, at)
