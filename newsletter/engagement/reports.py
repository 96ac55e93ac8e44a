"""The engagement reports as plain data, for the admin pages, their CSV files and the
``issue_report`` command.

- ``issue_report(snapshot)``: one sent issue, story by story, human clicks first.
- ``position_curve(last)``: the usual click rate of each rank over the last sent issues.
- ``leaderboards(days)``: sections, authors, photo credits and sources by mean position index,
  and the stories that beat their slot this week (``newsletter.engagement.leaders``).
- ``growth(days)``: the list day by day (``newsletter.engagement.growth``).

Each runs a fixed number of queries whatever the number of readers and clicks (see
``newsletter.engagement.figures``).
"""

import datetime

from django.db import connection
from django.db.models import CharField, Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import Cast, Substr, TruncHour
from wagtail.models import ModelLogEntry

from newsletter.models import Click, DailyClicks, Delivery, IssueSnapshot, Open, Subscriber

from . import figures as f
from .growth import growth
from .leaders import leaderboards

__all__ = ["growth", "issue_report", "leaderboards", "position_curve"]

CURVE_HOURS = 24


def share(part, whole):
    return part / whole if whole else None


def story_rows(snapshot, issue, medians, history, roles):
    """The stories in rank order with their figures."""
    basis = f.basis_of(issue)
    total_human = sum(counts.human for counts in issue.ranks.values())
    rows = []
    for story in sorted(snapshot.stories, key=lambda story: story["rank"]):
        rank = story["rank"]
        counts = issue.ranks.get(rank, f.Counts(unique=0 if issue.unique_known else None))
        rate = issue.rate(rank, basis)
        median = medians.get(rank)
        rows.append(
            {
                "rank": rank,
                "headline": story.get("headline", ""),
                "url": story.get("url", ""),
                "section": story.get("section", ""),
                "credit": story.get("credit", ""),
                "article_id": story.get("article_id"),
                "clicks": counts.as_dict(),
                "rate": rate,
                "usual_rate": median,
                "share": share(counts.human, total_human),
                "by_role": roles.get(rank, {}),
                "position_index": f.position_index(rate, median, history),
            }
        )
    return rows


def role_counts(snapshot):
    """{rank: {role: human clicks}} from click rows and daily counts (two queries)."""
    roles = {}
    counted = ((Click, Count("pk", filter=Q(human=True))), (DailyClicks, Sum("human")))
    for model, human in counted:
        rows = model.objects.filter(snapshot=snapshot, rank__isnull=False)
        for rank, role, n in rows.values_list("rank", "link__role").annotate(n=human).order_by():
            by_role = roles.setdefault(rank, {})
            by_role[role] = by_role.get(role, 0) + (n or 0)
    return roles


def issue_totals(snapshot, issue):
    """Unique human clickers of the whole issue and its first human click (one query)."""
    totals = Click.objects.filter(snapshot=snapshot).aggregate(
        unique=Count("delivery_id", distinct=True, filter=Q(human=True)),
        first=Min("at", filter=Q(human=True)),
    )
    unique = totals["unique"] + issue.rollup_unique
    return (unique if issue.unique_known else None), totals["first"]


def hour_of_click():
    """The clock hour (UTC) of a click, computed by the database. ``TruncHour`` is native in
    PostgreSQL, but on SQLite Django runs it as a Python function per row (0.3 s for 30,000
    clicks); there a stored time is UTC text, "2026-11-23 06:41:07.123", whose first 13
    characters are the hour."""
    if connection.vendor == "sqlite":
        return Substr("at", 1, 13)
    return TruncHour("at", tzinfo=datetime.UTC)


def as_hour(value):
    if isinstance(value, str):
        return datetime.datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=datetime.UTC)
    return value


def clicks_per_hour(snapshot):
    """Human and raw clicks in each of the first 24 clock hours from the hour of sending
    (one query). Only click rows have a time: after the retention period the curve is
    empty."""
    start = snapshot.sent_at.replace(minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(hours=CURVE_HOURS)
    rows = (
        Click.objects.filter(snapshot=snapshot, at__gte=start, at__lt=end)
        .annotate(hour=hour_of_click())
        .values_list("hour")
        .annotate(n_human=Count("pk", filter=Q(human=True)), n_raw=Count("pk"))
        .order_by()
    )
    counted = {as_hour(hour): (human, raw) for hour, human, raw in rows}
    hours = []
    for number in range(CURVE_HOURS):
        hour = start + datetime.timedelta(hours=number)
        human, raw = counted.get(hour, (0, 0))
        hours.append({"hour": hour, "since_send": number, "human": human, "raw": raw})
    return hours


def leavers(snapshot):
    """Readers who got this issue and unsubscribed or complained after it went out and
    before the next issue did (two queries). Complaints are dated by the subscriber's
    history (the audit log), which has the moment the provider reported them."""
    start = snapshot.sent_at
    after = IssueSnapshot.objects.filter(issue_date__gt=snapshot.issue_date).order_by("issue_date")
    next_sent = after.values_list("sent_at", flat=True).first()
    window = Q(unsubscribed_at__gte=start)
    if next_sent:
        window &= Q(unsubscribed_at__lt=next_sent)
    recipients = Delivery.objects.filter(campaign__snapshot=snapshot, status=Delivery.Status.SENT)
    # The few who left in the window, each looked up in the delivery index: not the other
    # way round, through every delivery.
    got_it = Exists(recipients.filter(subscriber_id=OuterRef("pk")))
    unsubscribed = Subscriber.objects.filter(window, got_it).count()
    complaints = ModelLogEntry.objects.filter(
        content_type__app_label="newsletter",
        content_type__model="subscriber",
        action="newsletter.complaint",
        timestamp__gte=start,
        object_id__in=recipients.annotate(key=Cast("subscriber_id", CharField())).values("key"),
    )
    if next_sent:
        complaints = complaints.filter(timestamp__lt=next_sent)
    return unsubscribed, complaints.values("object_id").distinct().count()


def opens_of(snapshot):
    """The tracking pixel's loads (one query): ``people`` (loads that look like a person
    opening the email), ``readers`` (distinct deliveries among those; None in the aggregate
    mode) and ``machine`` (Apple Mail Privacy Protection's pre-fetches, scanners), or None
    when the issue has none (open tracking off). An estimate, never used to rank anything."""
    counts = Open.objects.filter(snapshot_id=snapshot.pk).aggregate(
        people=Count("pk", filter=Q(machine=False)),
        readers=Count("delivery", filter=Q(machine=False), distinct=True),
        machine=Count("pk", filter=Q(machine=True)),
    )
    if not counts["people"] and not counts["machine"]:
        return None
    if counts["people"] and not counts["readers"]:
        counts["readers"] = None  # opens without a delivery: who opened is not known
    return counts


def issue_report(snapshot):
    """The report of one sent issue as plain data (see the module docstring of
    ``newsletter.engagement.figures`` for the click rate and the position index)."""
    window = f.window_ids(snapshot.issue_date)
    figures = f.issue_figures(window)
    issue = figures[snapshot.pk]
    medians, history = f.median_rates(figures, window, f.basis_of(issue))
    unique, first_click = issue_totals(snapshot, issue)
    human = sum(counts.human for counts in issue.ranks.values())
    raw = sum(counts.raw for counts in issue.ranks.values())
    unsubscribed, complained = leavers(snapshot)
    return {
        "snapshot_id": snapshot.pk,
        "date": snapshot.issue_date,
        "subject": snapshot.subject,
        "sent_at": snapshot.sent_at,
        "delivered": issue.delivered,
        "unique_known": issue.unique_known,
        "basis": f.basis_of(issue),
        "clicks": {"human_unique": unique, "human": human, "raw": raw},
        "suspect": raw - human,
        "click_rate": share(unique, issue.delivered) if unique is not None else None,
        "stories": story_rows(snapshot, issue, medians, history, role_counts(snapshot)),
        "history": history,
        "unsubscribed": unsubscribed,
        "complained": complained,
        "first_click_at": first_click,
        "time_to_first_click": first_click - snapshot.sent_at if first_click else None,
        "per_hour": clicks_per_hour(snapshot),
        "rolled_up": issue.rolled_up,
        "opens": opens_of(snapshot),
    }


def position_curve(last=f.HISTORY):
    """The median click rate of each rank 1-10 over the last ``last`` sent issues, as
    [{"rank", "median_rate", "issues"}] (five queries)."""
    window = f.window_ids(last=last)
    figures = f.issue_figures(window)
    known = all(issue.unique_known for issue in figures.values())
    basis = f.UNIQUE if known else f.CLICKS
    medians, issues = f.median_rates(figures, window, basis)
    return [
        {"rank": rank, "median_rate": rate, "issues": issues, "basis": basis}
        for rank, rate in medians.items()
    ]
