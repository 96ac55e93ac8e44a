"""Batch-API calls in flight side by side: each worker sends ``NEWSLETTER_API_BATCH_CALLS``
calls at once (one builds its call while another waits for the provider), each reader
still exactly once. The worker's threads need committed rows, so these tests commit."""

import threading

import pytest

from newsletter.models import Campaign, Delivery
from newsletter.sending.worker import deliver_campaign

from .sending_helpers import frozen_campaign, readers
from .test_sending_batch_api import mailgun, one_copy_each

# serialized_rollback: the data migrations' rows come back after the flush (root conftest).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
__all__ = ["mailgun"]


@pytest.mark.parametrize("calls", [1, 2, 3])
def test_each_worker_has_as_many_calls_in_flight_as_set_and_sends_each_reader_once(
    mailgun, settings, calls
):
    settings.NEWSLETTER_API_BATCH_SIZE = 3
    settings.NEWSLETTER_API_BATCH_CALLS = calls
    mailgun.delay = 0.1
    # The first calls wait at the server for each other (10 s at most): a loaded machine may
    # start a thread late, but the threads must each have a call out at the same time.
    together = threading.Barrier(calls, timeout=10)
    mailgun.on_call = lambda number: together.wait() if number <= calls else None
    subscribers = readers(count=18)
    campaign = frozen_campaign(subscribers)

    sent = deliver_campaign(campaign.pk)
    if sent < 18:  # SQLite's shared test database may lock a thread out for a moment
        sent += deliver_campaign(campaign.pk)

    assert sent == 18
    assert mailgun.most_in_flight == calls
    assert len(mailgun.calls) == 6 and {len(call.recipients) for call in mailgun.calls} == {3}
    one_copy_each(mailgun, subscribers)
    assert set(campaign.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
