"""The SMTP fault matrix: a real SMTP conversation over 127.0.0.1 with a server that
misbehaves on cue, sending small campaigns through the real worker (``deliver_campaign``).

1. nothing listening, then the server comes back;
2. 4xx replies to RCPT, to DATA and after the message, a 421 that closes the connection;
3. the connection dropped in the middle of the message;
(4, a server that never answers, and 5, 5xx replies, are in test_silence_and_5xx.py).

Each test checks what the server actually took (one complete message per recipient, to that
recipient), the delivery rows, the subscribers' status and the report an editor sees.

The fault server is a small threaded socket server rather than aiosmtpd: aiosmtpd can't be
told to hang up in the middle of DATA or to go silent. Retry times come from the worker's
clock, which ``clock`` moves forward, so no test waits for a backoff to pass; the only real
waiting is the 1 s SMTP timeout of fault 4. Fixtures in conftest.py, shared checks in checks.py.
"""

import pytest

from newsletter.models import Campaign, Subscriber
from newsletter.sending.outcomes import backoff

from ..sending_helpers import frozen_campaign, no_failed_tasks, readers
from ..smtp_fault_server import DROP, FaultServer
from .checks import (
    DStatus,
    assert_one_complete_copy_each,
    assert_retry_after,
    figures,
    rows,
    run,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]


# 1. Nothing listening, then the server is back


def test_refused_connections_defer_the_batch_until_the_server_is_back(port, sink, clock, settings):
    subscribers = readers(count=4)
    campaign = frozen_campaign(subscribers)
    # Longer than the attempts allowed: an outage is not the readers' fault, so nobody fails.
    outages = settings.NEWSLETTER_MAX_ATTEMPTS + 1

    for attempt in range(1, outages + 1):
        sent, before, after = run(campaign, clock)
        assert sent == 0
        deliveries = list(campaign.deliveries.all())
        assert {(d.status, d.attempts) for d in deliveries} == {(DStatus.PENDING, attempt)}
        for delivery in deliveries:
            assert "connect" in delivery.last_error.lower()
            assert_retry_after(delivery, backoff(attempt), before, after)
        assert figures(campaign) == {
            "recipients": 4,
            "sent": 0,
            "failed": 0,
            "bounced": 0,
            "skipped": 0,
            "pending": 4,
        }
        # Not due yet: a run now tries nothing.
        assert run(campaign, clock)[0] == 0
        assert campaign.deliveries.filter(attempts=attempt).count() == 4
        clock.advance(backoff(attempt))
    assert backoff(2) == 2 * backoff(1)  # the waits grow

    running = FaultServer(port, sink)
    try:
        assert run(campaign, clock)[0] == 4
        assert run(campaign, clock)[0] == 0  # nothing left to send twice
    finally:
        running.stop()

    assert_one_complete_copy_each(sink, subscribers)
    assert set(rows(campaign).values()) == {(DStatus.SENT, outages + 1)}
    assert figures(campaign) == {
        "recipients": 4,
        "sent": 4,
        "failed": 0,
        "bounced": 0,
        "skipped": 0,
        "pending": 0,
    }
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    assert sink.connections == 1


# 2. 4xx: try again later


def test_4xx_replies_are_retried_with_growing_backoff_and_delivered_once(server, clock):
    subscribers = readers(
        "ann@example.org",
        "busy@example.org",
        "full@example.org",
        "closing@example.org",
        "late@example.org",
        "zed@example.org",
    )
    server.script = {
        ("RCPT", "busy@example.org"): ["451 4.3.0 busy, try later", "450 4.2.1 mailbox busy"],
        ("DATA", "full@example.org"): ["452 4.3.1 insufficient storage"],
        ("RCPT", "closing@example.org"): ["421 4.3.2 shutting down"],
        ("END", "late@example.org"): ["451 4.4.1 try again"],
    }
    campaign = frozen_campaign(subscribers)

    sent, before, after = run(campaign, clock)

    assert sent == 2
    assert rows(campaign) == {
        "ann@example.org": (DStatus.SENT, 1),
        "zed@example.org": (DStatus.SENT, 1),
        "busy@example.org": (DStatus.PENDING, 1),
        "full@example.org": (DStatus.PENDING, 1),
        "closing@example.org": (DStatus.PENDING, 1),
        "late@example.org": (DStatus.PENDING, 1),
    }
    errors = dict(campaign.deliveries.values_list("email", "last_error"))
    assert "451 4.3.0" in errors["busy@example.org"]
    assert "452 4.3.1" in errors["full@example.org"]
    assert "421 4.3.2" in errors["closing@example.org"]
    assert "451 4.4.1" in errors["late@example.org"]
    for delivery in campaign.deliveries.filter(status=DStatus.PENDING):
        assert_retry_after(delivery, backoff(1), before, after)
    assert sorted(server.received()) == ["ann@example.org", "zed@example.org"]
    assert server.connections == 2  # the 421 closed the first connection
    assert figures(campaign)["pending"] == 4
    assert run(campaign, clock)[0] == 0  # not due yet

    clock.advance(backoff(1))
    sent, before, after = run(campaign, clock)

    assert sent == 3
    busy = campaign.deliveries.get(email="busy@example.org")
    assert (busy.status, busy.attempts) == (DStatus.PENDING, 2)
    assert "450 4.2.1" in busy.last_error
    assert_retry_after(busy, backoff(2), before, after)  # twice as long as the first wait
    assert backoff(2) > backoff(1)
    clock.advance(backoff(1))
    assert run(campaign, clock)[0] == 0  # still waiting

    clock.advance(backoff(2) - backoff(1))
    assert run(campaign, clock)[0] == 1

    assert_one_complete_copy_each(server, subscribers)
    assert rows(campaign) == {
        "ann@example.org": (DStatus.SENT, 1),
        "zed@example.org": (DStatus.SENT, 1),
        "busy@example.org": (DStatus.SENT, 3),
        "full@example.org": (DStatus.SENT, 2),
        "closing@example.org": (DStatus.SENT, 2),
        "late@example.org": (DStatus.SENT, 2),
    }
    assert figures(campaign) == {
        "recipients": 6,
        "sent": 6,
        "failed": 0,
        "bounced": 0,
        "skipped": 0,
        "pending": 0,
    }
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == 6


# 3. The connection dropped in the middle of a message


def test_a_connection_dropped_mid_message_is_not_counted_and_is_sent_again(server, clock):
    subscribers = readers("ann@example.org", "cut@example.org", "zed@example.org")
    server.script = {("BODY", "cut@example.org"): [DROP]}
    campaign = frozen_campaign(subscribers)

    sent, before, after = run(campaign, clock)

    assert sent == 2
    cut = campaign.deliveries.get(email="cut@example.org")
    assert (cut.status, cut.attempts, cut.sent_at) == (DStatus.PENDING, 1, None)
    assert "dropped" in cut.last_error or "answer" in cut.last_error
    assert_retry_after(cut, backoff(1), before, after)
    # The server had the headers, not the body, and took nothing for that address.
    ((address, partial),) = server.partial
    assert address == "cut@example.org" and b"To: cut@example.org" in partial
    assert b"Story one" not in partial
    assert sorted(server.received()) == ["ann@example.org", "zed@example.org"]
    assert server.connections == 2  # the next reader got a new connection
    assert figures(campaign)["pending"] == 1 and figures(campaign)["sent"] == 2

    clock.advance(backoff(1))
    assert run(campaign, clock)[0] == 1

    assert_one_complete_copy_each(server, subscribers)
    assert rows(campaign)["cut@example.org"] == (DStatus.SENT, 2)
    assert figures(campaign) == {
        "recipients": 3,
        "sent": 3,
        "failed": 0,
        "bounced": 0,
        "skipped": 0,
        "pending": 0,
    }
