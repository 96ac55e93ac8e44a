"""The report pages' tables: columns in editors' words, the same rows shown on the page and
downloaded as CSV (``?format=csv&table=<name>``)."""

import csv
import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format

from newsletter.engagement.charts import percent


def index_text(index):
    return "-" if index is None else f"{index:.2f}x"


def show(kind, value):
    """The value as the page shows it."""
    if value is None:
        return "-"
    if kind == "pct":
        return percent(value)
    if kind == "index":
        return index_text(value)
    if kind == "int":
        return f"{value:,}"
    if kind == "date":
        return date_format(value, "D j M Y")
    if kind == "hour":
        return date_format(timezone.localtime(value), "H:i")
    return str(value)


def raw(kind, value):
    """The value as the CSV file has it: plain numbers (rates as fractions), ISO dates."""
    if value is None:
        return ""
    if kind == "pct":
        return f"{value:.4f}"
    if kind == "index":
        return f"{value:.3f}"
    if kind == "hour":
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class Table:
    """``columns``: (heading, key, kind); ``rows``: dicts (a key may be "a.b" for nested)."""

    def __init__(self, name, caption, columns, rows):
        self.name, self.caption, self.columns, self.rows = name, caption, columns, rows

    @staticmethod
    def get(row, key):
        for part in key.split("."):
            row = row.get(part) if isinstance(row, dict) else None
        return row

    @property
    def headings(self):
        return [heading for heading, _key, _kind in self.columns]

    @property
    def cells(self):
        """The rows as the page shows them: [(text, is_number), ...]."""
        return [
            [
                (show(kind, self.get(row, key)), kind in ("int", "pct", "index"))
                for _heading, key, kind in self.columns
            ]
            for row in self.rows
        ]

    def csv_response(self, filename):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{self.name}.csv"'
        writer = csv.writer(response)
        writer.writerow(self.headings)
        for row in self.rows:
            writer.writerow([raw(kind, self.get(row, key)) for _h, key, kind in self.columns])
        return response


STORY_ROLES = (
    ("headline", "Headline"),
    ("image", "Photo"),
    ("read-more", '"Read the story"'),
    ("source", "Source link"),
    ("related", "Related story"),
    ("text", "Plain-text email"),
)


def story_table(report):
    columns = [
        ("Rank", "rank", "int"),
        ("Story", "headline", "text"),
        ("Readers who clicked", "clicks.human_unique", "int"),
        ("Click rate", "rate", "pct"),
        ("Clicks by people", "clicks.human", "int"),
        ("All clicks, bots included", "clicks.raw", "int"),
        ("Share of the issue's clicks", "share", "pct"),
        *[(f"{label} clicks", f"by_role.{role}", "int") for role, label in STORY_ROLES],
        ("Usual rate for the position", "usual_rate", "pct"),
        ("Position index", "position_index", "index"),
        ("Section", "section", "text"),
        ("Photo credit", "credit", "text"),
        ("Address", "url", "text"),
    ]
    rows = [
        {**story, "by_role": {role: story["by_role"].get(role, 0) for role, _ in STORY_ROLES}}
        for story in report["stories"]
    ]
    return Table("stories", "The ten stories", columns, rows)


def hours_table(report):
    columns = [
        ("Hour starting", "hour", "hour"),
        ("Hours after sending", "since_send", "int"),
        ("Clicks by people", "human", "int"),
        ("All clicks, bots included", "raw", "int"),
    ]
    return Table("hours", "Clicks in the first 24 hours", columns, report["per_hour"])


def curve_table(curve):
    columns = [
        ("Rank", "rank", "int"),
        ("Usual click rate (median)", "median_rate", "pct"),
        ("Issues counted", "issues", "int"),
    ]
    return Table("positions", "Usual click rate by position", columns, curve)


def board_table(key, label, rows):
    columns = [
        (label, "name", "text"),
        ("Stories", "stories", "int"),
        ("Stories with an index", "scored", "int"),
        ("Mean position index", "mean_index", "index"),
        ("Beat their slot", "beat_their_slot", "int"),
    ]
    return Table(f"by-{key}", f"By {label.lower()}", columns, rows)


def beat_table(stories):
    columns = [
        ("Issue", "date", "date"),
        ("Rank", "rank", "int"),
        ("Story", "headline", "text"),
        ("Click rate", "rate", "pct"),
        ("Usual rate for the position", "usual_rate", "pct"),
        ("Position index", "position_index", "index"),
    ]
    return Table("beat-their-slot", "Stories that beat their slot this week", columns, stories)


def growth_tables(report):
    days = Table(
        "days",
        "Subscribers day by day",
        [
            ("Day", "date", "date"),
            ("Confirmed", "confirmed", "int"),
            ("Unsubscribed", "unsubscribed", "int"),
            ("Bounced", "bounced", "int"),
            ("Complained", "complained", "int"),
            ("Net change", "net", "int"),
            ("Active at the end of the day", "active", "int"),
        ],
        report["days"],
    )
    pages = Table(
        "pages",
        "Where sign-ups came from",
        [("Page", "page", "text"), ("Sign-ups", "signups", "int")],
        report["pages"],
    )
    return [days, pages]
