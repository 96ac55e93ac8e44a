"""Transactional email to one subscriber: confirmation, welcome, "already subscribed".

Each message is a pair of templates under ``templates/newsletter/email/`` (``.txt`` and
``.html``), sent through the ``default`` mailer. Sender, reply-to and postal address come
from ``NewsletterSettings``. A refused recipient (SMTP 5xx) marks the address bounced; any
other sending failure is logged. Neither reaches the reader as an error page.

The task worker sends them (``send_queued``, run by ``newsletter.tasks``), never the request.
"""

import logging
import smtplib
from email.errors import MessageError

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as format_date

from newsletter.mailformat import Email
from newsletter.models import Campaign, NewsletterSettings, Subscriber
from newsletter.subscriptions import tokens
from newsletter.subscriptions.history import log_event
from newsletter.subscriptions.suppression import suppress_refused_recipients

logger = logging.getLogger(__name__)
TRANSACTIONAL = "default"


def build_message(
    subscriber, template, subject, context=None, *, headers=None, newsletter_settings=None
):
    """An ``EmailMultiAlternatives`` from ``newsletter/email/<template>.txt`` and ``.html``,
    written by ``newsletter.mailformat``'s rules (plain List-Unsubscribe, 7-bit parts, a
    Message-ID at the sender's domain)."""
    newsletter_settings = newsletter_settings or NewsletterSettings.load()
    context = {
        "subscriber": subscriber,
        "newsletter": newsletter_settings,
        "subject": subject,
        "site_url": tokens.absolute_url("/"),
        **(context or {}),
    }
    base = f"newsletter/email/{template}"
    message = Email(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        from_email=newsletter_settings.sender,
        to=[subscriber.email],
        reply_to=newsletter_settings.reply_to_list,
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message


def deliver(message, using=TRANSACTIONAL):
    """Send ``message``; return True if the mail server took it."""
    try:
        message.send(using=using)
    except smtplib.SMTPRecipientsRefused as error:
        suppress_refused_recipients(error)
        logger.warning("Recipient refused for %r: %s", message.subject, error.recipients)
        return False
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send %r", message.subject)
        return False
    return True


def send_confirmation(subscriber):
    newsletter_settings = NewsletterSettings.load()
    message = build_message(
        subscriber,
        "confirm",
        f"Please confirm your subscription to {newsletter_settings.from_name}",
        {
            "confirm_url": tokens.confirm_url(subscriber),
            "valid_days": tokens.confirm_max_age().days,
        },
        headers={"Auto-Submitted": "auto-generated"},
        newsletter_settings=newsletter_settings,
    )
    return deliver(message)


def next_issue_at():
    """When the next scheduled issue goes out, as readers read it ("Wednesday 2 December 2026
    at 07:00"), or "" when none is scheduled. A new reader gets the next issue that starts
    sending, whenever that is, so the welcome mail promises no more than this."""
    when = (
        Campaign.objects.filter(status=Campaign.Status.SCHEDULED, scheduled_for__gt=timezone.now())
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    return format_date(timezone.localtime(when), r"l j F Y \a\t H:i") if when else ""


def send_welcome(subscriber):
    newsletter_settings = NewsletterSettings.load()
    message = build_message(
        subscriber,
        "welcome",
        f"Welcome to {newsletter_settings.from_name}",
        {
            "next_issue_at": next_issue_at(),
            "unsubscribe_url": tokens.unsubscribe_url(subscriber),
            "preferences_url": tokens.preferences_url(subscriber),
        },
        headers=tokens.list_unsubscribe_headers(subscriber, newsletter_settings),
        newsletter_settings=newsletter_settings,
    )
    return deliver(message)


def send_already_subscribed(subscriber):
    newsletter_settings = NewsletterSettings.load()
    message = build_message(
        subscriber,
        "already_subscribed",
        f"You're already subscribed to {newsletter_settings.from_name}",
        {
            "unsubscribe_url": tokens.unsubscribe_url(subscriber),
            "preferences_url": tokens.preferences_url(subscriber),
        },
        headers={
            "Auto-Submitted": "auto-generated",
            **tokens.list_unsubscribe_headers(subscriber, newsletter_settings),
        },
        newsletter_settings=newsletter_settings,
    )
    return deliver(message)


Status = Subscriber.Status
# Which mail, and the status the subscriber must still have for it to make sense.
KINDS = {
    "confirm": (send_confirmation, Status.PENDING),
    "welcome": (send_welcome, Status.ACTIVE),
    "already_subscribed": (send_already_subscribed, Status.ACTIVE),
}


def send_queued(kind, subscriber_id):
    """Send the ``kind`` mail a task was queued for, if the subscriber still has the status
    it makes sense for; return True if the mail server took it."""
    send, status = KINDS[kind]
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=status).first()
    if subscriber is None:
        return False
    try:
        return send(subscriber)
    except (ValueError, MessageError) as error:
        # A mail that can't even be built (e.g. a line break in the sender name, saved before
        # the settings form refused it) fails the same way every time: say so where editors
        # look, and free the sign-up window so that, once fixed, asking again sends one.
        logger.error(
            "The %s email to subscriber %s could not be sent: %s", kind, subscriber_id, error
        )
        log_event(subscriber, "newsletter.mail_failed", email=kind, reason=str(error)[:300])
        Subscriber.objects.filter(pk=subscriber_id).update(signup_mail_sent_at=None)
        return False
