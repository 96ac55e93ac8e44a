"""Shared set-up for the sending tests (``test_sending*.py``): issues of stories without photos,
readers on the Daily list, campaigns frozen without rendering, and a mail backend
that fails on cue."""

import datetime
import email
import smtplib
from email import policy

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.tasks.signals import task_finished
from django.utils import timezone

from newsletter.factories import IssuePageFactory, SubscriberFactory, daily_list
from newsletter.models import Campaign, IssueSnapshot
from newsletter.sending.recipients import freeze

from .issue_setup import make_articles

HTML = (
    "<html><body><h1>Today's Top Ten</h1><p>Story one.</p>"
    '<p><a href="[[PREFERENCES_URL]]">Preferences</a> · '
    '<a href="[[UNSUBSCRIBE_URL]]">Unsubscribe</a></p></body></html>'
)
TEXT = "1. Story one\n\nPreferences: [[PREFERENCES_URL]]\nUnsubscribe: [[UNSUBSCRIBE_URL]]\n"


@pytest.fixture
def no_failed_tasks():
    """Django's immediate task backend swallows exceptions: fail the test on any."""
    failures = []

    def record(sender, task_result, **kwargs):
        if task_result.status == "FAILED":
            failures.append(task_result.errors[-1].traceback)

    task_finished.connect(record)
    yield failures
    task_finished.disconnect(record)
    assert not failures, failures[0]


@pytest.fixture
def media(media_root):
    """The sending modules' name for the root conftest's ``media_root``."""
    return media_root


def make_issue(site, day=None, *, stories=10, live=True):
    """A published issue for ``day`` (today) of ``stories`` new articles without photos, in
    ``site`` (the root conftest's ``(news_index, archive)``)."""
    news_index, archive = site
    return IssuePageFactory(
        parent=archive,
        articles=make_articles(news_index, stories, lead_image=None),
        issue_date=day or timezone.localdate(),
        live=live,
    )


def readers(*emails, count=0):
    """Active readers on the Daily list: the ``emails`` given, then ``count`` more."""
    daily = daily_list()
    emails = list(emails) + [f"reader{n:03d}@example.org" for n in range(count)]
    return [SubscriberFactory(email=address, lists=[daily]) for address in emails]


_days = iter(range(1, 10_000))


def frozen_campaign(
    subscribers=None, *, html=HTML, text=TEXT, status=Campaign.Status.SENDING, **fields
):
    """A sending campaign with a snapshot made directly (no rendering) and its deliveries."""
    from newsletter.models import Subscriber

    snapshot = IssueSnapshot(
        issue_date=datetime.date(2000, 1, 1) + datetime.timedelta(days=next(_days)),
        subject="Lisa's Top Ten: a test day",
        preheader="",
        html=html,
        text=text,
        web_html="<p>web</p>",
        stories=[],
    )
    snapshot.save()
    campaign = Campaign.objects.create(
        subject=snapshot.subject,
        snapshot=snapshot,
        status=status,
        started_at=timezone.now(),
        audience=str(daily_list().pk),
        **fields,
    )
    members = (
        Subscriber.objects.filter(pk__in=[s.pk for s in subscribers])
        if subscribers is not None
        else daily_list().members()
    )
    campaign.recipient_count = freeze(campaign, members)
    campaign.save()
    return campaign


def parsed(raw):
    return email.message_from_bytes(raw, policy=policy.default)


def recipients_of(outbox=None):
    """Each message's one recipient, in order (locmem outbox)."""
    return [message.to[0] for message in (mail.outbox if outbox is None else outbox)]


class ScriptedBackend(BaseEmailBackend):
    """A mail backend that fails on cue: ``ScriptedBackend.script[address]`` is a list of
    exceptions to raise on successive sends to it (None: accept). Accepted mail goes to
    ``django.core.mail.outbox`` like Django's in-memory backend."""

    script = {}
    hook = None

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            queue = self.script.get(address) or []
            outcome = queue.pop(0) if queue else None
            if outcome is not None:
                raise outcome
            mail.outbox.append(message)
            if ScriptedBackend.hook:
                ScriptedBackend.hook(message)
        return len(messages)


def refused(address, code=550, text="5.1.1 no such user"):
    return smtplib.SMTPRecipientsRefused({address: (code, text.encode())})


@pytest.fixture
def scripted(settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": f"{__name__}.ScriptedBackend"},
    }
    ScriptedBackend.script = {}
    ScriptedBackend.hook = None
    mail.outbox = []
    yield ScriptedBackend
    ScriptedBackend.script = {}
    ScriptedBackend.hook = None
