"""Where an issue stands, in one word an editor reads the same everywhere (the Issues list,
the dashboard): draft, ready, needs work, scheduled, sending, sent, and the rarer paused,
missed its time, cancelled and failed.

It is worked out from the issue and its latest campaign (the one that went out if any did,
else the newest saved), and, for a published issue not sent yet, from ``rules.sending_problems``
on the version that would go out. ``issue_status(issue)`` is for one issue;
``issue_statuses(issues)`` for a list, in a fixed number of queries however many issues.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, WorkflowState

from newsletter import rules
from newsletter.models import Campaign, IssueStory

DRAFT, READY, NEEDS_WORK = "draft", "ready", "needs-work"

# key: (label, Wagtail status colour: "primary" is the strong one, "" the quiet grey one)
LABELS = {
    DRAFT: ("Draft: not published", ""),
    READY: ("Ready to send", "primary"),
    NEEDS_WORK: ("Needs work before sending", ""),
    rules.SCHEDULED: ("Scheduled", "primary"),
    rules.WAITING: ("Missed its time: send or unschedule it", ""),
    rules.SENDING: ("Sending", "primary"),
    rules.PAUSED: ("Sending paused", ""),
    rules.SENT: ("Sent", "primary"),
    rules.CANCELLED: ("Cancelled: sending was stopped", ""),
    rules.FAILED: ("Failed: could not be sent", ""),
}
# Statuses where the issue is out (or on its way) and can no longer be changed or sent.
GONE_OUT = frozenset({rules.SENDING, rules.PAUSED, rules.SENT, rules.CANCELLED, rules.FAILED})


@dataclass
class IssueStatus:
    key: str
    campaign: Campaign | None = None
    problems: list = field(default_factory=list)

    @property
    def label(self):
        return LABELS[self.key][0]

    @property
    def colour(self):
        return LABELS[self.key][1]

    @property
    def sent(self):
        """The issue went out (or started to): its report exists, it can't be sent again."""
        return self.key in GONE_OUT or self.key == rules.WAITING

    @property
    def sent_at(self):
        return self.campaign.started_at if self.campaign else None

    @property
    def scheduled_for(self):
        return self.campaign.scheduled_for if self.key == rules.SCHEDULED else None

    def __str__(self):
        return self.label


def latest_campaign(campaigns):
    """The campaign that went out (it has a snapshot), else the newest saved one, or None."""
    campaigns = list(campaigns)
    sent = [c for c in campaigns if c.snapshot_id is not None]
    if sent:
        return max(sent, key=lambda c: c.started_at or c.created_at)
    return max(campaigns, key=lambda c: (c.created_at, c.pk), default=None)


def status_of(issue, campaign, problems):
    """The status of ``issue`` given its latest campaign and the problems of its version to
    send (only looked at for a published issue not sent or scheduled)."""
    if campaign is not None and (campaign.status in GONE_OUT or campaign.status == rules.WAITING):
        return IssueStatus(campaign.status, campaign)
    if campaign is not None and campaign.status == rules.SCHEDULED:
        return IssueStatus(rules.SCHEDULED, campaign, problems)
    if not issue.live:
        return IssueStatus(DRAFT, campaign, problems)
    return IssueStatus(NEEDS_WORK if problems else READY, campaign, problems)


def issue_status(issue):
    """The status of one issue, with every problem of the version that would be sent (a
    draft's problems too, so a to-do list can say what is left)."""
    campaign = latest_campaign(issue.campaigns.all())
    problems = []
    if campaign is None or campaign.status in rules.SENDABLE:
        problems = rules.sending_problems(rules.sent_version(issue))
    return status_of(issue, campaign, problems)


def issue_statuses(issues):
    """{issue pk: IssueStatus} for a list of issues, in three queries (their campaigns, the
    stories of the published ones, their review workflows). A draft's status is "draft"
    without its problems (those are on the issue's own page)."""
    issues = list(issues)
    by_issue = {issue.pk: [] for issue in issues}
    for campaign in Campaign.objects.filter(issue_id__in=list(by_issue)):
        by_issue[campaign.issue_id].append(campaign)
    campaigns = {pk: latest_campaign(found) for pk, found in by_issue.items()}
    to_judge = [
        issue
        for issue in issues
        if issue.live
        and (campaigns[issue.pk] is None or campaigns[issue.pk].status in rules.SENDABLE)
    ]
    stories = {issue.pk: [] for issue in to_judge}
    for story in (
        IssueStory.objects.filter(page_id__in=list(stories))
        .select_related("article")
        .only("page_id", "article_id", "sort_order", "article__title", "article__live")
        .order_by("page_id", "sort_order")
    ):
        stories[story.page_id].append(story)
    in_review = set()
    if to_judge:
        in_review = set(
            WorkflowState.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Page),
                object_id__in=[str(pk) for pk in stories],
                status=WorkflowState.STATUS_IN_PROGRESS,
            ).values_list("object_id", flat=True)
        )
    statuses = {}
    for issue in issues:
        problems = []
        if issue.pk in stories:
            # What workflow_in_progress reads when the states were prefetched (Wagtail).
            issue._current_workflow_states = (
                [WorkflowState(status=WorkflowState.STATUS_IN_PROGRESS)]
                if str(issue.pk) in in_review
                else []
            )
            problems = rules.sending_problems(issue, stories=stories[issue.pk])
        statuses[issue.pk] = status_of(issue, campaigns[issue.pk], problems)
    return statuses


def day_word(day, today):
    """ "today", "tomorrow", "yesterday" or "" for ``day``."""
    return {
        today: "today",
        today + datetime.timedelta(days=1): "tomorrow",
        today - datetime.timedelta(days=1): "yesterday",
    }.get(day, "")
