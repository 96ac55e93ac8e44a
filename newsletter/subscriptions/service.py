"""A subscriber's life: sign up, confirm, pause, resume, unsubscribe, subscribe again.

Plain functions that the views, the admin and the tests call. Double opt-in: the sign-up
form only ever makes a *pending* subscriber and sends a confirmation link; nobody becomes
active until the link's owner clicks "Confirm". Whatever the address's state, the form's
answer is the same; only the email differs (a confirmation, or a note that they are already
subscribed), and at most one such email goes out per ``NEWSLETTER_RESEND_WINDOW``.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsletter.addresses import email_hash
from newsletter.conf import setting
from newsletter.models import MailingList, NewsletterSettings, Subscriber, Suppression
from newsletter.subscriptions.consent import Actor, allows
from newsletter.subscriptions.history import log_event
from newsletter.tasks import queue_email

Status = Subscriber.Status
PAUSE_CHOICES = {"1": 1, "2": 2, "4": 4, "resume": None}  # weeks; "resume" = until resumed


def resend_window():
    return setting("NEWSLETTER_RESEND_WINDOW")


def _claim_signup_mail(subscriber):
    """Atomically take this window's one sign-up email; False if already sent in it."""
    now = timezone.now()
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(
            Q(signup_mail_sent_at__isnull=True) | Q(signup_mail_sent_at__lte=now - resend_window())
        )
        .update(signup_mail_sent_at=now)
    )
    return bool(claimed)


def _find_or_create(email, consent_url, consent_text):
    try:
        with transaction.atomic():
            subscriber, created = Subscriber.objects.with_email(email).get_or_create(
                defaults={
                    "email": email,
                    "status": Status.PENDING,
                    "pending_since": timezone.now(),
                    "source": Subscriber.Source.FORM,
                    "consent_url": consent_url,
                    "consent_text": consent_text,
                }
            )
    except IntegrityError:  # the same address, posted twice at the same moment
        return Subscriber.objects.with_email(email).get(), False
    return subscriber, created


def sign_up(email, *, consent_url="", consent_text=None):
    """Handle a valid sign-up for the normalised ``email``.

    Returns which email was queued: ``"confirm"``, ``"already_subscribed"`` or ``None``
    (one went out recently). Callers must not show the difference to the reader.
    """
    consent_text = consent_text or NewsletterSettings.load().consent_text
    consent_url = consent_url[:500]
    subscriber, created = _find_or_create(email, consent_url, consent_text)
    if created:
        log_event(subscriber, "newsletter.signup", where=consent_url)
    if not allows(subscriber.status, Status.PENDING, Actor.SIGNUP):  # already active
        kind = "already_subscribed"
    else:
        kind = "confirm"
        if not created:
            subscriber.consent_url = consent_url
            subscriber.consent_text = consent_text
            if subscriber.status != Status.PENDING:
                # A new sign-up: links sent for an earlier one stop working.
                subscriber.change_status(Status.PENDING, "signed up again on the site")
                log_event(subscriber, "newsletter.signup", where=consent_url)
            else:
                subscriber.save(update_fields=["consent_url", "consent_text", "updated_at"])
        subscriber.lists.add(*MailingList.objects.filter(join_on_signup=True))
    if not _claim_signup_mail(subscriber):
        return None
    queue_email(kind, subscriber)
    return kind


def invite(subscriber):
    """Email a pending subscriber (e.g. one an editor added) a confirmation link."""
    if subscriber.status == Status.PENDING and _claim_signup_mail(subscriber):
        queue_email("confirm", subscriber)
        return True
    return False


def confirm(subscriber):
    """Activate a pending subscriber from their confirmation link and queue the welcome
    email. Returns False (and changes nothing) if they weren't pending, e.g. a second click."""
    if subscriber.status == Status.ACTIVE or not allows(
        subscriber.status, Status.ACTIVE, Actor.CONFIRMATION
    ):
        return False
    now = timezone.now()
    # Only the sign-up the link was for (``tokens.read_confirm_token`` checked it), even if
    # another began since it was read.
    activated = Subscriber.objects.filter(
        pk=subscriber.pk,
        status=Status.PENDING,
        pending_since=subscriber.pending_since,
    ).update(
        status=Status.ACTIVE,
        confirmed_at=now,
        consent_at=now,
        status_reason="confirmed by email link",
        paused=False,
        paused_until=None,
        updated_at=now,
    )
    subscriber.refresh_from_db()
    if not activated:
        return False
    # Asking again, by double opt-in, lifts an earlier erasure's suppression.
    Suppression.objects.filter(email_hash=email_hash(subscriber.email)).delete()
    log_event(subscriber, "newsletter.confirm")
    queue_email("welcome", subscriber)
    return True


def unsubscribe(subscriber, reason="unsubscribe page"):
    """Stop all mail to them at once. Returns False if they were already not receiving."""
    if subscriber.status == Status.UNSUBSCRIBED or not allows(
        subscriber.status, Status.UNSUBSCRIBED, Actor.READER
    ):
        return False
    subscriber.paused = False
    subscriber.change_status(Status.UNSUBSCRIBED, reason)
    log_event(subscriber, "newsletter.unsubscribe", via=reason)
    return True


def resubscribe(subscriber, *, consent_url="", consent_text=None):
    """Subscribe again from the preference page. Returns what happened: ``"resubscribed"``,
    ``"confirm"`` (a confirmation link was emailed first) or ``None`` (already active).

    - Unsubscribed: active again at once. The page is reached by a signed link from an
      email we sent them, which proves the address is theirs, and they chose to leave.
    - Bounced or complained: the address stopped working, or its owner reported our mail as
      spam, so an old link proves nothing about who holds it now. Like a sign-up on the site,
      they become pending and get a fresh confirmation link (double opt-in); nothing is sent
      to them until it is clicked.
    - Pending (signed up, or asked again after a bounce, and not confirmed): the confirmation
      link again, never active without it.

    Confirmation emails keep to one per ``NEWSLETTER_RESEND_WINDOW``.
    """
    if subscriber.status == Status.ACTIVE:
        return None
    subscriber.consent_url = consent_url[:500]
    subscriber.consent_text = consent_text or NewsletterSettings.load().consent_text
    if allows(subscriber.status, Status.ACTIVE, Actor.READER):  # unsubscribed, not bounced
        subscriber.consent_at = timezone.now()
        subscriber.paused = False
        subscriber.change_status(Status.ACTIVE, "subscribed again on the preference page")
        log_event(subscriber, "newsletter.resubscribe")
        return "resubscribed"
    if subscriber.status != Status.PENDING:
        subscriber.change_status(
            Status.PENDING,
            f"asked to subscribe again on the preference page after being {subscriber.status}",
        )
    else:
        subscriber.save(update_fields=["consent_url", "consent_text", "updated_at"])
    log_event(subscriber, "newsletter.resubscribe", confirmation="requested")
    if _claim_signup_mail(subscriber):
        queue_email("confirm", subscriber)
    return "confirm"


def pause(subscriber, weeks=None):
    """Pause for ``weeks`` weeks, or until they resume when ``weeks`` is None."""
    subscriber.paused = True
    subscriber.paused_until = (
        timezone.localdate() + datetime.timedelta(weeks=weeks) if weeks else None
    )
    subscriber.save()
    log_event(
        subscriber,
        "newsletter.pause",
        until=subscriber.paused_until.isoformat() if weeks else "resumed by reader",
    )


def resume(subscriber):
    subscriber.paused = False
    subscriber.save()
    log_event(subscriber, "newsletter.resume")
