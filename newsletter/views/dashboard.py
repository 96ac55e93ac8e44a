"""The dashboard's "This morning" panel: the morning's to-do list.

Today's issue (how many of its ten stories are in, where it stands, every problem and
warning with what to do, and the way to Review and send it; or, once it went out, when and
to how many readers), tomorrow's issue (a draft, or not yet), New article and New issue, the
readers, and the figures of the last issue sent, named by the date it was for.

Where an issue stands is ``newsletter.issues.status`` (the one status the Issues list shows);
what stops a send and what needs a second look are ``rules.sending_problems`` and
``rules.sending_warnings``. The panel costs the same number of queries however many issues,
readers and sends there are.

It only reads, and may not break the dashboard it sits on, so a failure is logged and the
panel is left out rather than the admin answering with an error.
"""

import datetime
import logging

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateformat import time_format as format_time
from wagtail.admin.ui.components import Component

from news.viewsets import new_article_url
from newsletter import rules
from newsletter.conf import prepare_at
from newsletter.issues.status import issue_status, issue_statuses
from newsletter.models import Campaign, IssuePage, Subscriber
from newsletter.sending.orchestration import report_or_defaults
from newsletter.views.campaigns import may_send_issues
from newsletter.views.issues import new_issue_url, story_counts

logger = logging.getLogger(__name__)


class DayIssue:
    """One issue on the to-do list: its status, stories, problems and where to go next.
    ``status`` and ``stories`` are given for a line that needs no problems (tomorrow's)."""

    def __init__(self, issue, today, status=None, stories=None):
        self.issue = issue
        self.problems = []
        if status is None:
            self.status = issue_status(issue)
            stories = len(rules.sent_version(issue).stories.all())
            if not self.status.sent:
                newer_draft = rules.newer_draft_warning(issue) if issue.live else ""
                self.problems = [
                    *self.status.problems,
                    *rules.sending_warnings(issue.issue_date, today),
                    *([newer_draft] if newer_draft else []),
                ]
        else:
            self.status = status
        self.stories = stories
        self.edit_url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
        self.review_url = reverse("newsletter_review:review", args=[issue.pk])
        self.preview_url = (
            reverse("wagtailadmin_pages:view_draft", args=[issue.pk]) + "?mode=newsletter"
        )
        campaign = self.status.campaign
        self.report_url = (
            reverse("newsletter_campaigns:report", args=[campaign.pk]) if self.status.sent else None
        )
        self.readers = campaign.recipient_count if campaign is not None else 0
        self.sent_when = at(self.status.sent_at, today)
        self.scheduled_when = at(self.status.scheduled_for, today)


def at(moment, today):
    """ "at 06:02" for a moment today, "on Sunday 6 December at 18:00" for another day."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == today:
        return f"at {format_time(local, 'H:i')}"
    return f"on {format_date(local, 'l j F')} at {format_time(local, 'H:i')}"


def last_sent():
    """The campaign of the last issue that went out, with ``for_date`` (the date the issue
    was for, from its snapshot: the issue's page may have been deleted since), or None."""
    return (
        Campaign.objects.filter(started_at__isnull=False, snapshot__isnull=False)
        .annotate(for_date=F("snapshot__issue_date"))
        .order_by("-started_at", "-pk")
        .first()
    )


def morning_context(today=None):
    """Everything the panel shows, for ``today`` (default: the publication's today)."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    issues = {
        issue.issue_date: issue
        for issue in IssuePage.objects.filter(issue_date__in=[today, tomorrow])
    }
    context = {
        "today": today,
        "tomorrow": tomorrow,
        "needed": rules.STORIES_PER_ISSUE,
        "new_issue_url": new_issue_url(),
        "new_article_url": new_article_url(),
        "prepare_at": prepare_at(),
    }
    if today in issues:
        context["today_issue"] = DayIssue(issues[today], today)
    if tomorrow in issues:
        # Tomorrow's line says where it stands, as the Issues list does: what it lacks is
        # for tomorrow morning's list.
        issue = issues[tomorrow]
        status = issue_statuses([issue])[issue.pk]
        stories = story_counts([issue.pk]).get(issue.pk, 0)
        context["tomorrow_issue"] = DayIssue(issue, today, status=status, stories=stories)
    context["active"] = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count()
    context["receiving"] = Subscriber.objects.receiving().count()
    last = last_sent()
    if last is not None:
        context.update(
            last=last,
            last_day=rules.date_words(last.for_date, today),
            last_report=report_or_defaults(last),
            last_url=reverse("newsletter_campaigns:report", args=[last.pk]),
        )
    return context


class TodaysIssuePanel(Component):
    """The dashboard's morning to-do list, for whoever may send issues."""

    name = "newsletter_today"
    order = 50  # above Wagtail's own panels
    template_name = "newsletter/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return morning_context()

    def render_html(self, parent_context=None):
        if not may_send_issues(self.request.user):
            return ""
        try:
            return super().render_html(parent_context)
        except Exception:
            logger.exception("The dashboard's newsletter panel failed")
            return ""
