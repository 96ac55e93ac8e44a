"""Sending through a relay far away: ``trials.relay`` answers every command 50 ms after it
came (the sink ``make bench`` measures with), and the worker sends on several connections
at once, each message once. (How fast is measured by ``make bench``, part ``relay``.)"""

import pytest

from newsletter.models import Delivery
from newsletter.sending.worker import deliver_campaign
from trials.relay import Relay

from ..sending_helpers import frozen_campaign, readers
from ..smtp_fault_server import free_port
from .checks import SMTP_TIMEOUT, point_mailer

# Threads need rows they can see: committed, not inside the test's transaction.
# serialized_rollback: the data migrations made (the daily list, groups) come back after the
# flush, as for every other test that commits (root conftest.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def relay(settings):
    port = free_port()
    point_mailer(settings, port, SMTP_TIMEOUT)
    running = Relay(port, delay=0.05)
    yield running
    running.stop()


def test_several_connections_share_a_send_through_a_slow_relay_each_message_once(relay, settings):
    settings.NEWSLETTER_SEND_CONNECTIONS = 4
    settings.NEWSLETTER_SEND_BATCH_SIZE = 3
    settings.NEWSLETTER_RATE_LIMIT = 0
    campaign = frozen_campaign(readers(count=24))

    # (SQLite's shared in-memory test database may make a thread wait for a lock; a second
    # run, as the worker's housekeeping would start, takes what is left.)
    sent = deliver_campaign(campaign.pk)
    if sent < 24:
        sent += deliver_campaign(campaign.pk)
    rows = list(campaign.deliveries.values_list("status", "last_error"))
    assert sent == 24, rows
    assert {status for status, _error in rows} == {Delivery.Status.SENT}
    assert relay.counts.messages == 24  # each taken once, none lost
    assert 1 <= relay.counts.connections <= 4  # one connection per sending thread at most
    campaign.refresh_from_db()
    assert campaign.status == campaign.Status.SENT
