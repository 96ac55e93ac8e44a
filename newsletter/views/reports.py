"""The admin's engagement reports (Newsletter > Reports): the sent issues, one issue's report,
Across issues and Growth. Thin: the figures come from ``newsletter.engagement.reports``; the
charts are SVG drawn on the server, each with a table of the same numbers, and every table
downloads as CSV with ``?format=csv&table=<name>``.

Editors and moderators see them (whoever may publish pages, as for the campaign report);
anyone else gets "permission denied", and a visitor who isn't signed in the login page.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from newsletter.engagement import charts, reports
from newsletter.engagement.leaders import GROUPS
from newsletter.models import IssueSnapshot
from newsletter.views import report_tables as tables
from newsletter.views.campaigns import may_send_issues

PERIODS = (7, 30, 90, 365)


def duration(delta):
    """A time span in words, e.g. "1 hour 5 minutes" or "40 seconds"."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    hours, minutes = divmod(seconds // 60, 60)
    words = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        words.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(words)


def period(request, default):
    """The ``days`` asked for, if it is one of the periods offered."""
    try:
        days = int(request.GET.get("days", default))
    except ValueError:
        return default
    return days if days in PERIODS else default


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"
    filename = "report"

    def dispatch(self, request, *args, **kwargs):
        if not may_send_issues(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_tables(self):
        return []

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            wanted = request.GET.get("table", "")
            for table in self.get_tables():
                if table.name == wanted:
                    return table.csv_response(self.filename)
            raise Http404("No such table in this report.")
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("newsletter_reports:index"), "label": "Reports"},
            {"url": "", "label": self.get_page_title()},
        ]


class SentIssuesView(ReportView):
    """Every sent issue, newest first, each linking to its report."""

    template_name = "newsletter/admin/reports_index.html"
    page_title = "Reports"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "Reports"}]

    def get_context_data(self, **kwargs):
        issues = IssueSnapshot.objects.order_by("-issue_date").only(
            "issue_date", "subject", "sent_at"
        )
        page = Paginator(issues, 30).get_page(self.request.GET.get("p"))
        return super().get_context_data(issues=page, **kwargs)


class IssueReportView(ReportView):
    """One sent issue, story by story."""

    template_name = "newsletter/admin/report_issue.html"

    @cached_property
    def snapshot(self):
        try:
            day = datetime.date.fromisoformat(self.kwargs["day"])
        except ValueError:
            raise Http404("Not a date, e.g. 2026-11-23.") from None
        return get_object_or_404(
            IssueSnapshot.objects.defer("html", "text", "web_html"), issue_date=day
        )

    @cached_property
    def report(self):
        return reports.issue_report(self.snapshot)

    @property
    def filename(self):
        return f"issue-{self.snapshot.issue_date.isoformat()}"

    def get_page_title(self):
        return f"Report: issue of {date_format(self.snapshot.issue_date, 'j F Y')}"

    def get_tables(self):
        return [tables.story_table(self.report), tables.hours_table(self.report)]

    def get_context_data(self, **kwargs):
        report = self.report
        stories, hours = self.get_tables()
        ranks = [str(story["rank"]) for story in report["stories"]]
        key = "human_unique" if report["unique_known"] else "human"
        story_chart = charts.bar_chart(
            "chart-stories",
            "Readers who clicked each story, by rank"
            if report["unique_known"]
            else "Clicks by people on each story, by rank",
            ranks,
            [story["clicks"][key] for story in report["stories"]],
        )
        hour_chart = charts.line_chart(
            "chart-hours",
            "Clicks per hour in the first 24 hours after sending: people (solid line) and "
            "all clicks, bots included (dashed)",
            [str(hour["since_send"]) for hour in report["per_hour"]],
            [
                ("Clicks by people", [hour["human"] for hour in report["per_hour"]]),
                ("All clicks", [hour["raw"] for hour in report["per_hour"]]),
            ],
            every=3,
        )
        beat = [story for story in report["stories"] if (story["position_index"] or 0) > 1]
        return super().get_context_data(
            report=report,
            snapshot=self.snapshot,
            tables=[(stories, story_chart), (hours, hour_chart)],
            beat=beat,
            click_rate=charts.percent(report["click_rate"]),
            first_click=duration(report["time_to_first_click"])
            if report["time_to_first_click"]
            else None,
            campaign_id=getattr(self.snapshot, "campaign", None) and self.snapshot.campaign.pk,
            **kwargs,
        )


class AcrossIssuesView(ReportView):
    """The position curve, the leaderboards and this week's stories that beat their slot."""

    template_name = "newsletter/admin/report_across.html"
    page_title = "Across issues"
    filename = "across-issues"

    @cached_property
    def days(self):
        return period(self.request, 30)

    @cached_property
    def figures(self):
        return reports.position_curve(), reports.leaderboards(days=self.days)

    def get_tables(self):
        curve, boards = self.figures
        return [
            tables.curve_table(curve),
            tables.beat_table(boards["beat_their_slot"]),
            *[
                tables.board_table(key, label, boards["boards"][key])
                for key, label in GROUPS.items()
            ],
        ]

    def get_context_data(self, **kwargs):
        curve, boards = self.figures
        chart = charts.bar_chart(
            "chart-positions",
            "The usual click rate of each position (median of the last 30 issues)",
            [str(row["rank"]) for row in curve],
            [row["median_rate"] for row in curve],
            value_format=charts.percent,
        )
        found = self.get_tables()
        return super().get_context_data(
            curve_table=found[0],
            chart=chart,
            beat_table=found[1],
            boards=found[2:],
            issues=curve[0]["issues"] if curve else 0,
            days=self.days,
            periods=PERIODS,
            stories=boards["stories"],
            **kwargs,
        )


class GrowthView(ReportView):
    """Subscribers over time, where sign-ups came from and how many confirmed."""

    template_name = "newsletter/admin/report_growth.html"
    page_title = "Growth"
    filename = "growth"

    @cached_property
    def days(self):
        return period(self.request, 90)

    @cached_property
    def report(self):
        return reports.growth(days=self.days)

    def get_tables(self):
        return tables.growth_tables(self.report)

    def get_context_data(self, **kwargs):
        report = self.report
        days = report["days"]
        labels = [date_format(row["date"], "j M") for row in days]
        active_chart = charts.line_chart(
            "chart-active",
            f"Active subscribers at the end of each of the last {self.days} days",
            labels,
            [("Active subscribers", [row["active"] for row in days])],
            every=max(len(days) // 6, 1),
        )
        changes_chart = charts.line_chart(
            "chart-changes",
            "Confirmed (solid line) and left: unsubscribed, bounced or complained (dashed), "
            "per day",
            labels,
            [
                ("Confirmed", [row["confirmed"] for row in days]),
                ("Left", [row["confirmed"] - row["net"] for row in days]),
            ],
            every=max(len(days) // 6, 1),
        )
        day_table, page_table = self.get_tables()
        return super().get_context_data(
            report=report,
            charts=[active_chart, changes_chart],
            day_table=day_table,
            page_table=page_table,
            confirmation_rate=charts.percent(report["confirmation_rate"]),
            days=self.days,
            periods=PERIODS,
            **kwargs,
        )


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_send_issues(request.user)


class ReportsViewSet(ViewSet):
    """Newsletter > Reports, under /admin/newsletter/reports/."""

    name = "newsletter_reports"
    url_prefix = "newsletter/reports"
    icon = "table"
    menu_label = "Reports"
    menu_name = "newsletter-reports"
    menu_item_class = ReportsMenuItem

    def get_urlpatterns(self):
        return [
            path("", SentIssuesView.as_view(), name="index"),
            path("issues/<str:day>/", IssueReportView.as_view(), name="issue"),
            path("across/", AcrossIssuesView.as_view(), name="across"),
            path("growth/", GrowthView.as_view(), name="growth"),
        ]
