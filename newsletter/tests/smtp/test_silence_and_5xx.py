"""The SMTP fault matrix, continued (test_faults.py has 1-3): a real SMTP conversation over
127.0.0.1 with a server that

4. accepts the connection (or the message) and never answers (the 1 s SMTP timeout is the
   matrix's only real waiting);
5. replies 5xx for some addresses.
"""

import pytest

from newsletter.models import Campaign, Subscriber
from newsletter.sending.outcomes import backoff

from ..sending_helpers import frozen_campaign, no_failed_tasks, readers
from ..smtp_fault_server import HANG
from .checks import (
    SHORT_TIMEOUT,
    DStatus,
    assert_one_complete_copy_each,
    assert_retry_after,
    figures,
    point_mailer,
    rows,
    run,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]


# 4. A server that goes silent


def test_a_silent_server_after_connecting_times_out_and_defers_the_batch(
    server, port, clock, settings
):
    subscribers = readers(count=3)
    server.script = {("CONNECT", None): [HANG]}
    point_mailer(settings, port, SHORT_TIMEOUT)
    campaign = frozen_campaign(subscribers)

    sent, before, after = run(campaign, clock)

    assert sent == 0 and server.accepted == []
    for delivery in campaign.deliveries.all():
        assert (delivery.status, delivery.attempts) == (DStatus.PENDING, 1)
        assert "timed out" in delivery.last_error
        assert_retry_after(delivery, backoff(1), before, after)
    assert server.connections == 1  # gave up on the server, not on each reader in turn

    clock.advance(backoff(1))
    assert run(campaign, clock)[0] == 3

    assert_one_complete_copy_each(server, subscribers)
    assert set(rows(campaign).values()) == {(DStatus.SENT, 2)}
    assert figures(campaign)["sent"] == 3 and figures(campaign)["pending"] == 0


def test_a_silent_server_after_the_message_times_out_and_it_is_sent_again(
    server, port, clock, settings
):
    subscribers = readers("ann@example.org", "slow@example.org", "zed@example.org")
    server.script = {("END", "slow@example.org"): [HANG]}
    point_mailer(settings, port, SHORT_TIMEOUT)
    campaign = frozen_campaign(subscribers)

    sent, before, after = run(campaign, clock)

    slow = campaign.deliveries.get(email="slow@example.org")
    assert (slow.status, slow.attempts, slow.sent_at) == (DStatus.PENDING, 1, None)
    assert "timed out" in slow.last_error
    assert_retry_after(slow, backoff(1), before, after)
    # The next reader gets a new connection, and the message that timed out waits.
    assert sent == 2
    assert sorted(server.received()) == ["ann@example.org", "zed@example.org"]
    assert server.connections == 2
    assert run(campaign, clock)[0] == 0  # not due yet
    clock.advance(backoff(1))
    assert run(campaign, clock)[0] == 1

    assert_one_complete_copy_each(server, subscribers)
    assert rows(campaign) == {
        "ann@example.org": (DStatus.SENT, 1),
        "slow@example.org": (DStatus.SENT, 2),
        "zed@example.org": (DStatus.SENT, 1),
    }
    assert figures(campaign) == {
        "recipients": 3,
        "sent": 3,
        "failed": 0,
        "bounced": 0,
        "skipped": 0,
        "pending": 0,
    }


def test_a_server_silent_on_every_message_costs_two_timeouts_not_one_per_reader(
    server, port, clock, settings
):
    subscribers = readers(*(f"r{n}@example.org" for n in range(5)))
    server.script = {("END", s.email): [HANG] for s in subscribers}
    point_mailer(settings, port, SHORT_TIMEOUT)
    campaign = frozen_campaign(subscribers)

    sent, before, after = run(campaign, clock)

    # Two timeouts in a row: the rest of the batch waits for its retry instead of costing a
    # timeout each.
    assert sent == 0
    assert server.connections == 2
    assert set(rows(campaign).values()) == {(DStatus.PENDING, 1)}
    for delivery in campaign.deliveries.all():
        assert_retry_after(delivery, backoff(1), before, after)
    server.script = {}  # the server answers again
    clock.advance(backoff(1))
    assert run(campaign, clock)[0] == 5

    assert_one_complete_copy_each(server, subscribers)


# 5. 5xx for some addresses


def test_5xx_bounces_and_suppresses_those_addresses_and_the_report_adds_up(server, clock):
    good = [f"reader{n}@example.org" for n in range(6)]
    gone = ["gone1@example.org", "gone2@example.org"]
    subscribers = readers(*good[:3], *gone, "nobox@example.org", "spam@example.org", *good[3:])
    server.script = {
        ("RCPT", "gone1@example.org"): ["550 5.1.1 no such user"],
        ("RCPT", "gone2@example.org"): ["550 5.1.1 no such user"],
        # A refusal of the address that comes after the message: bounced like a RCPT one.
        ("END", "nobox@example.org"): ["554 5.1.1 mailbox unavailable"],
        # A refusal of this message's content (a spam filter): it fails, the reader stays.
        ("END", "spam@example.org"): ["554 5.7.1 message looks like spam"],
    }
    campaign = frozen_campaign(subscribers)

    assert run(campaign, clock)[0] == 6

    expected = dict.fromkeys(good, (DStatus.SENT, 1))
    expected.update(
        {
            "gone1@example.org": (DStatus.BOUNCED, 1),
            "gone2@example.org": (DStatus.BOUNCED, 1),
            "nobox@example.org": (DStatus.BOUNCED, 1),
            "spam@example.org": (DStatus.FAILED, 1),
        }
    )
    assert rows(campaign) == expected
    assert_one_complete_copy_each(server, [s for s in subscribers if s.email in good])
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    for address in [*gone, "nobox@example.org"]:
        assert statuses[address] == Subscriber.Status.BOUNCED
    assert "550 5.1.1" in Subscriber.objects.get(email="gone1@example.org").status_reason
    assert "554 5.1.1" in Subscriber.objects.get(email="nobox@example.org").status_reason
    assert statuses["spam@example.org"] == Subscriber.Status.ACTIVE
    assert "5.7.1" in campaign.deliveries.get(email="spam@example.org").last_error
    assert figures(campaign) == {
        "recipients": 10,
        "sent": 6,
        "failed": 1,
        "bounced": 3,
        "skipped": 0,
        "pending": 0,
    }
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    assert server.connections == 1  # a refusal doesn't cost the connection

    clock.advance(backoff(5))
    assert run(campaign, clock)[0] == 0  # nothing is tried again
    assert len(server.accepted) == 6
