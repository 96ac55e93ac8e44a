"""When the last reader gets the issue: the "delivered by" time, the projected finish, and the
warning an editor reads when a send would miss it.

``project`` is the one projection: readers still to send at a rate (messages a second) from
a moment, against the deadline. Its callers only choose the rate:

- during a send (the campaign report, the dashboard): the rate so far, messages dealt with
  (sent, bounced, failed or skipped) over the time since the send started;
- before it (Review and send): the last measured rate, the last finished send of at least
  ``NEWSLETTER_RATE_SAMPLE_MIN`` readers, else the configured rate limit; with neither there
  is nothing to project from and nothing is said.

Every function takes ``now`` so tests fix the time.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.dateformat import format as format_date

from newsletter import rules
from newsletter.conf import setting
from newsletter.models import Campaign, NewsletterSettings

WHAT_TO_DO = "Start earlier, or ask whoever runs the site to raise the sending rate."


@dataclass(frozen=True)
class Projection:
    deadline: datetime.datetime | None  # the "delivered by" moment, if there is one
    finish: datetime.datetime | None  # when the last reader gets it (None: can't tell yet)
    rate: float  # messages a second it was projected at (0: unknown)
    message: str  # what editors read: the projection, and what to do when it is late
    late: bool = False  # the deadline is (or will be) missed


def deadline_of(issue_date, delivered_by=None):
    """The aware moment an issue of ``issue_date`` should be in every inbox: its own
    ``delivered_by`` time, else the daily one in Settings > Newsletter; None if neither."""
    clock = delivered_by or NewsletterSettings.load().delivered_by
    if clock is None or issue_date is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(issue_date, clock))


def clock_words(moment, day=None):
    """ "07:40", or "07:40 on Tuesday 8 December" when it isn't on ``day``."""
    local = timezone.localtime(moment)
    words = format_date(local, "H:i")
    if day is not None and local.date() != day:
        words += format_date(local, " \\o\\n l j F")
    return words


def duration_words(delta):
    """ "40 minutes", "1 hour 5 minutes", "less than a minute" (rounded up to a minute)."""
    minutes = -(-int(delta.total_seconds()) // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def project(*, deadline, remaining, rate, now, before_send=False):
    """When the last of ``remaining`` readers gets the issue at ``rate`` messages a second
    from ``now``, against ``deadline`` (None: the finish alone). Late, its message says by
    how much and what to do about it."""
    if remaining <= 0:
        return Projection(deadline, now, rate, "")
    day = timezone.localtime(deadline or now).date()
    if not rate:
        if deadline is None or now < deadline:
            return Projection(deadline, None, 0, "")  # nothing to project from yet: no alarm
        due = clock_words(deadline, day)
        return Projection(
            deadline,
            None,
            0,
            f"It is {duration_words(now - deadline)} past {due} and {remaining:,} reader"
            f"{'s are' if remaining != 1 else ' is'} still waiting. {WHAT_TO_DO}",
            late=True,
        )
    finish = now + datetime.timedelta(seconds=remaining / rate)
    # Told in whole minutes, rounded up: a finish is never promised early.
    shown = finish.replace(second=0, microsecond=0)
    if shown != finish:
        shown += datetime.timedelta(minutes=1)
    at = clock_words(shown, day)
    if deadline is None:
        lead = (
            f"Sent now at {rate:,.0f} a second, the last reader would get it"
            if before_send
            else "At this rate the last reader gets it"
        )
        return Projection(None, finish, rate, f"{lead} at about {at}.")
    due = clock_words(deadline, day)
    if finish <= deadline:
        lead = (
            "Sent now, the last reader would get it" if before_send else "The last reader gets it"
        )
        return Projection(
            deadline,
            finish,
            rate,
            f"{lead} at about {at}, {duration_words(deadline - shown)} before {due}.",
        )
    lead = (
        f"Sent now at {rate:,.0f} a second, the last reader would get it"
        if before_send
        else "At this rate the last reader gets it"
    )
    return Projection(
        deadline,
        finish,
        rate,
        f"{lead} at {at}, {duration_words(shown - deadline)} after {due}. {WHAT_TO_DO}",
        late=True,
    )


def campaign_deadline(campaign):
    """The deadline of a campaign's issue (its date and own time; the snapshot's date if the
    issue was deleted since)."""
    if campaign.issue_id:
        return deadline_of(campaign.issue.issue_date, campaign.issue.delivered_by)
    if campaign.snapshot_id:
        return deadline_of(campaign.snapshot.issue_date)
    return None


def during_send(campaign, figures, *, now=None):
    """The projection of a send under way from the rate so far (``figures`` from
    ``orchestration.report``); None before it started."""
    now = now or timezone.now()
    if campaign.started_at is None:
        return None
    deadline = campaign_deadline(campaign)
    done = figures["recipients"] - figures["pending"]
    elapsed = (now - campaign.started_at).total_seconds()
    rate = done / elapsed if done and elapsed > 0 else 0
    return project(deadline=deadline, remaining=figures["pending"], rate=rate, now=now)


def measured_rate():
    """Messages a second of the last finished send of ``NEWSLETTER_RATE_SAMPLE_MIN`` readers
    or more, start to finish; 0 if there is none."""
    last = (
        Campaign.objects.filter(
            status=rules.SENT,
            started_at__isnull=False,
            finished_at__gt=F("started_at"),
            recipient_count__gte=max(setting("NEWSLETTER_RATE_SAMPLE_MIN"), 1),
        )
        .order_by("-finished_at")
        .values_list("recipient_count", "started_at", "finished_at")
        .first()
    )
    if last is None:
        return 0
    count, started, finished = last
    return count / (finished - started).total_seconds()


def expected_rate():
    """The rate a send now is expected to go at: the last measured one, else the
    configured limit (``NEWSLETTER_RATE_LIMIT``), else 0 (unknown)."""
    return measured_rate() or setting("NEWSLETTER_RATE_LIMIT") or 0


def before_send(issue, readers, *, now=None):
    """Review and send's projection: ``readers`` sent from ``now`` at the expected rate."""
    return project(
        deadline=deadline_of(issue.issue_date, issue.delivered_by),
        remaining=readers,
        rate=expected_rate(),
        now=now or timezone.now(),
        before_send=True,
    )
