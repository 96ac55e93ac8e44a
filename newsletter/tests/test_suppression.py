"""Bounces, complaints and provider unsubscribes stop the mail; weaker news never undoes them."""

import smtplib

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from newsletter.models import Subscriber
from newsletter.subscriptions import service
from newsletter.subscriptions.suppression import (
    mark_bounced,
    mark_complained,
    mark_unsubscribed,
    suppress_from_smtp_error,
)

from .conftest import subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient with the given SMTP reply."""

    def __init__(self, code=550, text="5.1.1 no such user", **kwargs):
        super().__init__(**kwargs)
        self.code, self.text = code, text

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {address: (self.code, self.text.encode()) for m in messages for address in m.to}
        )


def test_bounce_and_complaint_stop_the_mail(active):
    assert mark_bounced("ACTIVE@example.org", "550 no such user").status == Status.BOUNCED
    active.refresh_from_db()
    assert active.status_reason == "550 no such user"
    assert not Subscriber.objects.receiving().exists()
    mark_complained("active@example.org")
    active.refresh_from_db()
    assert active.status == Status.COMPLAINED


def test_weaker_news_never_undoes_stronger(active):
    mark_complained(active.email)
    mark_bounced(active.email)
    mark_unsubscribed(active.email)
    active.refresh_from_db()
    assert active.status == Status.COMPLAINED


def test_unknown_addresses_are_ignored(db):
    assert mark_bounced("nobody@example.org") is None


@pytest.mark.parametrize(
    ("code", "bounced"),
    [(550, True), ("553", True), (452, False), (421, False), (None, False), ("junk", False)],
)
def test_smtp_errors_bounce_only_when_permanent(active, code, bounced):
    assert suppress_from_smtp_error(active.email, code, b"mailbox unavailable") is bounced
    active.refresh_from_db()
    assert (active.status == Status.BOUNCED) is bounced
    if bounced:
        assert active.status_reason == f"{code} mailbox unavailable"


def test_a_refused_confirmation_marks_the_address_bounced_not_a_500(signup, settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "newsletter.tests.test_suppression.RefusingBackend"},
    }
    response = signup("gone@example.org")
    assert response.status_code == 200
    gone = subscriber("gone@example.org")
    assert gone.status == Status.BOUNCED
    assert gone.status_reason == "550 5.1.1 no such user"
    # Signing up again tries again (the mailbox may have come back).
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    gone.signup_mail_sent_at = None
    gone.save()
    signup("gone@example.org")
    assert subscriber("gone@example.org").status == Status.PENDING
    assert len(mail.outbox) == 1


def send_event(event_type, recipient, **kwargs):
    event = AnymailTrackingEvent(event_type=event_type, recipient=recipient, **kwargs)
    tracking.send(sender=object, event=event, esp_name="TestESP")


@pytest.mark.parametrize(
    ("event_type", "extra", "status"),
    [
        ("bounced", {}, Status.BOUNCED),
        ("bounced", {"mta_response": "550 5.1.1 user unknown"}, Status.BOUNCED),
        ("bounced", {"mta_response": "452 4.2.2 mailbox full"}, Status.ACTIVE),
        ("rejected", {"reject_reason": "invalid"}, Status.BOUNCED),
        ("rejected", {"reject_reason": "bounced"}, Status.BOUNCED),
        ("rejected", {"reject_reason": "spam"}, Status.COMPLAINED),
        ("rejected", {"reject_reason": "unsubscribed"}, Status.UNSUBSCRIBED),
        ("rejected", {"reject_reason": "blocked"}, Status.ACTIVE),
        ("complained", {}, Status.COMPLAINED),
        ("unsubscribed", {}, Status.UNSUBSCRIBED),
        ("deferred", {}, Status.ACTIVE),
        ("delivered", {}, Status.ACTIVE),
        ("opened", {}, Status.ACTIVE),
    ],
)
def test_provider_events(active, event_type, extra, status):
    send_event(event_type, active.email, **extra)
    active.refresh_from_db()
    assert active.status == status


def test_an_event_without_recipient_is_ignored(active):
    send_event("bounced", None)
    active.refresh_from_db()
    assert active.status == Status.ACTIVE


def test_confirming_after_a_bounce_works_through_double_opt_in(active):
    mark_bounced(active.email)
    assert service.sign_up(active.email) == "confirm"
    active.refresh_from_db()
    assert active.status == Status.PENDING
