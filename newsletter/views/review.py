"""The issue's "Review and send" step: what the inbox will show (sender, subject, preheader),
the date the issue is for, its readers and every problem, each with what to do; then a test,
Send now, Publish and send, or Schedule.

Thin: what blocks a send is ``rules.sending_problems``, what needs a second look is
``rules.sending_warnings``, and sending, scheduling and the test go through
``newsletter.sending``, which also makes sure an issue is sent once.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogContext, log

from newsletter import rules
from newsletter.issues.inbox import inbox_view
from newsletter.issues.rendering import freeze_issue
from newsletter.models import Campaign, IssuePage
from newsletter.sending.deadline import before_send
from newsletter.sending.orchestration import SendRefused, send_issue_now, send_test
from newsletter.sending.recipients import NoAudience, audience_of, members_of
from newsletter.sending.scheduling import schedule

logger = logging.getLogger(__name__)

CONFIRM_FIELD = "confirm_date"


def readers(count):
    return f"{count:,} reader{'' if count == 1 else 's'}"


def audience(issue):
    """``(name, count, problem)`` of the readers the issue would go to."""
    recipients = getattr(issue, "newsletter_recipients", None)
    try:
        audience_id, segment = audience_of(Campaign(issue=issue), issue)
    except NoAudience as error:
        return None, 0, str(error)
    count = members_of(audience_id, segment).count()
    name = str(recipients) if recipients else "Daily readers"
    problem = "" if count else "Nobody would get this issue: its list has no readers yet."
    return name, count, problem


def remember(issue, campaign):
    """The issue's Newsletter tab shows this campaign's status and report from now on (the
    campaign id lives on the page row, never in a revision)."""
    IssuePage.objects.filter(pk=issue.pk).update(newsletter_campaign=str(campaign.pk))


class ReviewView(WagtailAdminTemplateMixin, TemplateView):
    """GET shows the review; POST ``action`` = test, send, publish_send or schedule."""

    template_name = "newsletter/admin/review.html"
    header_icon = "mail"
    page_title = "Review and send"

    def dispatch(self, request, *args, **kwargs):
        self.issue = get_object_or_404(IssuePage, pk=kwargs["pk"])
        if not self.issue.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.issue.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.issue.pk]),
                "label": str(self.issue),
            },
            {"url": "", "label": self.page_title},
        ]

    def facts(self):
        issue = self.issue
        version = rules.version_to_send(issue)
        started = (
            Campaign.objects.filter(issue_id=issue.pk, snapshot__isnull=False)
            .order_by("-started_at")
            .first()
        )
        name, count, audience_problem = audience(version)
        problems = [] if started else rules.sending_problems(version)
        unpublished = bool(issue.live and rules.draft_differs(issue))
        if audience_problem and not started:
            problems.append(audience_problem)
        return {
            "issue": issue,
            "inbox": inbox_view(version),
            "for_date": issue.issue_date,
            "date_words": rules.date_words(issue.issue_date, timezone.localdate()),
            "recipients_name": name,
            "recipients_count": count,
            "readers": readers(count),
            "problems": problems,
            "warnings": rules.sending_warnings(issue.issue_date, timezone.localdate()),
            # Sent now, would the last reader get it by the issue's "delivered by" time?
            "projection": None if started or not count else before_send(version, count),
            "unpublished": unpublished,
            "draft_only": not issue.live,
            "started": started,
            "report_url": reverse("newsletter_campaigns:report", args=[started.pk])
            if started
            else "",
            "edit_url": reverse("wagtailadmin_pages:edit", args=[issue.pk]),
            "preview_url": reverse("wagtailadmin_pages:view_draft", args=[issue.pk])
            + "?mode=newsletter",
            "confirm_field": CONFIRM_FIELD,
            "test_email": self.request.user.email,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.facts(), **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        handler = {
            "test": self.send_test,
            "send": self.send_now,
            "publish_send": self.publish_and_send,
            "schedule": self.schedule,
        }.get(action)
        if handler is None:
            messages.error(request, "Choose what to do: send a test, send now or schedule.")
            return redirect(request.path)
        try:
            with LogContext(user=request.user):
                return handler()
        except SendRefused as error:
            messages.error(request, str(error))
        return redirect(request.path)

    def confirmed(self):
        """Warnings need the box ticked; returns False (with the message) when it isn't."""
        warnings = rules.sending_warnings(self.issue.issue_date, timezone.localdate())
        if warnings and self.request.POST.get(CONFIRM_FIELD) != "yes":
            messages.error(
                self.request,
                warnings[0] + " Tick the box to confirm, or change the issue's date.",
            )
            return False
        return True

    def send_test(self):
        email = request_email = self.request.POST.get("email", "").strip()
        try:
            validate_email(email)
        except Exception:
            messages.error(
                self.request,
                f"{request_email!r} is not an email address: type one, e.g. you@example.com.",
            )
            return redirect(self.request.path)
        issue = self.issue
        source = issue if issue.live else issue.get_latest_revision_as_object()
        send_test(campaign=Campaign(issue=issue), snapshot=freeze_issue(source), email=email)
        messages.success(self.request, f"Test sent to {email}: its subject starts with [Test].")
        return redirect(self.request.path)

    def send_now(self):
        if not self.confirmed():
            return redirect(self.request.path)
        campaign = send_issue_now(self.issue, user=self.request.user)
        remember(self.issue, campaign)
        log(self.issue, "wagtail_newsletter.send_campaign")
        messages.success(
            self.request, f"The issue is on its way to {readers(campaign.recipient_count)}."
        )
        return redirect("newsletter_campaigns:report", pk=campaign.pk)

    def publish_and_send(self):
        if not self.confirmed():
            return redirect(self.request.path)
        latest = self.issue.get_latest_revision_as_object()
        latest.live = True  # judged as it will be once published
        problems = rules.sending_problems(latest)
        if problems:  # nothing is published when it couldn't go out anyway
            raise SendRefused("This issue can't be sent yet: " + " ".join(problems))
        revision = self.issue.get_latest_revision()
        if revision is not None and (not self.issue.live or self.issue.has_unpublished_changes):
            revision.publish(user=self.request.user)
            self.issue = IssuePage.objects.get(pk=self.issue.pk)
        return self.send_now()

    def schedule(self):
        raw = self.request.POST.get("when", "").strip()
        try:
            when = datetime.datetime.fromisoformat(raw)
        except ValueError:
            messages.error(
                self.request, "Choose the date and time to send it, e.g. 2026-12-03 06:00."
            )
            return redirect(self.request.path)
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        problems = rules.sending_problems(rules.version_to_send(self.issue))
        if problems:
            raise SendRefused("This issue can't be scheduled yet: " + " ".join(problems))
        campaign = (
            Campaign.objects.filter(issue_id=self.issue.pk, status=rules.DRAFT)
            .order_by("-created_at")
            .first()
        )
        if campaign is None:
            audience_id, segment = audience_of(Campaign(issue=self.issue), self.issue)
            campaign = Campaign.objects.create(
                issue=self.issue, audience=audience_id, segment=segment
            )
        schedule(campaign, when, user=self.request.user)
        remember(self.issue, campaign)
        log(self.issue, "wagtail_newsletter.schedule_campaign")
        local = timezone.localtime(when)
        messages.success(
            self.request,
            f"Scheduled: it goes out at {format_date(local, 'H:i')} on "
            f"{format_date(local, 'l j F Y')}.",
        )
        return redirect("newsletter_campaigns:report", pk=campaign.pk)


class ReviewViewSet(ViewSet):
    """``reverse("newsletter_review:review", args=[issue.pk])``: no menu item."""

    name = "newsletter_review"
    url_prefix = "newsletter/review"

    def get_urlpatterns(self):
        return [path("<int:pk>/", ReviewView.as_view(), name="review")]
