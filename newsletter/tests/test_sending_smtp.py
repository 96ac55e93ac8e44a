"""The SMTP path against a real SMTP server on 127.0.0.1 (aiosmtpd): one connection for many
messages, 4xx replies retried later, 5xx replies bounced and suppressed, and what arrives has
both parts, personal links and the one-click unsubscribe headers."""

import collections
import email
import re
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.sending.orchestration import send_issue_now
from newsletter.sending.scheduling import run_due_and_stalled
from newsletter.sending.tasks import send_campaign
from newsletter.subscriptions import tokens

from .sending_helpers import frozen_campaign, make_issue, media, no_failed_tasks, readers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["media", "no_failed_tasks"]
DStatus = Delivery.Status
OK = ["ann@example.org", "bob@example.org", "cy@example.org", "dee@example.org"]
BUSY = ["busy1@example.org", "busy2@example.org"]  # 451 the first time
GONE = ["gone1@example.org", "gone2@example.org"]  # 550 always


class Handler:
    """Accepts mail, except: BUSY addresses get a 451 the first time, GONE ones a 550."""

    def __init__(self, pipelining):
        self.pipelining = pipelining
        self.messages = []  # (recipients, bytes)
        self.tries = collections.Counter()
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.tries[address] += 1
        if address in GONE:
            return f"550 5.1.1 <{address}>: no such user"
        if address in BUSY and self.tries[address] == 1:
            return "451 4.3.0 busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=[False, True], ids=["plain", "pipelining"])
def smtp_server(request, settings):
    handler = Handler(pipelining=request.param)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        },
    }
    yield handler
    controller.stop()


def received(handler):
    """Recipient -> list of parsed messages the server accepted for them."""
    by_address = collections.defaultdict(list)
    for recipients, raw in handler.messages:
        assert len(recipients) == 1
        by_address[recipients[0]].append(email.message_from_bytes(raw, policy=policy.default))
    return by_address


def check_message(message, subscriber):
    unsubscribe = tokens.unsubscribe_url(subscriber)
    assert message["To"] == subscriber.email
    assert re.findall(r"<(https?://[^>]+)>", message["List-Unsubscribe"]) == [unsubscribe]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] and message["Message-ID"] and message["Date"]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert unsubscribe in text and tokens.preferences_url(subscriber) in text
    assert f'href="{unsubscribe}"' in html
    assert "[[" not in text + html
    return text, html


def test_smtp_retries_4xx_suppresses_5xx_and_delivers_each_once(smtp_server, media, site):
    readers(*OK, *BUSY, *GONE)
    issue = make_issue(site)

    campaign = send_issue_now(issue)

    got = received(smtp_server)
    assert sorted(got) == sorted(OK)
    for address in GONE:
        delivery = Delivery.objects.get(email=address)
        assert delivery.status == DStatus.BOUNCED and "550 5.1.1" in delivery.last_error
        subscriber = Subscriber.objects.get(email=address)
        assert subscriber.status == Subscriber.Status.BOUNCED
        assert "no such user" in subscriber.status_reason
    busy = Delivery.objects.filter(email__in=BUSY)
    assert {(d.status, d.attempts) for d in busy} == {(DStatus.PENDING, 1)}
    assert all("451" in d.last_error for d in busy)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING
    assert smtp_server.connections == 1  # one connection for the whole batch

    busy.update(next_attempt_at=None)  # their retry time has come
    run_due_and_stalled()

    got = received(smtp_server)
    assert sorted(got) == sorted(OK + BUSY)
    assert all(len(messages) == 1 for messages in got.values())
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    for address, (message,) in got.items():
        text, html = check_message(message, Subscriber.objects.get(email=address))
        assert "Story number 10" in text and "Story number 10" in html
        assert message["Subject"] == campaign.subject
    raw = smtp_server.messages[0][1]
    assert max(len(line) for line in raw.split(b"\r\n")) < 998


def test_lines_starting_with_a_dot_and_long_lines_arrive_intact(smtp_server):
    subscriber = readers("ann@example.org")[0]
    long_html = "<p>" + "".join(f"<span>word {n}</span> " for n in range(600)) + "</p>"
    text = (
        ".hidden line\n..two dots\n"
        + "x " * 1500
        + "\nUnsubscribe: [[UNSUBSCRIBE_URL]]\nPreferences: [[PREFERENCES_URL]]\n"
    )
    html = long_html + '<a href="[[UNSUBSCRIBE_URL]]">Unsubscribe</a>'
    campaign = frozen_campaign([subscriber], html=html, text=text)

    send_campaign.enqueue(campaign.pk)

    (message,) = received(smtp_server)["ann@example.org"]
    body, html_part = check_message(message, subscriber)
    assert body.startswith(".hidden line\n..two dots\n")
    assert "word 599" in html_part and html_part.count("<span>") == 600
    assert max(len(line) for line in smtp_server.messages[0][1].split(b"\r\n")) < 998


def test_an_international_domain_goes_through_djangos_path_on_the_same_connection(smtp_server):
    subscribers = readers("ann@example.org", "zoe@exämple.org", "bob@example.org")
    campaign = frozen_campaign(subscribers)

    send_campaign.enqueue(campaign.pk)

    assert sorted(received(smtp_server)) == [
        "ann@example.org",
        "bob@example.org",
        "zoe@xn--exmple-cua.org",
    ]
    assert smtp_server.connections == 1
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_an_unreachable_server_defers_the_batch(settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        },
    }
    campaign = frozen_campaign(readers(count=3))

    send_campaign.enqueue(campaign.pk)

    rows = campaign.deliveries.all()
    assert {(d.status, d.attempts, d.lease_owner) for d in rows} == {(DStatus.PENDING, 1, "")}
    assert all("connect" in d.last_error and d.next_attempt_at for d in rows)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING
