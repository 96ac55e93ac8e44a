"""Mail as it leaves the program, for the tests of its bytes (``test_mail_*.py``): a real SMTP
server (aiosmtpd) that keeps each message's raw bytes, a local stand-in for Postmark's HTTP API
that keeps what django-anymail posts, and a strict reading of raw messages."""

import email.parser
import email.policy
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

STRICT = email.policy.strict.clone(linesep="\r\n")
# RFC 2369: a comma-separated list of <URL>s (white space, folded or not, around them).
RFC2369 = re.compile(r"\s*<([^<>\s]+)>\s*(?:,\s*<([^<>\s]+)>\s*)*")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Catcher:
    """Takes every message; ``eight_bit=False`` leaves 8BITMIME out of the EHLO reply."""

    def __init__(self, eight_bit=True):
        self.eight_bit = eight_bit
        self.messages = []  # (recipients, MAIL FROM parameters, raw bytes)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if not self.eight_bit:
            responses = [line for line in responses if "8BITMIME" not in line]
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (list(envelope.rcpt_tos), list(envelope.mail_options), envelope.original_content)
        )
        return "250 Message accepted"

    def raw_to(self, address):
        return [raw for recipients, _, raw in self.messages if recipients == [address]]


def smtp_mailer(port):
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
    }


@pytest.fixture
def smtp_catcher(settings):
    """An SMTP server on 127.0.0.1 behind both mailers (transactional and newsletter)."""
    catcher = Catcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        **settings.MAILERS,
        "default": smtp_mailer(port),
        "newsletter": smtp_mailer(port),
    }
    yield catcher
    controller.stop()


def strictly(raw):
    """``raw`` parsed by the standard library's strict parser; fails on any defect, in the
    message or in any of its parts."""
    message = email.parser.BytesParser(policy=STRICT).parsebytes(raw)
    for part in message.walk():
        assert not part.defects, part.defects
    return message


def unsubscribe_targets(value):
    """The URLs of a ``List-Unsubscribe`` value read as RFC 2369 says, or an assertion error
    (an RFC 2047 encoded-word, for one, is no list)."""
    unfolded = re.sub(r"\r?\n[ \t]", " ", str(value))
    assert RFC2369.fullmatch(unfolded), f"not an RFC 2369 list: {unfolded!r}"
    return re.findall(r"<([^<>\s]+)>", unfolded)


def raw_header(raw, name):
    """One header as written in ``raw`` (folded lines kept), e.g. to see it wasn't encoded."""
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n")
    match = re.search(rb"(?mi)^" + name.encode() + rb":(.*(?:\n[ \t].*)*)", head)
    assert match, f"no {name} header"
    return match.group(1).decode()


class PostmarkStandIn(BaseHTTPRequestHandler):
    posted = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        payload = json.loads(body)
        PostmarkStandIn.posted.append((self.path, payload))
        answer = json.dumps(
            {
                "To": payload["To"],
                "SubmittedAt": "2026-12-01T07:00:00Z",
                "MessageID": "0a129aee-e1cd-480d-b08d-4f48548ff48d",
                "ErrorCode": 0,
                "Message": "OK",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def postmark(settings):
    """django-anymail's Postmark backend behind the newsletter mailer, posting to a local
    HTTP server; yields the list of (path, JSON payload) it received."""
    PostmarkStandIn.posted = []
    server = HTTPServer(("127.0.0.1", 0), PostmarkStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {
            "BACKEND": "anymail.backends.postmark.EmailBackend",
            "OPTIONS": {"server_token": "test-token", "api_url": url},
        },
    }
    yield PostmarkStandIn.posted
    server.shutdown()
    server.server_close()
