"""What the SMTP fault tests share besides fixtures: the mailer's timeouts, pointing the mailer
at the fault server, running the worker, and checks of what the server took."""

from newsletter.models import Delivery
from newsletter.sending.orchestration import report
from newsletter.sending.worker import deliver_campaign
from newsletter.subscriptions import tokens

DStatus = Delivery.Status
SMTP_TIMEOUT = 10  # seconds: the newsletter mailer's timeout, never reached but in fault 4
SHORT_TIMEOUT = 1  # fault 4's: how long the worker waits for a silent server


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
