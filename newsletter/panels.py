"""Admin panels: "7 of 10" on an issue's edit page, and the morning's issue on the dashboard.

Both count what would be sent: the published issue, not a newer draft
(``newsletter.revisions``).

Both only read; neither may break the page it sits on, so a failure is logged and the panel
says less rather than the admin answering with an error.
"""

import logging

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
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


UNPUBLISHED_FORM = ("This form has changes that are not published yet: the published version "
                    "will be sent unless you publish them.")
# How the panel words a campaign that has started: "Sent at 06:02 to 41,210 readers".
STARTED_WORDS = {"sending": "Sending since", "paused": "Paused, started at",
                 "sent": "Sent at", "cancelled": "Cancelled, started at",
                 "failed": "Failed, started at"}


def when(moment):
    """A time as editors read it: "06:02" today, "06:02 on Monday 23 November" otherwise."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, r"H:i \o\n l j F")


def sent_line(issue):
    """``(words, report URL)`` for an issue whose send has started, else None."""
    from newsletter.models import Campaign

    campaign = (Campaign.objects.filter(issue_id=issue.pk, snapshot__isnull=False)
                .order_by("-started_at").first())
    if campaign is None or campaign.status not in STARTED_WORDS:
        return None
    readers = campaign.recipient_count
    words = (f"{STARTED_WORDS[campaign.status]} {when(campaign.started_at)} to {readers:,} "
             f"reader{'' if readers == 1 else 's'}")
    return words, reverse("newsletter_campaigns:report", args=[campaign.pk])


def readiness(form, instance):
    """The panel's facts, all about the version that would be sent
    (``newsletter.revisions``): its story count and problems, a newer draft, and how the
    form differs; once the issue has gone out, when and to how many."""
    from newsletter.campaign_backend import problems_before_sending
    from newsletter.revisions import newer_draft_warning, version_to_send

    if not instance.pk:  # a new issue: the form is what will be published
        return {"count": count_stories(form, instance), "follows_form": True}
    sent = sent_line(instance)
    if sent:
        return {"sent": sent[0], "report_url": sent[1]}
    version = version_to_send(instance)
    form_count = count_stories(form, instance)
    if not version.live:  # a draft: what it holds is what publishing it would send
        return {"count": form_count, "follows_form": True,
                "problems": problems_before_sending(instance)}
    count = len(version.stories.all())
    return {"count": count, "form_count": form_count, "follows_form": False,
            "problems": problems_before_sending(instance),
            "newer_draft": newer_draft_warning(instance)}


class IssueReadinessPanel(Panel):
    """Read-only: how many of the ten stories the issue that would be sent has, and what
    still stops it going out ("Not published yet", "8 of 10"...); once sent, when and to
    how many readers, with a link to the report."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/admin/campaign_readiness.html"

        def get_context_data(self, parent_context=None):
            from newsletter.models import STORIES_PER_ISSUE

            context = super().get_context_data(parent_context)
            facts = {}
            try:
                facts = readiness(self.form, self.instance)
            except Exception:
                logger.exception("Could not check issue %s", self.instance.pk)
            context.update(count=None, problems=[], needed=STORIES_PER_ISSUE,
                           saved=bool(self.instance.pk), unpublished_form=UNPUBLISHED_FORM,
                           follows_form=True)
            context.update(facts)
            return context


def today_context():
    """Today's issue and its campaign, subscribers, and the last send's report."""
    from newsletter.models import Campaign, IssueIndexPage, IssuePage, Subscriber
    from newsletter.revisions import draft_differs
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
        # The row is the published issue; a draft-only issue is its latest draft.
        version = issue if issue.live else issue.get_latest_revision_as_object()
        campaigns = issue.campaigns.order_by("-started_at", "-created_at")
        campaign = (campaigns.filter(snapshot__isnull=False).first() or campaigns.first())
        context.update(
            issue=issue,
            stories=len(version.stories.all()),
            problems=([] if campaign and campaign.started_at
                      else version.sending_problems()),
            draft_changed=issue.has_unpublished_changes and draft_differs(issue),
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
