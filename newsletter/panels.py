"""Admin panels: "7 of 10" on an issue's edit page, and the morning's issue on the dashboard.

Both only read; neither may break the page it sits on, so a failure is logged and the panel
says less rather than the admin answering with an error.
"""

import logging

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.panels import Panel
from wagtail.admin.ui.components import Component

logger = logging.getLogger(__name__)


def count_stories(form, instance):
    """Stories in the edit form as the editor last left it: the posted formset after a
    failed save, otherwise the issue's draft."""
    formset = getattr(form, "formsets", {}).get("stories") if form is not None else None
    if formset is not None and formset.is_bound:
        return sum(1 for child in formset.forms
                   if child["article"].value() and not (
                       formset.can_delete and child["DELETE"].value() in {True, "1", "on"}))
    return len(instance.stories.all())


class IssueReadinessPanel(Panel):
    """Read-only: how many of the ten stories the issue has, and what still stops it going
    out ("Not published yet", "8 of 10"...)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/admin/campaign_readiness.html"

        def get_context_data(self, parent_context=None):
            from newsletter.campaign_backend import problems_before_sending
            from newsletter.models import STORIES_PER_ISSUE

            context = super().get_context_data(parent_context)
            problems = []
            try:
                count = count_stories(self.form, self.instance)
                if self.instance.pk:
                    problems = problems_before_sending(self.instance)
            except Exception:
                logger.exception("Could not check issue %s", self.instance.pk)
                count = None
            context.update(count=count, needed=STORIES_PER_ISSUE, problems=problems,
                           saved=bool(self.instance.pk))
            return context


def today_context():
    """Today's issue and its campaign, subscribers, and the last send's report."""
    from newsletter.campaign_backend import (
        only_newsletter_settings_changed,
        problems_before_sending,
    )
    from newsletter.models import Campaign, IssueIndexPage, IssuePage, Subscriber
    from newsletter.views.campaigns import campaign_report

    today = timezone.localdate()
    context = {"today": today}
    issue = IssuePage.objects.filter(issue_date=today).first()
    if issue is None:
        index = IssueIndexPage.objects.first()
        context["add_url"] = (reverse("wagtailadmin_pages:add",
                                      args=["newsletter", "issuepage", index.pk])
                              if index else None)
    else:
        draft = issue.get_latest_revision_as_object()
        campaigns = issue.campaigns.order_by("-started_at", "-created_at")
        campaign = (campaigns.filter(snapshot__isnull=False).first() or campaigns.first())
        context.update(
            issue=issue,
            stories=len(draft.stories.all()),
            problems=([] if campaign and campaign.started_at
                      else problems_before_sending(draft)),
            draft_changed=issue.has_unpublished_changes and not
            only_newsletter_settings_changed(issue),
            campaign=campaign,
            edit_url=reverse("wagtailadmin_pages:edit", args=[issue.pk]),
            preview_url=reverse("wagtailadmin_pages:view_draft", args=[issue.pk])
            + "?mode=newsletter",
        )
        if campaign:
            context["campaign_url"] = reverse("newsletter_campaigns:report",
                                              args=[campaign.pk])
    context["active"] = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count()
    context["receiving"] = Subscriber.objects.receiving().count()
    last = (Campaign.objects.filter(started_at__isnull=False).select_related("issue")
            .order_by("-started_at").first())
    if last is not None:
        context.update(last=last, last_report=campaign_report(last),
                       last_url=reverse("newsletter_campaigns:report", args=[last.pk]))
    return context


class TodaysIssuePanel(Component):
    """The dashboard's morning routine: today's issue, subscribers, the last send."""

    name = "newsletter_today"
    order = 50  # above Wagtail's own panels
    template_name = "newsletter/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        from newsletter.models import STORIES_PER_ISSUE

        return {**today_context(), "needed": STORIES_PER_ISSUE}

    def render_html(self, parent_context=None):
        from newsletter.views.campaigns import may_send_issues

        if not may_send_issues(self.request.user):
            return ""
        try:
            return super().render_html(parent_context)
        except Exception:
            logger.exception("The dashboard's newsletter panel failed")
            return ""
