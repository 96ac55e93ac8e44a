"""The SMTP fault matrix: a real SMTP conversation over 127.0.0.1 with a server that
misbehaves on cue, sending small campaigns through the real worker (``deliver_campaign``).

1. nothing listening, then the server comes back;
2. 4xx replies to RCPT, to DATA and after the message, a 421 that closes the connection;
3. the connection dropped in the middle of the message;
4. a server that accepts the connection (or the message) and never answers;
5. 5xx replies for some addresses.

Each test checks what the server actually took (one complete message per recipient, to that
recipient), the delivery rows, the subscribers' status and the report an editor sees.

The fault server is a small threaded socket server rather than aiosmtpd: aiosmtpd can't be
told to hang up in the middle of DATA or to go silent. Retry times come from the worker's
clock, which ``clock`` moves forward, so no test waits for a backoff to pass; the only real
waiting is the 1 s SMTP timeout of fault 4.
"""

import datetime

import pytest
from django.utils import timezone

from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.sending import worker
from newsletter.sending.orchestration import report
from newsletter.sending.worker import backoff, deliver_campaign
from newsletter.subscriptions import tokens

from .sending_helpers import frozen_campaign, no_failed_tasks, readers
from .smtp_fault_server import DROP, HANG, FaultServer, Sink, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]
DStatus = Delivery.Status
SMTP_TIMEOUT = 10  # seconds: the newsletter mailer's timeout, never reached but in fault 4
SHORT_TIMEOUT = 1  # fault 4's: how long the worker waits for a silent server


class Clock:
    """The worker's clock, moved forward by hand: a retry comes due without waiting."""

    def __init__(self):
        self.offset = datetime.timedelta()

    def now(self):
        return timezone.now() + self.offset

    def localdate(self, value=None):
        return timezone.localdate(value or self.now())

    def advance(self, delta):
        self.offset += delta


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(worker, "timezone", fake)
    return fake


def point_mailer(settings, port, timeout):
    """The newsletter mailer: SMTP to 127.0.0.1:<port>, giving up after ``timeout`` seconds
    of silence (``EMAIL_URL``'s ``?timeout=`` in production)."""
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        },
    }


@pytest.fixture
def port(settings):
    """A port for the fault server, the mailer pointed at it, and short backoffs."""
    number = free_port()
    point_mailer(settings, number, SMTP_TIMEOUT)
    settings.NEWSLETTER_LEASE_SECONDS = 5
    settings.NEWSLETTER_RETRY_SECONDS = 10
    settings.NEWSLETTER_RETRY_MAX_SECONDS = 120
    settings.NEWSLETTER_MAX_ATTEMPTS = 5
    settings.NEWSLETTER_SEND_CONNECTIONS = 1
    settings.NEWSLETTER_RATE_LIMIT = 0
    return number


@pytest.fixture(params=[False, True], ids=["plain", "pipelining"])
def sink(request):
    return Sink(pipelining=request.param)


@pytest.fixture
def server(port, sink):
    running = FaultServer(port, sink)
    yield sink
    running.stop()


def rows(campaign):
    """Address -> (status, attempts) of each delivery."""
    return {d.email: (d.status, d.attempts) for d in campaign.deliveries.all()}


def figures(campaign):
    campaign.refresh_from_db()
    got = report(campaign)
    return {
        key: got[key] for key in ("recipients", "sent", "failed", "bounced", "skipped", "pending")
    }


def run(campaign, clock):
    """One run of the worker; returns (messages sent, when it started, when it ended)."""
    before = clock.now()
    sent = deliver_campaign(campaign.pk)
    return sent, before, clock.now()


def assert_retry_after(delivery, wait, before, after):
    """The row waits ``wait`` from the moment it failed (between ``before`` and ``after``)."""
    assert before + wait <= delivery.next_attempt_at <= after + wait
    assert delivery.lease_owner == "" and delivery.lease_expires_at is None


def assert_one_complete_copy_each(sink, subscribers):
    """Exactly one complete message per recipient, addressed to them, with their own links."""
    got = sink.received()
    assert sorted(got) == sorted(s.email for s in subscribers)
    for subscriber in subscribers:
        (message,) = got[subscriber.email]
        assert message["To"] == subscriber.email
        assert message["Subject"] == "Lisa's Top Ten: a test day"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Story one" in text and "Story one" in html and "</html>" in html
        assert tokens.unsubscribe_url(subscriber) in text
        assert tokens.unsubscribe_url(subscriber) in message["List-Unsubscribe"]
        assert "[[" not in text + html


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
