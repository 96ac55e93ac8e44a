"""Starting, steering and reporting on a send: what the admin buttons and commands call.

``send_issue_now`` is the one way an issue goes out (the Newsletter tab's Send button, a
schedule coming due, ``manage.py send_issue``). In one transaction it locks the issue and
its campaigns, refuses a second send, freezes the issue into its snapshot and the audience
into delivery rows; then it hands the work to the task queue. The database backs the check:
the constraint ``one_sent_campaign_per_issue`` refuses a second campaign with a snapshot, so
even two requests racing past the check cannot both send.
"""

import logging

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from newsletter import rules
from newsletter.conf import FALLBACK_MAILER
from newsletter.issues.rendering import build_snapshot
from newsletter.models import Campaign, Delivery, IssuePage, IssueSnapshot, Subscriber
from newsletter.sending import transport
from newsletter.sending.deadline import during_send
from newsletter.sending.message import FrozenMessage, message_problem
from newsletter.sending.recipients import NoAudience, audience_of, freeze, members_of
from newsletter.sending.tasks import send_campaign
from newsletter.sending.worker import MAILER

logger = logging.getLogger(__name__)


class SendRefused(Exception):
    """Sending (or scheduling, pausing ...) was refused; the message says why in plain words."""


def readable(moment):
    """A moment as editors read it, e.g. "Tuesday 24 November 2026 at 07:00"."""
    return format_date(timezone.localtime(moment), r"l j F Y \a\t H:i")


def enqueue(campaign_id):
    """Hand the campaign to the task queue (the "default" queue db_worker serves)."""
    return send_campaign.enqueue(campaign_id)


# Sending


def refusal_for(campaign):
    """Why this campaign (already started) can't be sent, in plain words."""
    started = campaign.started_at or campaign.created_at
    if campaign.status == rules.SENT:
        return f"This issue has already been sent on {readable(campaign.finished_at or started)}."
    if campaign.status in (rules.SENDING, rules.PAUSED):
        state = "is being sent" if campaign.status == rules.SENDING else "is paused"
        return (
            f"This issue already went out on {readable(started)} and {state}: an issue is "
            "sent once. See its report."
        )
    if campaign.status == rules.FAILED:
        return (
            f"This issue's send (started on {readable(started)}) failed: "
            f"{campaign.status_note or 'see its report'}"
        )
    if campaign.status == rules.CANCELLED:
        return (
            f"This issue's send (started on {readable(started)}) was cancelled; an issue is "
            "sent once, so it can't be sent again."
        )
    return f"This campaign is {campaign.get_status_display().lower()} and can't be sent."


def already_sent(issue):
    """The refusal for an issue that already has a sent (or sending) campaign, else None."""
    started = (
        Campaign.objects.select_for_update()
        .filter(issue_id=issue.pk, snapshot__isnull=False)
        .first()
    )
    if started is not None:
        return refusal_for(started)
    snapshot = IssueSnapshot.objects.filter(
        Q(issue_id=issue.pk) | Q(issue_date=issue.issue_date)
    ).first()
    if snapshot is not None:
        return f"This issue has already been sent on {readable(snapshot.sent_at)}."
    return None


def campaign_to_send(issue, campaign):
    """The campaign to send (locked): the one given, the issue's saved one, or a new one."""
    if campaign is None:
        saved = Campaign.objects.select_for_update().filter(
            issue_id=issue.pk, status__in=rules.MOVES["send"].sources
        )
        if issue.newsletter_campaign.isdigit():
            campaign = saved.filter(pk=int(issue.newsletter_campaign)).first()
        campaign = campaign or saved.order_by("-created_at").first()
        return campaign or Campaign(issue=issue)
    locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if locked is None:
        raise SendRefused("This campaign no longer exists: save the issue's campaign again.")
    if locked.status not in rules.MOVES["send"].sources:
        raise SendRefused(refusal_for(locked))
    if locked.issue_id not in (None, issue.pk):
        raise SendRefused("This campaign belongs to another issue.")
    locked.issue = issue
    return locked


def send_issue_now(issue, *, user=None, campaign=None):
    """Freeze ``issue`` and its recipients and start sending it; returns the campaign.

    Raises ``SendRefused`` when the issue can't be sent (not ready, already sent, nobody to
    send to). Safe against double clicks, two editors and retried requests.
    """
    try:
        with transaction.atomic():
            # Lock the issue: a second send of it waits here, then finds the first one.
            issue = IssuePage.objects.select_for_update().filter(pk=issue.pk).first()
            if issue is None:
                raise SendRefused("This issue no longer exists.")
            refusal = already_sent(issue)
            if refusal:
                raise SendRefused(refusal)
            problems = rules.sending_problems(issue)
            if problems:
                raise SendRefused("This issue can't be sent yet: " + " ".join(problems))
            campaign = campaign_to_send(issue, campaign)
            members = members_of(*audience_of(campaign, issue))
            if not members.exists():
                raise SendRefused(
                    "Nobody would get this issue: its list has no subscribers receiving mail today."
                )
            snapshot = build_snapshot(issue, user=user)
            now = timezone.now()
            campaign.snapshot = snapshot
            campaign.subject = snapshot.subject
            # The message is built now, once, so one that can't be (a line break in the
            # sender name or subject, saved before the forms refused them) stops the send
            # here, with nothing changed, instead of failing in every task after.
            unbuildable = message_problem(campaign)
            if unbuildable:
                raise SendRefused(unbuildable)
            campaign.status = rules.MOVES["send"].target
            # What is sent is what is published; a newer draft is named on the report.
            campaign.status_note = rules.newer_draft_warning(issue)
            campaign.started_at = now
            campaign.finished_at = None
            campaign.started_by = user if getattr(user, "is_authenticated", False) else None
            campaign.save()
            campaign.recipient_count = freeze(campaign, members)
            campaign.save(update_fields=["recipient_count"])
    except IntegrityError as error:
        # Another send of this issue committed between our check and our insert.
        logger.info("Second send of issue %s refused by the database: %s", issue.pk, error)
        raise SendRefused(
            "This issue has already been sent (at the same moment, by someone "
            "else): an issue is sent once. See its report."
        ) from None
    except NoAudience as error:
        raise SendRefused(str(error)) from None
    logger.info(
        "Issue %s: campaign %s sending to %s", issue.pk, campaign.pk, campaign.recipient_count
    )
    enqueue(campaign.pk)
    return campaign


# Steering


def move_status(campaign, move, refusal, **fields):
    """Make ``move`` (one of ``newsletter.rules.MOVES``) if the status is still one it may
    start from (a conditional UPDATE)."""
    sources, target = rules.MOVES[move]
    changed = Campaign.objects.filter(pk=campaign.pk, status__in=sources).update(
        status=target, **fields
    )
    campaign.refresh_from_db()
    if not changed:
        raise SendRefused(refusal.format(status=campaign.get_status_display().lower()))
    return campaign


def pause(campaign):
    """Stop sending after the messages in flight; ``resume`` carries on where it stopped."""
    return move_status(
        campaign,
        "pause",
        "Only a campaign that is sending can be paused; this one is {status}.",
        status_note="Paused by an editor.",
    )


def resume(campaign):
    move_status(
        campaign,
        "resume",
        "Only a paused campaign can be resumed; this one is {status}.",
        status_note="",
    )
    enqueue(campaign.pk)
    return campaign


def cancel(campaign):
    """Stop for good: nobody still waiting gets this issue. Already sent mail stays sent."""
    return move_status(
        campaign,
        "cancel",
        "This campaign is {status}: there is nothing to cancel.",
        finished_at=timezone.now(),
        status_note="Cancelled by an editor.",
    )


# Report


def report(campaign, now=None):
    """The campaign's figures in one query: recipients, sent, failed, bounced, skipped,
    pending, unsubscribed since it started, when it started and progress (0-100),
    ``possible_duplicates``: messages sent again after the worker sending them stopped
    without a word (killed, or its machine lost), which those readers may have got twice,
    and ``sent_by_fallback``: how many of the sent went through the fallback transport
    (``transports`` names both when it was used). ``retrying``: pending messages waiting for
    another try (the mail server or provider failed or did not answer), from
    ``next_retry_at``, with the latest ``last_error``.

    While it sends, ``projection`` (``newsletter.sending.deadline``) says when the last
    reader gets it at the rate so far, against the issue's "delivered by" time, if it has
    one (that reads the issue and the settings)."""
    started = campaign.started_at
    Ds = Delivery.Status
    waiting = Q(status=Ds.PENDING, next_attempt_at__gt=timezone.now())
    unsubscribed = Q(subscriber__status=Subscriber.Status.UNSUBSCRIBED)
    if started is not None:
        unsubscribed &= Q(subscriber__unsubscribed_at__gte=started)
    figures = Delivery.objects.filter(campaign_id=campaign.pk).aggregate(
        recipients=Count("pk"),
        sent=Count("pk", filter=Q(status=Ds.SENT)),
        failed=Count("pk", filter=Q(status=Ds.FAILED)),
        bounced=Count("pk", filter=Q(status=Ds.BOUNCED)),
        skipped=Count("pk", filter=Q(status=Ds.SKIPPED)),
        pending=Count("pk", filter=Q(status=Ds.PENDING)),
        unsubscribed_since=Count("pk", filter=unsubscribed),
        possible_duplicates=Count("pk", filter=Q(possible_duplicate=True, status=Ds.SENT)),
        sent_by_fallback=Count("pk", filter=Q(status=Ds.SENT, transport=FALLBACK_MAILER)),
        first_sent=Min("sent_at"),
        retrying=Count("pk", filter=waiting),
        next_retry_at=Min("next_attempt_at", filter=waiting),
    )
    figures["last_error"] = ""
    if figures["retrying"]:  # a second query only while something waits for a retry
        figures["last_error"] = (
            Delivery.objects.filter(waiting, campaign_id=campaign.pk)
            .order_by("-next_attempt_at")
            .values_list("last_error", flat=True)
            .first()
        )
    done = figures["recipients"] - figures["pending"]
    if figures["recipients"]:
        figures["progress"] = 100 * done // figures["recipients"]
    else:
        figures["progress"] = 100 if campaign.status == rules.SENT else 0
    figures["send_time"] = started or campaign.scheduled_for
    figures["status"] = campaign.status
    if figures["sent_by_fallback"] or campaign.transport == FALLBACK_MAILER:
        figures["transports"] = [
            ("the main mail server", figures["sent"] - figures["sent_by_fallback"]),
            ("the fallback mail server", figures["sent_by_fallback"]),
        ]
    if campaign.status == rules.SENDING:
        figures["projection"] = during_send(campaign, figures, now=now)
    return figures


def report_or_defaults(campaign, now=None):
    """``report`` for what must show whatever happens (the report page, the dashboard, the
    Newsletter tab): if it fails, the error is logged and the figures are the campaign's
    own, zeros, and ``unavailable``."""
    figures = {
        "recipients": campaign.recipient_count,
        "sent": 0,
        "failed": 0,
        "bounced": 0,
        "pending": 0,
        "unsubscribed_since": 0,
        "send_time": campaign.started_at,
        "progress": 0,
    }
    try:
        figures.update(report(campaign, now=now))
    except Exception:
        logger.exception("Could not build the report of campaign %s", campaign.pk)
        figures["unavailable"] = True
    return figures


# Test sends


def send_test(*, campaign, snapshot, email):
    """One message to ``email`` now, through the newsletter mailer and the same transport as
    the send: ``snapshot`` (the issue frozen for this test, unsaved) built into the same
    frozen message, with "[Test] " before the subject and every link going straight to its
    target (nothing is tracked). That address gets its own links if it
    is a subscriber, example links if not. Raises ``SendRefused`` for an address that isn't
    one, or when the server refuses it."""
    try:
        validate_email(email)
    except ValidationError:
        raise SendRefused(f"{email!r} is not an email address.") from None
    # The test send links directly: no tracked links, no clicks counted.
    frozen = FrozenMessage.for_campaign(
        campaign, snapshot=snapshot, subject_prefix="[Test] ", direct_links=True
    )
    subscriber = Subscriber.objects.with_email(email).first()
    sender = transport.for_backend(mail.mailers[MAILER], frozen)
    try:
        sender.send(email, subscriber.pk if subscriber else None)
    except transport.SendError as error:
        raise SendRefused(f"The test email to {email} was not sent: {error}") from None
    finally:
        sender.close()
