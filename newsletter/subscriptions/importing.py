"""Import subscribers from a CSV file: the admin's upload and ``manage.py import_subscribers``.

- The first row names the columns. ``email`` is required; ``status``, ``source``,
  ``created_at``, ``consent_at``, ``consent_url`` and ``consent_text`` are read when present
  (Mailchimp's export names, such as "Email Address", OPTIN_TIME and CONFIRM_TIME, work too);
  other columns are ignored, so our own CSV export imports back as it is.
- A missing status means active: a list brought from elsewhere is people who already agreed.
  Consent times are kept as given. No email is sent to anyone.
- Rows for the same address (in any letter case) are merged into one subscriber.
- An address already on file keeps its record and joins the list; the file may only move it
  *away* from receiving mail (to unsubscribed, bounced, complained), or from pending to active.
  An import never brings back someone who left, and the report counts those it kept out
  (the rules are ``newsletter.subscriptions.consent``'s).
- Addresses erased at the owner's request are skipped (``Suppression``).
- All or nothing: any invalid row and nothing is imported; every problem is reported with
  its row number. ``skip_invalid`` imports the valid rows and reports the rest.
- Built for 100,000 rows: one pass to check, queries in batches, ``bulk_create``, one
  transaction.
"""

import csv
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from newsletter.addresses import clean_email, email_hash
from newsletter.models import Subscriber, Suppression
from newsletter.subscriptions.consent import Actor, brings_back, status_after
from newsletter.subscriptions.exporting import unguard

Status = Subscriber.Status
BATCH = 500
COLUMNS = {
    "email": "email",
    "email_address": "email",
    "e_mail": "email",
    "address": "email",
    "status": "status",
    "member_status": "status",
    "source": "source",
    "created_at": "created_at",
    "signed_up": "created_at",
    "optin_time": "created_at",
    "consent_at": "consent_at",
    "consent_time": "consent_at",
    "consent_given": "consent_at",
    "confirm_time": "consent_at",
    "confirmed_at": "consent_at",
    "consent_url": "consent_url",
    "where_consent_was_given": "consent_url",
    "consent_text": "consent_text",
    "wording_agreed_to": "consent_text",
}
STATUSES = {
    **{status: status for status in Status.values},
    "subscribed": Status.ACTIVE,
    "cleaned": Status.BOUNCED,
    "spam": Status.COMPLAINED,
}
LIMITS = {"consent_url": 500, "consent_text": 2000}


class ImportFileError(Exception):
    """The file as a whole can't be read (e.g. no email column)."""


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    suppressed: int = 0
    kept_out: int = 0  # on file, left (unsubscribed, bounced, complained), the file says back
    errors: list = field(default_factory=list)  # (row number, reason)
    dry_run: bool = False
    imported: bool = False

    @property
    def valid(self):
        return self.rows - self.duplicates - len(self.errors)

    def summary(self):
        verb = "would be" if self.dry_run else "were"
        parts = [
            f"{self.rows} rows read",
            f"{self.created} new subscribers {verb} added",
            f"{self.updated} existing ones {verb} updated",
            f"{self.unchanged} were already on file",
            f"{self.duplicates} duplicate rows merged",
        ]
        if self.suppressed:
            parts.append(f"{self.suppressed} erased addresses skipped")
        if self.kept_out:
            parts.append(
                f"{self.kept_out} who had left "
                f"{'would not be' if self.dry_run else 'were not'} brought back: "
                "only the reader can subscribe again, from the sign-up form"
            )
        if self.errors:
            parts.append(f"{len(self.errors)} invalid rows")
        return "; ".join(parts) + "."


def _header(name):
    key = "_".join(str(name or "").strip().lower().replace("-", " ").split())
    return COLUMNS.get(key)


def _moment(value, label, now):
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None and (day := parse_date(value)) is not None:
        moment = datetime.datetime.combine(day, datetime.time.min)
    if moment is None:
        raise ValidationError(
            f'{label} "{value[:40]}" isn\'t a date: use 2026-01-31 or 2026-01-31 08:00.'
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + datetime.timedelta(days=1):
        raise ValidationError(f'{label} "{value[:40]}" is in the future.')
    return moment


def _parse_row(raw, now):
    """A dict of model fields for one row, or ``ValidationError`` saying what's wrong."""
    row = {key: unguard((value or "").strip()) for key, value in raw.items() if key}
    email = clean_email(row.get("email", ""))
    status = STATUSES.get(row.get("status", "").lower() or Status.ACTIVE)
    if status is None:
        raise ValidationError(
            f'Unknown status "{row["status"][:40]}": use active, pending, unsubscribed, '
            "bounced or complained."
        )
    source = row.get("source", "").lower() or Subscriber.Source.IMPORT
    if source not in Subscriber.Source.values:
        source = Subscriber.Source.IMPORT
    for name, limit in LIMITS.items():
        if len(row.get(name, "")) > limit:
            raise ValidationError(f"{name} is longer than {limit} characters.")
    return {
        "email": email,
        "status": status,
        "source": source,
        "created_at": _moment(row.get("created_at"), "created_at", now),
        "consent_at": _moment(row.get("consent_at"), "consent_at", now),
        "consent_url": row.get("consent_url", ""),
        "consent_text": row.get("consent_text", ""),
    }


def _status_after(current, incoming):
    """What the file may do to a status (``newsletter.subscriptions.consent``): move it away from
    receiving, or confirm a pending one; never bring back someone who left."""
    return status_after(current, incoming, Actor.IMPORT)


def _merge(first, later):
    """Two rows for one address: the stronger status, the earliest times, first text."""
    first["status"] = _status_after(first["status"], later["status"])
    for name in ("created_at", "consent_at"):
        times = [moment for moment in (first[name], later[name]) if moment]
        first[name] = min(times) if times else None
    for name in ("consent_url", "consent_text"):
        first[name] = first[name] or later[name]


def read_rows(lines, report):
    """Check every row of the CSV text ``lines``; return ``{email: fields}``."""
    reader = csv.reader(lines)
    header = next(reader, None)
    names = [_header(name) for name in (header or [])]
    if "email" not in names:
        raise ImportFileError(
            'The first row must name the columns and one must be "email", '
            'e.g. "email,status,consent_at".'
        )
    now = timezone.now()
    rows = {}
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        report.rows += 1
        try:
            fields = _parse_row(dict(zip(names, values, strict=False)), now)
        except ValidationError as error:
            report.errors.append((number, " ".join(error.messages)))
            continue
        if fields["email"] in rows:
            report.duplicates += 1
            _merge(rows[fields["email"]], fields)
        else:
            rows[fields["email"]] = fields
    return rows


def _batches(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _new_subscriber(fields, now):
    subscriber = Subscriber(**fields, status_reason="imported")
    subscriber.created_at = fields["created_at"] or now
    if subscriber.status == Status.ACTIVE:
        subscriber.confirmed_at = fields["consent_at"] or subscriber.created_at
    elif subscriber.status == Status.UNSUBSCRIBED:
        subscriber.unsubscribed_at = now
    return subscriber


def _changes_needed(status, consent_at, fields):
    return _status_after(status, fields["status"]) != status or (
        consent_at is None and fields["consent_at"] is not None
    )


def _update_existing(subscriber, fields, now):
    """Apply what the file may change to a subscriber already on file."""
    status = _status_after(subscriber.status, fields["status"])
    if status != subscriber.status:
        subscriber.status = status
        subscriber.status_reason = "imported"
        if status == Status.ACTIVE:
            subscriber.confirmed_at = fields["consent_at"] or now
        elif status == Status.UNSUBSCRIBED:
            subscriber.unsubscribed_at = now
    if not subscriber.consent_at and fields["consent_at"]:
        subscriber.consent_at = fields["consent_at"]
        subscriber.consent_url = subscriber.consent_url or fields["consent_url"]
        subscriber.consent_text = subscriber.consent_text or fields["consent_text"]
    subscriber.updated_at = now


UPDATE_FIELDS = [
    "status",
    "status_reason",
    "confirmed_at",
    "unsubscribed_at",
    "consent_at",
    "consent_url",
    "consent_text",
    "updated_at",
]


def _save(rows, mailing_lists, report):
    now = timezone.now()
    hashes = {email_hash(email): email for email in rows}
    for batch in _batches(hashes):
        for found in Suppression.objects.filter(email_hash__in=batch).values_list(
            "email_hash", flat=True
        ):
            del rows[hashes[found]]
            report.suppressed += 1
    existing = {}  # address: (pk, status, consent_at), read as plain values: cheap
    for batch in _batches(rows):
        found = (
            Subscriber.objects.alias(address=Lower("email")).filter(address__in=batch).order_by()
        )
        for pk, email, status, consent_at in found.values_list(
            "pk", "email", "status", "consent_at"
        ):
            existing[email.lower()] = (pk, status, consent_at)
    report.kept_out = sum(
        brings_back(status, rows[email]["status"]) for email, (_, status, _) in existing.items()
    )
    created = [
        _new_subscriber(fields, now) for email, fields in rows.items() if email not in existing
    ]
    Subscriber.objects.bulk_create(created, batch_size=BATCH)
    to_change = [
        pk
        for email, (pk, status, consent_at) in existing.items()
        if _changes_needed(status, consent_at, rows[email])
    ]
    changed = []
    for batch in _batches(to_change):
        for subscriber in Subscriber.objects.filter(pk__in=batch):
            _update_existing(subscriber, rows[subscriber.email.lower()], now)
            changed.append(subscriber)
    Subscriber.objects.bulk_update(changed, UPDATE_FIELDS, batch_size=BATCH)
    report.created, report.updated = len(created), len(changed)
    report.unchanged = len(existing) - len(changed)
    Membership = Subscriber.lists.through
    ids = [subscriber.pk for subscriber in created] + [pk for pk, _, _ in existing.values()]
    Membership.objects.bulk_create(
        [
            Membership(subscriber_id=pk, mailinglist_id=mailing_list.pk)
            for pk in ids
            for mailing_list in mailing_lists
        ],
        batch_size=BATCH * 2,
        ignore_conflicts=True,
    )


class _DryRun(Exception):
    pass


def import_subscribers(lines, *, mailing_lists=(), skip_invalid=False, dry_run=False):
    """Import CSV text (any iterable of lines); return an ``ImportReport``.

    Raises ``ImportFileError`` if the file has no email column.
    """
    report = ImportReport(dry_run=dry_run)
    rows = read_rows(lines, report)
    if report.errors and not skip_invalid:
        return report
    try:
        with transaction.atomic():
            _save(rows, list(mailing_lists), report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    except IntegrityError:
        report.errors.append(
            (
                0,
                "Someone signed up with an address from the file while it "
                "was importing. Nothing was imported: please run it again.",
            )
        )
        return report
    report.imported = True
    return report


def decode(data):
    """Text from uploaded bytes: UTF-8 (with or without Excel's BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
