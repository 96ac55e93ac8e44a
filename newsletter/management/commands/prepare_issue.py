"""``manage.py prepare_issue [--date YYYY-MM-DD]``: tomorrow's issue as a draft to edit.

Creates the draft ``IssuePage`` for the day (tomorrow by default) under the issue archive,
as the worker does at ``NEWSLETTER_PREPARE_AT`` (``newsletter.issues.preparing.prepare_draft``):
the ten most recent live articles that the issue before it doesn't hold, newest first, and the
default readers as recipients. It prints the admin address where an editor reorders, rewrites
and publishes it. Running it again for a day that already has an issue changes nothing. For
those who prefer cron to the worker's hour (then set ``NEWSLETTER_PREPARE_AT = None``).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from newsletter.issues.preparing import issue_index, prepare_draft
from newsletter.models import IssuePage
from newsletter.rules import STORIES_PER_ISSUE


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23."
        ) from None


def edit_url(page):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailadmin_pages:edit", args=[page.pk]
    )


class Command(BaseCommand):
    help = (
        "Create the draft issue for tomorrow (or --date), filled with the ten most recent "
        "live articles not in the issue before it and addressed to the sign-up list's "
        "readers, and print its admin address. Does nothing if the day has an issue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=parse_date,
            default=None,
            help="The day of the issue, YYYY-MM-DD (default: tomorrow).",
        )

    def handle(self, *args, date=None, **options):
        issue_date = date or timezone.localdate() + datetime.timedelta(days=1)
        existing = IssuePage.objects.filter(issue_date=issue_date).first()
        if existing is not None:
            self.stdout.write(
                f"The issue of {issue_date} already exists ({existing.story_count_label} "
                f"stories); nothing changed.\nEdit it at {edit_url(existing)}"
            )
            return
        index = issue_index()
        if index is None:
            raise CommandError(
                "There is no issue archive page to put the issue under. In the admin, add an "
                '"Issue archive" page under the home page (or run seed_demo), then try again.'
            )
        issue = prepare_draft(index, issue_date)
        found = issue.stories.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the draft issue of {issue_date} with {issue.story_count_label} stories."
            )
        )
        if found < STORIES_PER_ISSUE:
            self.stdout.write(
                f"Only {found} live articles were found that the issue before it doesn't "
                f"hold: add {STORIES_PER_ISSUE - found} more before sending."
            )
        self.stdout.write(f"Edit it at {edit_url(issue)}")
