"""The dashboard's "Today's issue" panel: the morning's issue, its campaign, subscribers and
the last send's report.

It only reads, and may not break the dashboard it sits on, so a failure is logged and the
panel is left out rather than the admin answering with an error.
"""

import logging

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from newsletter import rules
from newsletter.models import Campaign, IssueIndexPage, IssuePage, Subscriber
from newsletter.sending.orchestration import report_or_defaults
from newsletter.views.campaigns import may_send_issues

logger = logging.getLogger(__name__)


def today_context():
    """Today's issue and its campaign, subscribers, and the last send's report."""
    today = timezone.localdate()
    context = {"today": today}
    issue = IssuePage.objects.filter(issue_date=today).first()
    if issue is None:
        index = IssueIndexPage.objects.first()
        context["add_url"] = (
            reverse("wagtailadmin_pages:add", args=["newsletter", "issuepage", index.pk])
            if index
            else None
        )
    else:
        # The row is the published issue; a draft-only issue is its latest draft.
        version = rules.sent_version(issue)
        campaigns = issue.campaigns.order_by("-started_at", "-created_at")
        campaign = campaigns.filter(snapshot__isnull=False).first() or campaigns.first()
        context.update(
            issue=issue,
            stories=len(version.stories.all()),
            problems=([] if campaign and campaign.started_at else rules.sending_problems(version)),
            draft_changed=issue.has_unpublished_changes and rules.draft_differs(issue),
            campaign=campaign,
            edit_url=reverse("wagtailadmin_pages:edit", args=[issue.pk]),
            preview_url=reverse("wagtailadmin_pages:view_draft", args=[issue.pk])
            + "?mode=newsletter",
        )
        if campaign:
            context["campaign_url"] = reverse("newsletter_campaigns:report", args=[campaign.pk])
    context["active"] = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count()
    context["receiving"] = Subscriber.objects.receiving().count()
    last = (
        Campaign.objects.filter(started_at__isnull=False)
        .select_related("issue")
        .order_by("-started_at")
        .first()
    )
    if last is not None:
        context.update(
            last=last,
            last_report=report_or_defaults(last),
            last_url=reverse("newsletter_campaigns:report", args=[last.pk]),
        )
    return context


class TodaysIssuePanel(Component):
    """The dashboard's morning routine: today's issue, subscribers, the last send."""

    name = "newsletter_today"
    order = 50  # above Wagtail's own panels
    template_name = "newsletter/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {**today_context(), "needed": rules.STORIES_PER_ISSUE}

    def render_html(self, parent_context=None):
        if not may_send_issues(self.request.user):
            return ""
        try:
            return super().render_html(parent_context)
        except Exception:
            logger.exception("The dashboard's newsletter panel failed")
            return ""
