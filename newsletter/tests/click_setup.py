"""Shared set-up for the tracked-link tests (``test_tracked_links.py``,
``test_click_redirect.py``): an issue sent through the real pipeline to three readers over
SMTP, and each received message's links taken out of its parsed raw bytes."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from newsletter.models import Delivery, IssueSnapshot
from newsletter.sending.orchestration import send_issue_now
from newsletter.views import clicks as clicks_view

from .mail_capture import strictly
from .sending_helpers import readers

SITE = "https://news.lisastopten.example"
READERS = ("ann@example.org", "bob@example.org", "cat@example.org")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = SITE


def html_of(message):
    return message.get_body(("html",)).get_content()


def text_of(message):
    return message.get_body(("plain",)).get_content()


def hrefs(message):
    """Every link of the message's HTML, in order, with its ``<a>`` (None for an image link's
    wrapper that has no text)."""
    page = BeautifulSoup(html_of(message), "html.parser")
    return [(a["href"], a) for a in page.find_all("a", href=True)]


def text_urls(message):
    return re.findall(r"https?://\S+", text_of(message))


def path(url):
    return url.removeprefix(SITE)


class Sent:
    """The sent issue: its snapshot, its readers, each one's delivery and received message."""

    def __init__(self, issue, catcher):
        self.subscribers = readers(*READERS)
        send_issue_now(issue)
        self.snapshot = IssueSnapshot.objects.get(issue=issue)
        self.deliveries = {d.email: d for d in Delivery.objects.filter(campaign__issue=issue)}
        self.messages = {
            address: strictly(raw) for address in READERS for raw in catcher.raw_to(address)
        }

    def tracked(self, address):
        """The ``/r/`` links of ``address``'s message: the HTML's, then the text's."""
        urls = [href for href, _a in hrefs(self.messages[address])] + text_urls(
            self.messages[address]
        )
        return [url for url in urls if url.startswith(f"{SITE}/r/")]


@pytest.fixture
def sent(issue, articles, smtp_catcher, no_failed_tasks):
    """The issue sent to ann, bob and cat; story 1 has a source, story 2 a related story."""
    articles[0].source_url = "https://edition.cnn.com/2026/11/23/world/floods"
    articles[0].source_name = "CNN"
    articles[0].save_revision().publish()
    articles[1].related_story = articles[4]
    articles[1].save_revision().publish()
    return Sent(issue, smtp_catcher)


class ReaderClock:
    """The time as the redirect sees it, for clicks a person makes: from a minute after the
    send, each click 20 seconds after the one before (no bot rule applies to them)."""

    def __init__(self):
        self.moment = timezone.now() + datetime.timedelta(minutes=1)

    def now(self):
        self.moment += datetime.timedelta(seconds=20)
        return self.moment


@pytest.fixture
def reader_clock(monkeypatch):
    clock = ReaderClock()
    monkeypatch.setattr(clicks_view, "timezone", clock)
    return clock


# A reader's browser (the test client sends no User-Agent, which the bot rules take for a
# script).
BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15"
)
