"""The admin's campaign pages: every send with its status, and one send's report with a
progress bar while it goes out, plus Pause, Resume and Cancel. Thin: the work is in
``newsletter.sending``."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogContext, log
from wagtail.permission_policies.pages import PagePermissionPolicy

from newsletter import rules
from newsletter.models import Campaign
from newsletter.sending.orchestration import (
    SendRefused,
    cancel,
    pause,
    report_or_defaults,
    resume,
    send_issue_now,
)
from newsletter.sending.scheduling import unschedule

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 3
# What each button does, when it is offered, and what editors are told afterwards. A button
# is offered where its move may start (``newsletter.rules.MOVES``), except that the report
# sends only a campaign that missed its time (the Newsletter tab sends the others) and a
# scheduled one is unscheduled rather than cancelled.
ACTIONS = {
    "pause": (
        "Pause",
        rules.MOVES["pause"].sources,
        "Sending is paused. Resume it when you're ready.",
    ),
    "resume": ("Resume", rules.MOVES["resume"].sources, "Sending has resumed."),
    "send_now": ("Send it now", {rules.WAITING}, "The issue is now sending."),
    "unschedule": (
        "Unschedule",
        rules.MOVES["unschedule"].sources,
        "Unscheduled: nothing goes out until someone sends or schedules it again.",
    ),
    "cancel": (
        "Cancel the rest",
        rules.MOVES["cancel"].sources - {rules.SCHEDULED},
        "Sending is cancelled: nobody else will get this issue.",
    ),
}


# The sending functions behind the buttons other than "send_now".
STEERING = {"pause": pause, "resume": resume, "unschedule": unschedule, "cancel": cancel}


def run_action(action, campaign, user):
    """Call ``newsletter.sending`` for a button; logs send and unschedule on the issue, as
    the Newsletter tab does."""
    if action == "send_now":
        if campaign.issue is None:
            raise SendRefused("This campaign's issue no longer exists.")
        send_issue_now(campaign.issue, user=user, campaign=campaign)
        log(campaign.issue, "wagtail_newsletter.send_campaign")
    else:
        STEERING[action](campaign)
        if action == "unschedule" and campaign.issue is not None:
            log(campaign.issue, "wagtail_newsletter.unschedule_campaign")


def may_send_issues(user):
    """Editors and moderators: whoever may publish pages somewhere."""
    return PagePermissionPolicy().user_has_permission(user, "publish")


def may_act_on(user, campaign):
    """Pause, resume and cancel need the right to publish the campaign's issue."""
    if campaign.issue_id is None:
        return user.is_superuser
    return campaign.issue.permissions_for_user(user).can_publish()


class CampaignsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_send_issues(request.user)


class CampaignIndexView(WagtailAdminTemplateMixin, TemplateView):
    """Every campaign, newest first: saved, scheduled, sending and sent."""

    template_name = "newsletter/admin/campaign_index.html"
    page_title = "Campaigns"
    header_icon = "mail"
    per_page = 50

    def dispatch(self, request, *args, **kwargs):
        if not may_send_issues(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        campaigns = Campaign.objects.select_related("issue").order_by("-created_at", "-pk")
        page = Paginator(campaigns, self.per_page).get_page(self.request.GET.get("p"))
        return super().get_context_data(
            campaigns=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            **kwargs,
        )


class CampaignReportView(WagtailAdminTemplateMixin, TemplateView):
    """One campaign: recipients, sent, failed, bounced, unsubscribed since, and progress."""

    template_name = "newsletter/admin/campaign_report.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not may_send_issues(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def campaign(self):
        return get_object_or_404(
            Campaign.objects.select_related("issue", "started_by", "snapshot"), pk=self.kwargs["pk"]
        )

    def get_page_title(self):
        return f"Campaign: {self.campaign}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("newsletter_campaigns:index"), "label": "Campaigns"},
            {"url": "", "label": str(self.campaign)},
        ]

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        can_act = may_act_on(self.request.user, campaign)
        actions = [
            (name, label)
            for name, (label, statuses, _done) in ACTIONS.items()
            if can_act and campaign.status in statuses
        ]
        return super().get_context_data(
            campaign=campaign,
            report=report_or_defaults(campaign),
            actions=actions,
            refreshing=campaign.status == rules.SENDING,
            refresh_seconds=REFRESH_SECONDS,
            progress_url=reverse("newsletter_campaigns:progress", args=[campaign.pk]),
            **kwargs,
        )


def progress(request, pk):
    """The report's figures as JSON, for the progress bar to follow a send."""
    if not may_send_issues(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(Campaign.objects.select_related("issue"), pk=pk)
    figures = report_or_defaults(campaign)
    send_time = figures.get("send_time")
    data = {
        key: figures.get(key, 0)
        for key in (
            "recipients",
            "sent",
            "failed",
            "bounced",
            "pending",
            "unsubscribed_since",
            "possible_duplicates",
            "progress",
        )
    }
    projection = figures.get("projection")
    return JsonResponse(
        {
            **data,
            "deadline": projection.message if projection else "",
            "deadline_late": bool(projection and projection.late),
            "status": campaign.status,
            "status_label": campaign.get_status_display(),
            "send_time": send_time.isoformat() if send_time else None,
        }
    )


@require_POST
def act(request, pk, action):
    """Pause, resume or cancel a send (POST, CSRF-checked, publish permission on the issue)."""
    if action not in ACTIONS:
        raise Http404
    campaign = get_object_or_404(Campaign.objects.select_related("issue"), pk=pk)
    if not may_act_on(request.user, campaign):
        raise PermissionDenied
    label, statuses, done = ACTIONS[action]
    if campaign.status not in statuses:
        messages.error(
            request,
            f"{label} isn't possible now: this campaign is "
            f"{campaign.get_status_display().lower()}.",
        )
        return redirect("newsletter_campaigns:report", pk=pk)
    try:
        with LogContext(user=request.user):
            run_action(action, campaign, request.user)
    except SendRefused as error:
        messages.error(request, str(error))
    except Exception as error:
        logger.exception("%s of campaign %s failed", action, pk)
        messages.error(request, f"{label} didn't work: {error}")
    else:
        messages.success(request, done)
    return redirect("newsletter_campaigns:report", pk=pk)


class CampaignViewSet(ViewSet):
    """The Campaigns menu item and its pages, under /admin/newsletter/campaigns/."""

    name = "newsletter_campaigns"
    url_prefix = "newsletter/campaigns"
    icon = "mail"
    menu_label = "Campaigns"
    menu_name = "newsletter-campaigns"
    menu_order = 251  # just below the Newsletter menu
    add_to_admin_menu = True
    menu_item_class = CampaignsMenuItem

    def get_urlpatterns(self):
        return [
            path("", CampaignIndexView.as_view(), name="index"),
            path("<int:pk>/", CampaignReportView.as_view(), name="report"),
            path("<int:pk>/progress/", progress, name="progress"),
            path("<int:pk>/<str:action>/", act, name="act"),
        ]
