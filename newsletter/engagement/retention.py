"""Retention: per-reader click rows are kept ``NEWSLETTER_CLICK_RETENTION_DAYS`` after an
issue was sent, then rolled up into daily counts and deleted (``manage.py roll_up_clicks``,
daily from cron: docs/operations.md).

Rolling up an issue, in one transaction:

- ``DailyClicks`` per link per day: all clicks (raw), human ones, and human unique clickers
  (readers whose first human click on that link was that day);
- a ``ClickRollup``: the issue's human unique clickers, and per story rank;
- its ``Click`` rows deleted, and its ``Open`` rows kept without their delivery (the count
  stays, who opened goes).

Afterwards nothing names a reader. Clicks that still come in for a rolled-up issue (an old
email opened months later) are stored without a delivery (``rolled_up`` tells the recorder)
and folded into the daily counts by the next run.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from newsletter.conf import setting
from newsletter.models import Click, ClickRollup, DailyClicks, IssueSnapshot, Open


def cutoff(now=None):
    """Issues sent before this have their per-reader clicks rolled up."""
    days = setting("NEWSLETTER_CLICK_RETENTION_DAYS")
    return (now or timezone.now()) - datetime.timedelta(days=days)


def rolled_up(snapshot_ids, now=None):
    """Which of these issues keep no per-reader clicks any more (rolled up, or past the
    retention period and about to be): one query. The recorder stores their clicks without a
    delivery."""
    return set(
        IssueSnapshot.objects.filter(pk__in=set(snapshot_ids))
        .filter(Q(sent_at__lt=cutoff(now)) | Q(click_rollup__isnull=False))
        .values_list("pk", flat=True)
    )


def is_rolled_up(snapshot_id, now=None):
    return snapshot_id in rolled_up([snapshot_id], now)


def _daily_counts(clicks):
    """``{(link_id, day): [rank, raw, human]}`` of these clicks: one query."""
    rows = (
        clicks.annotate(day=TruncDate("at"))
        .values("link_id", "rank", "day")
        .annotate(raw=Count("id"), human=Count("id", filter=Q(human=True)))
    )
    return {(r["link_id"], r["day"]): [r["rank"], r["raw"], r["human"]] for r in rows}


def _clicks_so_far(snapshot):
    """The issue's clicks written so far: those written while it is rolled up are left for
    the next run (``fold_late_clicks``) instead of deleted uncounted."""
    last = Click.objects.filter(snapshot=snapshot).order_by("-pk").values_list("pk", flat=True)
    return Click.objects.filter(snapshot=snapshot, pk__lte=last.first() or 0)


def roll_up_issue(snapshot):
    """Roll up one issue's clicks (see the module); returns what was done, for the report."""
    with transaction.atomic():
        clicks = _clicks_so_far(snapshot)
        counts = _daily_counts(clicks)
        firsts = (
            clicks.filter(human=True, delivery__isnull=False)
            .values("link_id", "rank", "delivery_id")
            .annotate(first=Min("at"))
        )
        unique = defaultdict(int)
        readers, by_rank = set(), defaultdict(set)
        for row in firsts:
            unique[row["link_id"], timezone.localdate(row["first"])] += 1
            readers.add(row["delivery_id"])
            if row["rank"]:
                by_rank[row["rank"]].add(row["delivery_id"])
        DailyClicks.objects.bulk_create(
            DailyClicks(
                link_id=link_id,
                snapshot=snapshot,
                rank=rank,
                day=day,
                raw=raw,
                human=human,
                human_unique=unique[link_id, day],
            )
            for (link_id, day), (rank, raw, human) in sorted(counts.items())
        )
        ClickRollup.objects.create(
            snapshot=snapshot,
            human_unique=len(readers),
            story_unique={str(rank): len(ids) for rank, ids in sorted(by_rank.items())},
        )
        deleted, _ = clicks.delete()
        opens = Open.objects.filter(snapshot=snapshot, delivery__isnull=False).update(delivery=None)
    return {"clicks": deleted, "days": len(counts), "readers": len(readers), "opens": opens}


def fold_late_clicks(snapshot):
    """Add clicks that came after an issue was rolled up to its daily counts, and delete
    them (they name no reader, so the unique counts stay as they were)."""
    with transaction.atomic():
        clicks = _clicks_so_far(snapshot)
        counts = _daily_counts(clicks)
        existing = {
            (row.link_id, row.day): row
            for row in DailyClicks.objects.select_for_update().filter(snapshot=snapshot)
        }
        new, changed = [], []
        for (link_id, day), (rank, raw, human) in counts.items():
            row = existing.get((link_id, day))
            if row is None:
                new.append(
                    DailyClicks(
                        link_id=link_id, snapshot=snapshot, rank=rank, day=day, raw=raw, human=human
                    )
                )
            else:
                row.raw += raw
                row.human += human
                changed.append(row)
        DailyClicks.objects.bulk_create(new)
        DailyClicks.objects.bulk_update(changed, ["raw", "human"])
        deleted, _ = clicks.delete()
        Open.objects.filter(snapshot=snapshot, delivery__isnull=False).update(delivery=None)
    return deleted


def roll_up(now=None):
    """Roll up every issue past the retention period not rolled up yet, and fold late clicks
    into those that were. Returns ``[(snapshot, what was done), ...]``; running it again
    does nothing more."""
    done = []
    due = IssueSnapshot.objects.filter(sent_at__lt=cutoff(now), click_rollup__isnull=True)
    for snapshot in due.order_by("issue_date"):
        done.append((snapshot, roll_up_issue(snapshot)))
    late = IssueSnapshot.objects.filter(
        click_rollup__isnull=False, pk__in=Click.objects.values("snapshot_id")
    )
    for snapshot in late.order_by("issue_date"):
        done.append((snapshot, {"late_clicks": fold_late_clicks(snapshot)}))
    return done
