"""Click figures per sent issue and story rank, counted in the database, and the position
index worked out from them.

Everything here takes a handful of issues and answers with a fixed number of queries, however
many readers and clicks they had: counts are made by the database (``values().annotate()``),
and Python only adds up the few rows per issue and rank it gets back. Click rows and the daily
counts left after the retention period (``DailyClicks``, ``ClickRollup``) are added together,
so an issue keeps its figures once its click rows are gone.

A story's **click rate** is the share of the readers who got the issue (deliveries sent) who
clicked it at least once with a human click. Its **position index** is that rate over the
median rate of the same rank across the last ``HISTORY`` sent issues up to and including its
own: above 1 it beat its slot. Where readers can't be told apart (the ``aggregate`` privacy
mode stores clicks without a delivery) the rate is human clicks per delivered email instead,
for the issue and its history alike.
"""

import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from newsletter.models import Click, ClickRollup, DailyClicks, Delivery, IssueSnapshot

HISTORY = 30
# With the issue alone in its window the index would always be 1: say nothing instead.
MIN_HISTORY = 2
UNIQUE, CLICKS = "unique", "clicks"


@dataclass
class Counts:
    """Clicks on one story (or one issue): raw, human, and human unique clickers (None when
    readers can't be told apart)."""

    raw: int = 0
    human: int = 0
    unique: int | None = 0

    def as_dict(self):
        return {"human_unique": self.unique, "human": self.human, "raw": self.raw}


@dataclass
class IssueFigures:
    """One sent issue: deliveries sent and click counts per story rank (rank None: the
    masthead, footer and other links outside the stories)."""

    snapshot_id: int
    delivered: int = 0
    ranks: dict = field(default_factory=dict)
    unique_known: bool = True
    rolled_up: bool = False
    # Readers with a human click on the issue, counted at the roll-up.
    rollup_unique: int = 0

    def rank(self, rank):
        return self.ranks.setdefault(rank, Counts())

    def rate(self, rank, basis):
        """The click rate of ``rank`` on ``basis`` (unique clickers or human clicks per
        delivered email), or None if it can't be worked out."""
        if not self.delivered or (basis == UNIQUE and not self.unique_known):
            return None
        counts = self.ranks.get(rank, Counts())
        return (counts.unique if basis == UNIQUE else counts.human) / self.delivered


def delivered_counts(snapshot_ids):
    """{snapshot id: deliveries sent} (one query)."""
    rows = (
        Delivery.objects.filter(campaign__snapshot_id__in=snapshot_ids, status=Delivery.Status.SENT)
        .values_list("campaign__snapshot_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def issue_figures(snapshot_ids):
    """{snapshot id: IssueFigures} for these issues, in four queries."""
    figures = {pk: IssueFigures(pk) for pk in snapshot_ids}
    for pk, delivered in delivered_counts(snapshot_ids).items():
        figures[pk].delivered = delivered
    human = Q(human=True)
    clicks = (
        Click.objects.filter(snapshot_id__in=snapshot_ids)
        .values_list("snapshot_id", "rank")
        .annotate(
            n_raw=Count("pk"),
            n_human=Count("pk", filter=human),
            n_unique=Count("delivery_id", distinct=True, filter=human),
            n_anonymous=Count("pk", filter=human & Q(delivery__isnull=True)),
        )
        .order_by()
    )
    for pk, rank, raw, human_clicks, unique, anonymous in clicks:
        counts = figures[pk].rank(rank)
        counts.raw += raw
        counts.human += human_clicks
        counts.unique += unique
        if anonymous:
            figures[pk].unique_known = False
    daily = (
        DailyClicks.objects.filter(snapshot_id__in=snapshot_ids)
        .values_list("snapshot_id", "rank")
        .annotate(n_raw=Sum("raw"), n_human=Sum("human"))
        .order_by()
    )
    for pk, rank, raw, human_clicks in daily:
        counts = figures[pk].rank(rank)
        counts.raw += raw
        counts.human += human_clicks
    rollups = ClickRollup.objects.filter(snapshot_id__in=snapshot_ids).values_list(
        "snapshot_id", "human_unique", "story_unique"
    )
    for pk, human_unique, story_unique in rollups:
        issue = figures[pk]
        issue.rolled_up, issue.rollup_unique = True, human_unique
        for rank, unique in (story_unique or {}).items():
            issue.rank(int(rank)).unique += unique
        # Rolled-up human clicks with no unique clickers: counted in aggregate mode.
        if not human_unique and any(c.human for c in issue.ranks.values()):
            issue.unique_known = False
    for issue in figures.values():
        if not issue.unique_known:
            for counts in issue.ranks.values():
                counts.unique = None
    return figures


def window_ids(issue_date=None, last=HISTORY):
    """The ids of the last ``last`` sent issues up to and including ``issue_date`` (any
    date if None), newest first (one query)."""
    issues = IssueSnapshot.objects.order_by("-issue_date")
    if issue_date is not None:
        issues = issues.filter(issue_date__lte=issue_date)
    return list(issues.values_list("pk", flat=True)[:last])


def median_rates(figures, snapshot_ids, basis, ranks=range(1, 11)):
    """{rank: median click rate} over these issues (those without a rate are left out), and
    how many issues went into it."""
    issues = [figures[pk] for pk in snapshot_ids if figures[pk].rate(1, basis) is not None]
    medians = {}
    for rank in ranks:
        rates = [issue.rate(rank, basis) for issue in issues]
        medians[rank] = statistics.median(rates) if rates else None
    return medians, len(issues)


def position_index(rate, median, history):
    """A story's rate over the usual rate of its slot, or None without a history."""
    if rate is None or not median or history < MIN_HISTORY:
        return None
    return rate / median


def basis_of(issue):
    return UNIQUE if issue.unique_known else CLICKS
