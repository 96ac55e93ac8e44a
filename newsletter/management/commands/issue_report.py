"""``manage.py issue_report YYYY-MM-DD [--json]``: what readers did with a sent issue.

The same figures as the admin's issue report (``newsletter.engagement.reports``): deliveries,
readers who clicked, clicks by people and all clicks (bots included), then the ten stories in
rank order with their clicks and position index. ``--json`` prints them as one JSON object,
e.g. for a spreadsheet or a script. A day with no sent issue is an error (exit status 1).
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from newsletter.engagement.reports import issue_report
from newsletter.models import IssueSnapshot


def issue_day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"The date must be a day like 2026-11-23, not {value!r}.") from None


def as_json(report):
    """The report as JSON-ready data: the fields the issue names, and more."""
    return {
        "date": report["date"].isoformat(),
        "subject": report["subject"],
        "sent_at": report["sent_at"].isoformat(),
        "delivered": report["delivered"],
        "clicks": report["clicks"],
        "click_rate": report["click_rate"],
        "suspect_clicks": report["suspect"],
        "unsubscribed": report["unsubscribed"],
        "complained": report["complained"],
        "seconds_to_first_click": (
            report["time_to_first_click"].total_seconds() if report["time_to_first_click"] else None
        ),
        "position_index_basis": report["basis"],
        "opens_estimate": report["opens"],
        "stories": [
            {
                "rank": story["rank"],
                "title": story["headline"],
                "url": story["url"],
                "section": story["section"],
                "credit": story["credit"],
                "clicks": story["clicks"],
                "click_rate": story["rate"],
                "share": story["share"],
                "by_role": story["by_role"],
                "usual_rate": story["usual_rate"],
                "position_index": story["position_index"],
            }
            for story in report["stories"]
        ],
        "per_hour": [
            {"hour": hour["hour"].isoformat(), "human": hour["human"], "raw": hour["raw"]}
            for hour in report["per_hour"]
        ],
    }


def number(value):
    return "-" if value is None else str(value)


class Command(BaseCommand):
    help = "Print the report of the issue sent on a day (YYYY-MM-DD); --json for JSON."

    def add_arguments(self, parser):
        parser.add_argument("date", type=issue_day, help="The issue's day, e.g. 2026-11-23")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args, date, json=False, **options):
        snapshot = IssueSnapshot.objects.filter(issue_date=date).first()
        if snapshot is None:
            raise CommandError(f"No issue was sent on {date.isoformat()}.")
        report = issue_report(snapshot)
        if json:
            self.stdout.write(dumps(as_json(report)))
            return
        clicks = report["clicks"]
        self.stdout.write(f"{report['subject']} ({report['date']})")
        self.stdout.write(
            f"Delivered {report['delivered']}; readers who clicked "
            f"{number(clicks['human_unique'])}; clicks by people {clicks['human']}; "
            f"all clicks, bots included {clicks['raw']}."
        )
        for story in report["stories"]:
            index = story["position_index"]
            self.stdout.write(
                f"{story['rank']:>2}. {story['headline'][:60]:<60} "
                f"readers {number(story['clicks']['human_unique']):>6} "
                f"people {story['clicks']['human']:>6} all {story['clicks']['raw']:>6} "
                f"index {'-' if index is None else f'{index:.2f}'}"
            )


def dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
