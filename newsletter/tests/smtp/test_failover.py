"""Failover: two real SMTP servers on 127.0.0.1 (aiosmtpd). The main one refuses our sender
(550 at MAIL FROM) or can't be reached; once it has failed for NEWSLETTER_FAILOVER_AFTER
seconds the fallback takes the rest of the send. The raw bytes each server received are
parsed: nobody gets two copies, nobody none, and the report counts per transport.

The worker's clock (``clock``, conftest.py) is moved forward through the retries, so no test
waits for the set time to pass.
"""

import collections
import email
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from django.urls import reverse

from config.mail import mailer_from_url
from newsletter.models import Campaign, Delivery
from newsletter.sending.orchestration import report
from newsletter.sending.outcomes import backoff
from trials.mailgun import MailgunServer

from ..sending_helpers import frozen_campaign, no_failed_tasks, readers
from ..smtp_fault_server import free_port
from .checks import figures, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]
DStatus = Delivery.Status
FAILOVER_AFTER = 300


class Sink:
    """Takes mail, except that after ``accept`` messages it refuses our sender (None: never)."""

    def __init__(self, accept=None):
        self.accept = accept
        self.messages = []  # (recipients, raw bytes)
        self.refused = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.accept is not None and len(self.messages) >= self.accept:
            self.refused += 1
            return "550 5.7.1 <lisa@example.com>: sender not allowed"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 queued"

    def received(self):
        """Recipient -> the parsed messages this server took for them."""
        got = collections.defaultdict(list)
        for recipients, raw in self.messages:
            message = email.message_from_bytes(raw, policy=policy.default)
            for recipient in recipients:
                got[recipient].append(message)
        return got


def smtp_server(sink):
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return port, controller


def mailer(port):
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
    }


@pytest.fixture
def retries(settings):
    settings.NEWSLETTER_RETRY_SECONDS = 30
    settings.NEWSLETTER_RETRY_MAX_SECONDS = 3600
    settings.NEWSLETTER_MAX_ATTEMPTS = 8
    settings.NEWSLETTER_SEND_CONNECTIONS = 1
    settings.NEWSLETTER_RATE_LIMIT = 0
    settings.NEWSLETTER_FAILOVER_AFTER = FAILOVER_AFTER


@pytest.fixture
def fallback(settings, retries):
    sink = Sink()
    port, controller = smtp_server(sink)
    settings.MAILERS = {**settings.MAILERS, "newsletter_fallback": mailer(port)}
    yield sink
    controller.stop()


def main_server(settings, sink):
    port, controller = smtp_server(sink)
    settings.MAILERS = {**settings.MAILERS, "newsletter": mailer(port)}
    return controller


def retry_until_failover(campaign, clock):
    """Run the worker, then again when the next retry comes due, until the fallback took
    over; returns how many runs it took."""
    for runs in range(1, 20):
        run(campaign, clock)
        campaign.refresh_from_db()
        if campaign.transport == "newsletter_fallback":
            return runs
        waiting = campaign.deliveries.filter(status=DStatus.PENDING)
        if not waiting.exists():
            break  # nothing left: it never switched
        if waiting.filter(next_attempt_at=None).exists():
            continue  # rows due now (a batch API worker stops after a failed call)
        due = min(waiting.values_list("next_attempt_at", flat=True))
        clock.advance(due - clock.now())
    raise AssertionError("the fallback never took over")


def assert_one_copy_each(subscribers, *sinks):
    """Across both servers: exactly one complete message per reader, to that reader."""
    seen = collections.Counter()
    for sink in sinks:
        for address, messages in sink.received().items():
            seen[address] += len(messages)
            for message in messages:
                assert message["To"] == address
                assert message["Subject"] == "Lisa's Top Ten: a test day"
                assert "</html>" in message.get_body(("html",)).get_content()
    assert seen == {s.email: 1 for s in subscribers}


def transports(campaign):
    return collections.Counter(
        campaign.deliveries.filter(status=DStatus.SENT).values_list("transport", flat=True)
    )


def test_a_refused_sender_hands_the_rest_to_the_fallback_after_the_set_time(
    settings, clock, fallback
):
    main = Sink(accept=0)  # refuses our sender from the start
    controller = main_server(settings, main)
    subscribers = readers(count=4)
    campaign = frozen_campaign(subscribers)
    started = clock.now()
    try:
        runs = retry_until_failover(campaign, clock)
    finally:
        controller.stop()

    # Retries at 0, 30 s, 1 min 30, 3 min 30 and 7 min 30: the fifth, past five minutes.
    assert runs == 5 and (clock.now() - started).total_seconds() >= FAILOVER_AFTER
    # Four refusals in each of four runs; in the fifth the first one switched it over.
    assert main.messages == [] and main.refused == 4 * 4 + 1
    assert_one_copy_each(subscribers, fallback)
    assert transports(campaign) == {"newsletter_fallback": 4}
    assert figures(campaign)["sent"] == 4 and figures(campaign)["pending"] == 0
    assert campaign.status == Campaign.Status.SENT
    assert "the rest went through the fallback mail server" in campaign.failover_note
    assert "550 5.7.1" in campaign.failover_note
    got = report(campaign)
    assert got["sent_by_fallback"] == 4
    assert got["transports"] == [("the main mail server", 0), ("the fallback mail server", 4)]
    assert run(campaign, clock)[0] == 0  # nothing left to send twice


def test_what_the_main_server_took_stays_sent_and_the_fallback_sends_only_the_rest(
    settings, clock, fallback, editor_client
):
    main = Sink(accept=3)  # takes three messages, then refuses our sender
    controller = main_server(settings, main)
    subscribers = readers(count=7)
    campaign = frozen_campaign(subscribers)
    try:
        retry_until_failover(campaign, clock)
    finally:
        controller.stop()

    assert len(main.messages) == 3 and len(fallback.messages) == 4
    assert_one_copy_each(subscribers, main, fallback)
    assert transports(campaign) == {"newsletter": 3, "newsletter_fallback": 4}
    assert report(campaign)["transports"] == [
        ("the main mail server", 3),
        ("the fallback mail server", 4),
    ]
    # The editor's report says which server sent how many, and why it switched.
    page = BeautifulSoup(
        editor_client.get(reverse("newsletter_campaigns:report", args=[campaign.pk])).content,
        "html.parser",
    )
    rows = {
        " ".join(dt.get_text().split()): dt.find_next_sibling("dd").get_text()
        for dt in page.select("dl dt")
    }
    assert rows["Sent through the main mail server"] == "3"
    assert rows["Sent through the fallback mail server"] == "4"
    assert "fallback mail server" in page.select_one("[data-failover]").get_text()


def test_an_unreachable_main_server_fails_over_too(settings, clock, fallback):
    settings.MAILERS = {**settings.MAILERS, "newsletter": mailer(free_port())}  # nobody there
    subscribers = readers(count=5)
    campaign = frozen_campaign(subscribers)

    runs = retry_until_failover(campaign, clock)

    assert runs == 5
    assert_one_copy_each(subscribers, fallback)
    assert transports(campaign) == {"newsletter_fallback": 5}
    assert "connect" in campaign.failover_note.lower()


def test_a_message_getting_through_ends_the_spell(settings, clock, fallback):
    main = Sink(accept=0)
    controller = main_server(settings, main)
    subscribers = readers(count=3)
    campaign = frozen_campaign(subscribers)
    try:
        run(campaign, clock)
        campaign.refresh_from_db()
        assert campaign.transport_trouble_since is not None
        clock.advance(backoff(1))
        main.accept = None  # the main server takes mail again
        assert run(campaign, clock)[0] == 3
    finally:
        controller.stop()

    campaign.refresh_from_db()
    assert campaign.transport == "newsletter" and campaign.transport_trouble_since is None
    assert fallback.messages == []
    assert transports(campaign) == {"newsletter": 3}
    assert "transports" not in report(campaign)


def test_without_a_fallback_the_send_keeps_retrying_the_main_server(settings, clock, retries):
    main = Sink(accept=0)
    controller = main_server(settings, main)
    campaign = frozen_campaign(readers(count=2))
    try:
        for attempt in range(1, 6):  # well past the set time
            run(campaign, clock)
            clock.advance(backoff(attempt))
    finally:
        controller.stop()

    campaign.refresh_from_db()
    assert campaign.transport == "newsletter" and campaign.failover_note == ""
    assert set(campaign.deliveries.values_list("status", "attempts")) == {(DStatus.PENDING, 5)}


def test_the_fallback_mailer_comes_from_its_url_and_only_when_set():
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.MAILERS), settings.MAILERS.get('newsletter_fallback'))"
    )
    root = Path(__file__).resolve().parents[3]
    environment = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_FALLBACK_EMAIL_URL"}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"

    def mailers(**env):
        return subprocess.run(
            [sys.executable, "-c", show],
            cwd=root,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout.strip()

    assert mailers() == "['default', 'newsletter'] None"
    with_fallback = mailers(NEWSLETTER_FALLBACK_EMAIL_URL="smtp://backup.example.net:2525")
    assert with_fallback.startswith("['default', 'newsletter', 'newsletter_fallback'] ")
    assert "'host': 'backup.example.net', 'port': 2525" in with_fallback


def test_a_failing_batch_api_hands_the_rest_to_the_fallback(settings, clock, fallback):
    # The main transport is Mailgun's batch API (anymail's client, a local server): it takes
    # the first call of two readers, then answers 503 to every call. The fallback is SMTP.
    server = MailgunServer(api_key="key-test").start()
    server.script = [None] + [("status", 503)] * 50
    url = f"mailgun://key-test@?sender_domain=mg.example.com&api_url={server.url}"
    settings.MAILERS = {**settings.MAILERS, "newsletter": mailer_from_url(url, settings.BASE_DIR)}
    settings.NEWSLETTER_API_BATCH_SIZE = 2
    subscribers = readers(count=6)
    campaign = frozen_campaign(subscribers)
    started = clock.now()
    try:
        retry_until_failover(campaign, clock)
    finally:
        server.stop()

    assert (clock.now() - started).total_seconds() >= FAILOVER_AFTER
    by_api = sorted(server.received)
    assert len(by_api) == 2 and set(server.received.values()) == {1}
    assert [call.answer for call in server.calls][:2] == [200, 503]
    # The fallback sent the four others, and only them: nobody twice, nobody missed.
    got = fallback.received()
    assert sorted(got) == sorted(s.email for s in subscribers if s.email not in by_api)
    assert all(len(messages) == 1 for messages in got.values())
    assert transports(campaign) == {"newsletter": 2, "newsletter_fallback": 4}
    assert report(campaign)["transports"] == [
        ("the main mail server", 2),
        ("the fallback mail server", 4),
    ]
    assert "503" in campaign.failover_note
    assert campaign.status == Campaign.Status.SENT
