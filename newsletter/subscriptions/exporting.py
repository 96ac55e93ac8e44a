"""CSV export of subscribers (the admin's download and ``manage.py export_subscribers``).

The columns are the ones ``importing`` reads, so an export imports back as it is.
Cells that a spreadsheet would run as a formula (starting with = + - @) get a leading
apostrophe; the import takes it off again.
"""

import csv
import datetime

from django.db.models import Prefetch

from newsletter.models import MailingList

COLUMNS = [
    "email",
    "status",
    "source",
    "lists",
    "created_at",
    "confirmed_at",
    "unsubscribed_at",
    "consent_at",
    "consent_url",
    "consent_text",
    "paused",
    "paused_until",
    "status_reason",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard(text):
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguard(text):
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def cell(value):
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return guard(str(value))


def row(subscriber):
    values = {name: getattr(subscriber, name, None) for name in COLUMNS}
    values["lists"] = " ".join(mailing_list.slug for mailing_list in subscriber.lists.all())
    return [cell(values[name]) for name in COLUMNS]


class _Line:
    """A file-like object for ``csv.writer`` that hands back each line it is given."""

    def write(self, line):
        return line


def csv_lines(queryset, chunk_size=2000):
    """Yield the CSV text line by line, reading subscribers in chunks (for streaming)."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    subscribers = queryset.prefetch_related(
        Prefetch("lists", queryset=MailingList.objects.only("slug"))
    ).iterator(chunk_size=chunk_size)
    for subscriber in subscribers:
        yield writer.writerow(row(subscriber))
