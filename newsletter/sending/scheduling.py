"""Schedules, and the housekeeping that keeps sends moving.

``run_due_and_stalled`` is called by ``db_worker`` when it starts and every few seconds after
(see ``newsletter/management/commands/db_worker.py``):

- a scheduled campaign whose time has come is sent (``send_issue_now``: the snapshot is taken
  then); one found far past its time (``NEWSLETTER_LATE_AFTER``, e.g. the worker was down all
  night) is not sent late but waits for an editor, with the reason in ``status_note``;
- a sending campaign with deliveries nobody holds (a worker was killed and its lease ran out,
  retries came due, a worker stopped for a dead mail server) gets a new task, unless one is
  already queued. django-tasks-db never retries a task and leaves a killed worker's task
  RUNNING for ever, so this is what resumes such a send.
- a sending campaign with nothing pending left is marked sent.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from newsletter import rules
from newsletter.conf import setting
from newsletter.models import Campaign, IssuePage
from newsletter.sending.claims import claimable
from newsletter.sending.orchestration import (
    SendRefused,
    enqueue,
    move_status,
    readable,
    send_issue_now,
)
from newsletter.sending.tasks import send_campaign
from newsletter.sending.worker import finish_if_done

logger = logging.getLogger(__name__)


def late_after():
    late = setting("NEWSLETTER_LATE_AFTER")
    return late if isinstance(late, timedelta) else timedelta(seconds=late)


def schedule(campaign, when, *, user=None):
    """Send ``campaign`` at ``when`` (an aware datetime in the future)."""
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when <= timezone.now():
        raise SendRefused("Choose a time in the future to schedule the issue.")
    if (
        campaign.issue_id
        and Campaign.objects.filter(issue_id=campaign.issue_id, snapshot__isnull=False).exists()
    ):
        raise SendRefused("This issue has already been sent: an issue is sent once.")
    fields = {"scheduled_for": when, "status_note": ""}
    if getattr(user, "is_authenticated", False):
        fields["started_by"] = user
    return move_status(
        campaign, "schedule", "This campaign is {status}, so it can't be scheduled.", **fields
    )


def unschedule(campaign):
    """Back to a saved draft: nothing goes out until an editor sends or schedules again."""
    return move_status(
        campaign,
        "unschedule",
        "This campaign is {status}, not scheduled: there is nothing to unschedule.",
        scheduled_for=None,
        status_note="",
    )


def wait_for_editor(campaign, note):
    sources, target = rules.MOVES["miss"]
    Campaign.objects.filter(pk=campaign.pk, status__in=sources).update(
        status=target, status_note=note[:500]
    )
    logger.warning("Scheduled campaign %s waits for an editor: %s", campaign.pk, note)


def fire_due(now):
    """Send the scheduled campaigns whose time has come; returns how many started."""
    started = 0
    due = Campaign.objects.filter(status=rules.SCHEDULED, scheduled_for__lte=now)
    for campaign in due.order_by("scheduled_for"):
        late = now - campaign.scheduled_for
        if late > late_after():
            hours = int(late.total_seconds() // 3600)
            wait_for_editor(
                campaign,
                (
                    f"Missed its time ({readable(campaign.scheduled_for)}) by {hours} hours, so it "
                    "was not sent late: send it now or unschedule it."
                ),
            )
            continue
        issue = IssuePage.objects.filter(pk=campaign.issue_id).first()
        if issue is None:
            wait_for_editor(campaign, "Its issue no longer exists.")
            continue
        try:
            send_issue_now(issue, user=campaign.started_by, campaign=campaign)
        except SendRefused as error:
            campaign.refresh_from_db()
            if campaign.status == rules.SCHEDULED:
                wait_for_editor(campaign, f"Could not go out at its time: {error}")
        else:
            started += 1
    return started


def task_waiting(campaign_id):
    """Is a task for this campaign already queued and not yet started?"""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - django-tasks-db is a dependency
        return False
    if not isinstance(send_campaign.get_backend(), DatabaseBackend):
        return False
    queued = DBTaskResult.objects.filter(
        status="READY", task_path=send_campaign.module_path
    ).values_list("args_kwargs", flat=True)
    return any((args_kwargs or {}).get("args", [])[:1] == [campaign_id] for args_kwargs in queued)


def resume_stalled(now):
    """New tasks for sending campaigns with claimable rows; returns (resumed, finished)."""
    resumed = finished = 0
    for campaign_id in Campaign.objects.filter(status=rules.SENDING).values_list("pk", flat=True):
        if claimable(campaign_id, now).exists():
            if not task_waiting(campaign_id):
                logger.info("Campaign %s: resuming (deliveries nobody holds)", campaign_id)
                enqueue(campaign_id)
                resumed += 1
        elif finish_if_done(campaign_id):
            finished += 1
    return resumed, finished


def run_due_and_stalled(now=None):
    """Fire due schedules and resume stalled sends; returns what it did, as a dict."""
    now = now or timezone.now()
    result = {"fired": 0, "resumed": 0, "finished": 0}
    try:
        result["fired"] = fire_due(now)
        result["resumed"], result["finished"] = resume_stalled(now)
    except DatabaseError:
        # A locked SQLite database or a dropped connection: the next round tries again.
        logger.exception("Sending housekeeping failed; trying again shortly")
    return result
