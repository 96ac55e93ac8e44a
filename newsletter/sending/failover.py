"""Which mailer a campaign's batches go through: the main transport, or the fallback
(``NEWSLETTER_FALLBACK_EMAIL_URL``) once the main one has failed persistently.

"Persistently" is: the main transport could not be reached, or refused our sender address
(a 5xx to MAIL FROM), with no message getting through in between, for
``NEWSLETTER_FAILOVER_AFTER`` seconds. The first such failure is written on the campaign
(``transport_trouble_since``, shared by every worker); a message that gets through clears it.
Past the set time the campaign switches to the fallback for the rest of the send, with one
conditional UPDATE (two workers can't both switch it), and its waiting rows are made due at
once. Nothing is sent twice: a row the main transport accepted is already marked sent, and
only pending rows are ever claimed.

A failure of one address (a 5xx to RCPT, a refused message) is the reader's, not the
transport's, and never counts. Without a fallback the trouble is recorded and the send keeps
retrying the main transport, as before.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from newsletter.conf import FALLBACK_MAILER, MAILER, setting
from newsletter.models import Campaign, Delivery

logger = logging.getLogger(__name__)


def fallback_configured():
    return FALLBACK_MAILER in getattr(settings, "MAILERS", {})


def persistent(error):
    """Does ``error`` (a ``transport.Transient``) say the transport itself is failing: the
    server can't be reached, or it refuses our sender (the only 5xx that is transient)?"""
    return bool(getattr(error, "connect", False)) or 500 <= getattr(error, "code", 0) < 600


class Failover:
    """One worker's view of a campaign's transport. ``alias`` is the mailer to send the next
    batch through; ``trouble`` and ``recovered`` are called as messages fail and succeed."""

    def __init__(self, campaign):
        self.campaign_id = campaign.pk
        on_fallback = campaign.transport == FALLBACK_MAILER and fallback_configured()
        self.alias = FALLBACK_MAILER if on_fallback else MAILER
        self.trouble_since = None if on_fallback else campaign.transport_trouble_since

    def trouble(self, error):
        """Note a failed message; True when the fallback takes over from now on (the caller
        switches its sender). Costs queries only on the first failure of a spell and once
        the set time has passed."""
        if self.alias == FALLBACK_MAILER or not persistent(error):
            return False
        now = timezone.now()
        campaign = Campaign.objects.filter(pk=self.campaign_id)
        if self.trouble_since is None:
            campaign.filter(transport_trouble_since__isnull=True).update(
                transport_trouble_since=now
            )
            self.trouble_since = now
            logger.warning(
                "Campaign %s: the mail transport is failing: %s", self.campaign_id, error
            )
        after = datetime.timedelta(seconds=setting("NEWSLETTER_FAILOVER_AFTER"))
        if now - self.trouble_since < after or not fallback_configured():
            return False
        switched = campaign.filter(
            transport=MAILER, transport_trouble_since__lte=now - after
        ).update(transport=FALLBACK_MAILER, failover_note=self.note(now, error)[:500])
        if not switched:
            # Another worker switched it, or a message got through since: read which.
            state = campaign.values_list("transport", "transport_trouble_since").first()
            if state is None or state[0] != FALLBACK_MAILER:
                self.trouble_since = state[1] if state else None
                return False
        else:
            # The rows waiting for a retry of the main transport go now, through the fallback.
            Delivery.objects.filter(
                campaign_id=self.campaign_id, status=Delivery.Status.PENDING
            ).update(next_attempt_at=None)
            logger.warning(
                "Campaign %s: the fallback mail transport takes over the rest of the send",
                self.campaign_id,
            )
        self.alias = FALLBACK_MAILER
        return True

    def note(self, now, error):
        since = timezone.localtime(self.trouble_since)
        return (
            f"From {timezone.localtime(now):%H:%M} the rest went through the fallback mail "
            f"server: the main one had failed since {since:%H:%M} ({error})"
        )

    def recovered(self):
        """A message got through the main transport: the trouble is over."""
        if self.trouble_since is None or self.alias != MAILER:
            return
        Campaign.objects.filter(pk=self.campaign_id, transport=MAILER).update(
            transport_trouble_since=None
        )
        self.trouble_since = None
