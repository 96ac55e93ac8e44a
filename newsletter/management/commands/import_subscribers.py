"""manage.py import_subscribers FILE.csv [--list daily] [--dry-run] [--skip-invalid]"""

import io
import time

from django.core.management.base import BaseCommand, CommandError

from newsletter.models import MailingList
from newsletter.subscriptions import importing

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV file whose first row names the columns (email is "
        "required; status, source, created_at, consent_at, consent_url, consent_text are "
        "read). Nothing is imported if any row is invalid, unless --skip-invalid. "
        "Nobody is emailed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file, UTF-8 (Excel's BOM is fine)")
        parser.add_argument(
            "--list",
            dest="lists",
            action="append",
            metavar="SLUG",
            help='everyone joins this list (default "daily"); repeatable',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, changing nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows even if some are invalid",
        )

    def handle(self, *args, file, lists, dry_run, skip_invalid, **options):
        slugs = lists or ["daily"]
        mailing_lists = list(MailingList.objects.filter(slug__in=slugs))
        if missing := set(slugs) - {mailing_list.slug for mailing_list in mailing_lists}:
            known = ", ".join(MailingList.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No list called {', '.join(sorted(missing))} (lists: {known}).")
        started = time.monotonic()
        try:
            with open(file, "rb") as handle:
                text = importing.decode(handle.read())
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error.strerror}") from None
        try:
            report = importing.import_subscribers(
                io.StringIO(text, newline=""),
                mailing_lists=mailing_lists,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
            )
        except importing.ImportFileError as error:
            raise CommandError(str(error)) from None
        for row, reason in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(f"row {row}: {reason}" if row else reason)
        if len(report.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... {len(report.errors) - MAX_ERRORS_SHOWN} more problems")
        seconds = time.monotonic() - started
        self.stdout.write(f"{report.summary()} ({seconds:.1f}s)")
        if report.imported:
            self.stdout.write(self.style.SUCCESS("Imported."))
        elif dry_run and not report.errors:
            self.stdout.write("Dry run: nothing was changed.")
        else:
            raise CommandError("Nothing was imported.")
