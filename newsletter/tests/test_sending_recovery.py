"""Sends that survive their faults: a worker killed mid-batch (the messages it may have had
in flight are flagged and counted in the report)."""

import datetime
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from newsletter.models import Campaign, Delivery
from newsletter.sending import report, run_due_and_stalled
from newsletter.sending.tasks import send_campaign
from newsletter.sending.worker import claim_batch

from .sending_helpers import frozen_campaign, no_failed_tasks, readers, recipients_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]
DStatus = Delivery.Status


def killed_mid_batch(campaign, owner, *, marked, in_flight):
    """A worker claims a batch of 5, the server takes ``marked + in_flight`` of its messages,
    and it is killed after recording only ``marked`` of them. Returns the addresses the
    server got from it, and the next address in line when it died."""
    batch = claim_batch(campaign.pk, owner, 5)
    for row in batch[:marked]:
        Delivery.objects.filter(pk=row.pk).update(status=DStatus.SENT, sent_at=timezone.now(),
                                                  lease_owner="", lease_expires_at=None)
    return [row.email for row in batch[:marked + in_flight]], batch[marked].email


def leases_run_out(campaign):
    Delivery.objects.filter(campaign=campaign, lease_expires_at__isnull=False).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))


def report_page(client, campaign):
    response = client.get(f"/admin/newsletter/campaigns/{campaign.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_messages_in_flight_when_workers_died_are_flagged_and_reported(settings,
                                                                       editor_client):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 5
    subscribers = readers(count=14)
    campaign = frozen_campaign(subscribers)
    # Two workers killed: the first just after the server took its third message, the
    # second between two messages (nothing in flight, but nobody can tell).
    first, first_next = killed_mid_batch(campaign, "killed-a", marked=2, in_flight=1)
    second, second_next = killed_mid_batch(campaign, "killed-b", marked=1, in_flight=0)
    leases_run_out(campaign)

    run_due_and_stalled()

    at_the_server = Counter(first + second + recipients_of())
    assert set(at_the_server) == {s.email for s in subscribers}
    twice = [address for address, count in at_the_server.items() if count > 1]
    assert twice == [first_next]
    flagged = set(Delivery.objects.filter(campaign=campaign, possible_duplicate=True)
                  .values_list("email", flat=True))
    assert flagged == {first_next, second_next}  # the next in line of each dead worker
    figures = report(campaign)
    assert figures["sent"] == 14 and figures["possible_duplicates"] == 2
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    page = report_page(editor_client, campaign)
    assert "2 messages may have been sent twice after a worker stopped" in page
    assert "May have been sent twice 2" in page


def test_a_send_nobody_interrupted_flags_nothing(editor_client):
    campaign = frozen_campaign(readers(count=6))

    send_campaign.enqueue(campaign.pk)

    assert len(mail.outbox) == 6
    assert report(campaign)["possible_duplicates"] == 0
    assert not Delivery.objects.filter(possible_duplicate=True).exists()
    assert "may have been sent twice" not in report_page(editor_client, campaign)


def test_a_worker_taking_back_its_own_rows_flags_nothing():
    campaign = frozen_campaign(readers(count=4))
    claim_batch(campaign.pk, "slow-worker", 4)
    leases_run_out(campaign)

    assert len(claim_batch(campaign.pk, "slow-worker", 4)) == 4
    assert not Delivery.objects.filter(possible_duplicate=True).exists()
