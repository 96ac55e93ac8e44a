"""``manage.py send_issue [--date YYYY-MM-DD]``: send a day's issue, as the Send button does.

The same code path as the Newsletter tab (``newsletter.sending.orchestration.send_issue_now``):
the issue is frozen into its snapshot, its recipients into delivery rows, and the task worker
(``manage.py db_worker``) sends them. Exits with an error, and sends nothing, when the issue
can't be sent: no issue that day, not ready (e.g. not ten stories), or already sent. What is
sent is the published issue: a newer draft is not sent, and the command says so.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletter.models import IssuePage
from newsletter.sending.orchestration import SendRefused, send_issue_now


def issue_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a day like 2026-11-23, not {value!r}.") from None


class Command(BaseCommand):
    help = "Send a day's issue (today's unless --date is given) to its subscribers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=issue_date,
            default=None,
            help="The issue's day, e.g. 2026-11-23 (default: today, in TIME_ZONE)",
        )

    def handle(self, *args, date=None, **options):
        day = date or timezone.localdate()
        issue = IssuePage.objects.filter(issue_date=day).first()
        if issue is None:
            raise CommandError(
                f"There is no issue for {day.isoformat()}. Create it in the admin (or with "
                "manage.py prepare_issue), publish it, then send it."
            )
        try:
            campaign = send_issue_now(issue)
        except SendRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Sending “{campaign.subject}” to {campaign.recipient_count} subscribers "
                f"(campaign {campaign.pk}). The task worker (manage.py db_worker) sends it; "
                "follow it on the campaign's report page in the admin."
            )
        )
        if campaign.status_note:  # e.g. a newer draft that is not published, so not sent
            self.stderr.write(self.style.WARNING(campaign.status_note))
