"""The SMTP fault matrix's fixtures: the worker's clock moved by hand, and the fault server on
a free port, answering with and without pipelining."""

import datetime

import pytest
from django.utils import timezone

from newsletter.sending import claims, failover, outcomes, worker

from ..smtp_fault_server import FaultServer, Sink, free_port
from .checks import SMTP_TIMEOUT, point_mailer


class Clock:
    """The worker's clock, moved forward by hand: a retry comes due without waiting."""

    def __init__(self):
        self.offset = datetime.timedelta()

    def now(self):
        return timezone.now() + self.offset

    def localdate(self, value=None):
        return timezone.localdate(value or self.now())

    def localtime(self, value=None):
        return timezone.localtime(value or self.now())

    def advance(self, delta):
        self.offset += delta


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    # The modules that read the time: the worker and the outcomes (retry times, one row or a
    # batch API call's many), the claims (which rows are due) and the failover (how long the main
    # transport has been failing).
    monkeypatch.setattr(worker, "timezone", fake)
    monkeypatch.setattr(outcomes, "timezone", fake)
    monkeypatch.setattr(claims, "timezone", fake)
    monkeypatch.setattr(failover, "timezone", fake)
    return fake


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
