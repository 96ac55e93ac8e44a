"""Newsletter > Issues: every issue, newest date first, with where it stands (draft, ready,
scheduled, sent...), its stories, who it goes to, and the next thing to do with it.

One page of 50 issues costs the same number of queries whatever it holds: the issues with
their recipients, the statuses in bulk (``newsletter.issues.status``), and the readers of
each list they go to counted together.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from newsletter.issues.status import day_word, issue_statuses
from newsletter.models import IssueIndexPage, IssuePage, IssueStory, Segment, Subscriber
from newsletter.rules import STORIES_PER_ISSUE
from newsletter.views.campaigns import may_send_issues

PER_PAGE = 50


def new_issue_url():
    """Wagtail's "add a daily issue" page under the archive, or None without an archive."""
    index = IssueIndexPage.objects.order_by("path").only("pk").first()
    if index is None:
        return None
    return reverse("wagtailadmin_pages:add", args=["newsletter", "issuepage", index.pk])


def reader_counts(recipients):
    """{recipients pk: readers receiving today} for wagtail-newsletter ``NewsletterRecipients``:
    lists counted in one query, each segment (rare) in one more."""
    lists = {r.pk: r.audience for r in recipients if not r.segment}
    segments = {r.pk: r.segment for r in recipients if r.segment}
    counts = {}
    list_ids = [int(a) for a in set(lists.values()) if str(a).isdigit()]
    if list_ids:
        per_list = dict(
            Subscriber.objects.receiving()
            .filter(lists__in=list_ids)
            .values_list("lists")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        for pk, audience in lists.items():
            counts[pk] = per_list.get(int(audience), 0) if str(audience).isdigit() else None
    segment_ids = [int(s) for s in set(segments.values()) if str(s).isdigit()]
    chosen_segments = Segment.objects.filter(pk__in=segment_ids).select_related("mailing_list")
    found = {s.pk: s for s in chosen_segments}
    for pk, segment in segments.items():
        chosen = found.get(int(segment)) if str(segment).isdigit() else None
        counts[pk] = chosen.member_count() if chosen else None
    return counts


def story_counts(issue_ids):
    rows = (
        IssueStory.objects.filter(page_id__in=issue_ids)
        .values_list("page_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


class IssueRow:
    def __init__(self, issue, status, stories, readers, today):
        self.issue, self.status, self.stories = issue, status, stories
        self.day = day_word(issue.issue_date, today)
        self.edit_url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
        self.review_url = reverse("newsletter_review:review", args=[issue.pk])
        self.report_url = (
            reverse("newsletter_campaigns:report", args=[status.campaign.pk])
            if status.sent
            else None
        )
        recipients = issue.newsletter_recipients
        self.recipients = recipients.name if recipients else None
        if status.sent:
            self.readers = status.campaign.recipient_count
        else:
            self.readers = readers.get(recipients.pk) if recipients else None


class IssueListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "newsletter/admin/issue_list.html"
    header_icon = "mail"
    page_title = "Issues"

    def dispatch(self, request, *args, **kwargs):
        if not may_send_issues(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        issues = (
            IssuePage.objects.select_related("newsletter_recipients")
            .only(
                "pk",
                "title",
                "issue_date",
                "live",
                "has_unpublished_changes",
                "newsletter_recipients",
            )
            .order_by("-issue_date", "-pk")
        )
        page = Paginator(issues, PER_PAGE).get_page(self.request.GET.get("p"))
        shown = list(page.object_list)
        statuses = issue_statuses(shown)
        stories = story_counts([issue.pk for issue in shown])
        readers = reader_counts({i.newsletter_recipients for i in shown if i.newsletter_recipients})
        today = timezone.localdate()
        rows = [
            IssueRow(issue, statuses[issue.pk], stories.get(issue.pk, 0), readers, today)
            for issue in shown
        ]
        return super().get_context_data(
            issues=page,
            rows=rows,
            needed=STORIES_PER_ISSUE,
            new_issue_url=new_issue_url(),
            **kwargs,
        )


class IssuesMenuItem(MenuItem):
    def is_shown(self, request):
        return may_send_issues(request.user)


class IssuesViewSet(ViewSet):
    """Newsletter > Issues, under /admin/newsletter/issues/."""

    name = "newsletter_issues"
    url_prefix = "newsletter/issues"
    icon = "mail"
    menu_label = "Issues"
    menu_name = "newsletter-issues"
    menu_order = 0
    menu_item_class = IssuesMenuItem

    def get_urlpatterns(self):
        return [path("", IssueListView.as_view(), name="index")]
