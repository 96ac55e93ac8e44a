"""``manage.py roll_up_clicks``: per-reader clicks of issues past the retention period
rolled up into daily counts and deleted (``newsletter.engagement.retention``).

Run it daily (docs/operations.md, "Scheduled jobs"). It prints what it did; a second run the
same day finds nothing more to do.
"""

from django.core.management.base import BaseCommand

from newsletter.conf import setting
from newsletter.engagement.retention import roll_up


def describe(snapshot, done):
    if "late_clicks" in done:
        return (
            f"{snapshot.issue_date}: {done['late_clicks']} late clicks (no reader kept) "
            "added to its daily counts."
        )
    return (
        f"{snapshot.issue_date}: {done['clicks']} clicks rolled up into {done['days']} daily "
        f"counts ({done['readers']} readers clicked); {done['opens']} opens kept without "
        "their reader."
    )


class Command(BaseCommand):
    help = (
        "Roll up the clicks of issues sent more than NEWSLETTER_CLICK_RETENTION_DAYS ago into "
        "daily counts per link, and delete the rows that say which reader clicked."
    )

    def handle(self, *args, **options):
        done = roll_up()
        days = setting("NEWSLETTER_CLICK_RETENTION_DAYS")
        if not done:
            self.stdout.write(
                f"Nothing to roll up: no issue sent over {days} days ago has reader clicks left."
            )
            return
        for snapshot, what in done:
            self.stdout.write(describe(snapshot, what))
