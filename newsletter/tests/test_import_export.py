"""CSV import (command and plain function), CSV export, round trip, and a large file."""

import io
import time

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from newsletter.factories import MailingListFactory, SubscriberFactory, daily_list
from newsletter.models import Subscriber
from newsletter.subscriptions import exporting, gdpr
from newsletter.subscriptions.importing import import_subscribers

from .conftest import subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


def run(text, **kwargs):
    kwargs.setdefault("mailing_lists", [daily_list()])
    return import_subscribers(io.StringIO(text, newline=""), **kwargs)


def write(tmp_path, text, name="subscribers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_valid_file_imports_with_consent_kept(db):
    report = run(
        "email,status,consent_at,consent_text,created_at\n"
        "Ann@Example.org,active,2025-03-01 08:30,Yes please,2025-02-28\n"
        "bob@example.org,,2025-04-01T10:00:00+02:00,,\n"
        "cat@example.org,unsubscribed,,,\n"
        "dan@example.org,Cleaned,,,\n"
    )
    assert report.imported and not report.errors
    assert (report.rows, report.created) == (4, 4)
    ann = subscriber("ann@example.org")
    assert ann.email == "ann@example.org"
    assert ann.status == Status.ACTIVE and ann.source == Subscriber.Source.IMPORT
    assert ann.consent_at.isoformat() == "2025-03-01T08:30:00+00:00"
    assert ann.consent_text == "Yes please"
    assert ann.created_at.date().isoformat() == "2025-02-28"
    assert ann.confirmed_at == ann.consent_at
    assert subscriber("bob@example.org").consent_at.isoformat() == "2025-04-01T08:00:00+00:00"
    assert subscriber("cat@example.org").status == Status.UNSUBSCRIBED
    assert subscriber("dan@example.org").status == Status.BOUNCED
    assert daily_list().members().count() == 2
    assert mail.outbox == []


def test_duplicates_are_merged_in_the_file_and_with_the_database(db):
    left = SubscriberFactory(email="left@example.org", status=Status.UNSUBSCRIBED)
    pending = SubscriberFactory(email="pending@example.org", status=Status.PENDING, lists=[])
    weekly = MailingListFactory(slug="weekly", name="Weekly")
    report = run(
        "Email Address,OPTIN_TIME\n"
        "dup@example.org,2025-01-02\n"
        "DUP@example.org,2025-01-01\n"
        " dup@example.org ,\n"
        "left@example.org,\n"
        "pending@example.org,\n",
        mailing_lists=[weekly],
    )
    assert report.imported
    assert (report.rows, report.duplicates, report.created, report.updated, report.unchanged) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert Subscriber.objects.with_email("dup@example.org").count() == 1
    assert subscriber("dup@example.org").created_at.date().isoformat() == "2025-01-01"
    left.refresh_from_db()
    assert left.status == Status.UNSUBSCRIBED  # an import never brings anyone back
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE
    assert set(weekly.subscribers.values_list("email", flat=True)) == {
        "dup@example.org",
        "left@example.org",
        "pending@example.org",
    }


def test_an_import_can_suppress_but_never_revive(active):
    run("email,status\nactive@example.org,complained\n")
    assert subscriber("active@example.org").status == Status.COMPLAINED
    run("email,status\nactive@example.org,active\n")
    assert subscriber("active@example.org").status == Status.COMPLAINED


def test_invalid_rows_are_reported_and_nothing_is_imported(db):
    report = run(
        "email,status,consent_at\n"
        "ok@example.org,active,\n"
        "not-an-email,active,\n"
        "\n"
        "x@example.org,maybe,\n"
        "y@example.org,active,31/01/2025\n"
        "z@example.org,active,2999-01-01\n"
        "evil@example.org\r\nBcc: x@example.org,active,\n"
    )
    assert not report.imported
    rows = dict(report.errors)
    assert "like name@example.com" in rows[3]
    assert 'Unknown status "maybe"' in rows[5]
    assert "isn't a date" in rows[6]
    assert "in the future" in rows[7]
    assert not Subscriber.objects.exists()


def test_skip_invalid_imports_the_rest(db):
    report = run("email\nok@example.org\nnope\n", skip_invalid=True)
    assert report.imported and report.created == 1 and report.errors == [(3, report.errors[0][1])]
    assert Subscriber.objects.get().email == "ok@example.org"


def test_a_dry_run_changes_nothing(db):
    report = run("email\na@example.org\nb@example.org\n", dry_run=True)
    assert report.created == 2 and not report.imported
    assert "would be added" in report.summary()
    assert not Subscriber.objects.exists()


def test_erased_addresses_are_not_imported_again(active):
    gdpr.erase(active)
    report = run("email\nACTIVE@example.org\nnew@example.org\n")
    assert report.suppressed == 1 and report.created == 1
    assert not Subscriber.objects.with_email("active@example.org").exists()


def test_the_command(tmp_path, capsys):
    path = write(tmp_path, "\ufeffemail,status\nann@example.org,active\nbad,active\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_subscribers", path)
    assert "row 3: Please enter an email address like name@example.com." in capsys.readouterr().err
    call_command("import_subscribers", path, "--skip-invalid", "--list", "daily")
    assert "1 new subscribers were added" in capsys.readouterr().out
    assert daily_list().members().count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--list", "nope"], "No list called nope"),
        ([], "must name the columns"),
    ],
)
def test_the_command_explains_what_is_wrong(tmp_path, args, message):
    path = write(tmp_path, "name\nAnn\n")
    with pytest.raises(CommandError, match=message):
        call_command("import_subscribers", path, *args)


def test_the_command_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="Can't read"):
        call_command("import_subscribers", str(tmp_path / "missing.csv"))


def test_export_round_trips_through_import(db, capsys):
    SubscriberFactory(email="ann@example.org", consent_text='=HYPERLINK("http://x")')
    SubscriberFactory(email="bob@example.org", status=Status.UNSUBSCRIBED)
    call_command("export_subscribers")
    exported = capsys.readouterr().out
    assert exported.splitlines()[0] == ",".join(exporting.COLUMNS)
    assert "'=HYPERLINK" in exported  # a spreadsheet won't run it
    Subscriber.objects.all().delete()
    report = run(exported)
    assert report.imported and report.created == 2
    assert subscriber("ann@example.org").consent_text == '=HYPERLINK("http://x")'
    assert subscriber("bob@example.org").status == Status.UNSUBSCRIBED


def test_a_large_file_imports_in_batches(db, django_assert_max_num_queries):
    lines = ["email,status,consent_at"] + [
        f"reader{n}@example.org,active,2025-01-01 08:00" for n in range(5000)
    ]
    started = time.monotonic()
    with django_assert_max_num_queries(60):
        report = run("\n".join(lines))
    assert report.created == 5000
    assert daily_list().member_count() == 5000
    assert time.monotonic() - started < 20
