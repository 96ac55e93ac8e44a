"""Editors manage subscribers in the Wagtail admin, without being superusers."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from newsletter.addresses import email_hash
from newsletter.factories import SegmentFactory, SubscriberFactory, daily_list
from newsletter.models import Segment, Subscriber, Suppression

from .conftest import admin_url, text

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


@pytest.fixture
def readers(db):
    return [
        SubscriberFactory(email="ann@example.org"),
        SubscriberFactory(email="bob@example.org", status=Status.PENDING),
        SubscriberFactory(email="cat@example.org", status=Status.UNSUBSCRIBED, lists=[]),
    ]


def emails_listed(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return sorted(cell.get_text(strip=True) for cell in soup.select("td.title a, td.title"))


def test_an_editor_lists_searches_and_filters(editor_client, readers):
    response = editor_client.get(admin_url("index"))
    assert response.status_code == 200
    page = text(response)
    for email in ("ann@example.org", "bob@example.org", "cat@example.org"):
        assert email in page
    counts = (
        BeautifulSoup(response.content, "html.parser")
        .find(attrs={"aria-label": "Subscribers by status"})
        .get_text(" ", strip=True)
    )
    assert "1 receiving the newsletter today" in counts
    assert "Active: 1" in counts and "Pending confirmation: 1" in counts
    assert "Unsubscribed: 1" in counts and "All: 3" in counts

    found = text(editor_client.get(admin_url("index"), {"q": "bob"}))
    assert "bob@example.org" in found and "ann@example.org" not in found

    pending = text(editor_client.get(admin_url("index"), {"status": "pending"}))
    assert "bob@example.org" in pending and "ann@example.org" not in pending

    on_daily = text(editor_client.get(admin_url("index"), {"lists": daily_list().pk}))
    assert "ann@example.org" in on_daily and "cat@example.org" not in on_daily


def test_an_editor_adds_a_pending_subscriber_who_gets_a_confirmation(editor_client):
    response = editor_client.get(admin_url("add"))
    assert response.status_code == 200
    assert "Only active subscribers get the newsletter" in text(response)  # help text
    response = editor_client.post(
        admin_url("add"),
        {
            "email": " New.Reader@Example.org ",
            "status": "pending",
            "lists": [daily_list().pk],
            "consent_url": "Paper form, London book fair",
            "consent_text": "Sign me up",
        },
    )
    assert response.status_code == 302, response.content
    reader = Subscriber.objects.get()
    assert reader.email == "new.reader@example.org"
    assert reader.source == Subscriber.Source.ADMIN
    [confirmation] = mail.outbox
    assert confirmation.to == ["new.reader@example.org"]


def test_a_duplicate_address_is_refused_in_plain_words(editor_client, readers):
    response = editor_client.post(
        admin_url("add"), {"email": "ANN@example.org", "status": "active"}
    )
    assert response.status_code == 200
    assert "This address is already a subscriber." in text(response)
    response = editor_client.post(admin_url("add"), {"email": "ann@localhost", "status": "active"})
    assert "full domain name" in text(response)
    assert Subscriber.objects.count() == 3


def test_an_editor_edits_and_sees_the_history(editor_client, readers):
    ann = readers[0]
    response = editor_client.get(admin_url("edit", ann.pk))
    assert response.status_code == 200
    assert "Download their data (JSON)" in text(response)
    response = editor_client.post(
        admin_url("edit", ann.pk),
        {
            "email": "ann@example.org",
            "status": "unsubscribed",
            "lists": [daily_list().pk],
            "status_reason": "asked by phone",
        },
    )
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.status == Status.UNSUBSCRIBED and ann.unsubscribed_at
    assert editor_client.get(admin_url("history", ann.pk)).status_code == 200


def test_an_editor_imports_a_csv_in_the_admin(editor_client, readers):
    page = editor_client.get(admin_url("index"))
    assert "Import CSV" in text(page)
    upload = SimpleUploadedFile("list.csv", b"email,status\nzed@example.org,active\nbad,active\n")
    response = editor_client.post(
        admin_url("import"), {"file": upload, "mailing_list": daily_list().pk}
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was imported" in page and "like name@example.com" in page
    upload = SimpleUploadedFile("list.csv", b"email\nzed@example.org\nbad\n")
    response = editor_client.post(
        admin_url("import"), {"file": upload, "mailing_list": daily_list().pk, "skip_invalid": "on"}
    )
    assert "Imported" in text(response)
    assert subscriber_status("zed@example.org") == Status.ACTIVE


def subscriber_status(email):
    return Subscriber.objects.with_email(email).get().status


def test_a_file_without_an_email_column_is_explained(editor_client):
    upload = SimpleUploadedFile("list.csv", b"name\nAnn\n")
    response = editor_client.post(admin_url("import"), {"file": upload})
    assert 'one must be "email"' in text(response)


def test_exporting_the_list_is_for_moderators(client, editor, moderator, readers):
    client.force_login(editor)
    assert "Download CSV" not in text(client.get(admin_url("index")))
    refused = client.get(admin_url("index"), {"export": "csv"})
    assert refused.status_code == 302 and not refused.streaming  # Wagtail: "no permission"
    client.force_login(moderator)
    response = client.get(admin_url("index"), {"export": "csv", "status": "active"})
    assert response.status_code == 200
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("email,status,source,lists")
    assert lines[1:] == [lines[1]] and lines[1].startswith("ann@example.org,active,form,daily")
    assert client.get(admin_url("index"), {"export": "xlsx"}).status_code == 302


def test_personal_data_download(editor_client, readers):
    ann = readers[0]
    response = editor_client.get(admin_url("personal_data", ann.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="subscriber-{ann.pk}.json"'
    data = json.loads(response.content)
    assert data["email"] == "ann@example.org"
    assert data["lists"] == [{"name": "Daily", "slug": "daily"}]
    assert data["consent_text"] == ann.consent_text
    assert editor_client.get(admin_url("personal_data", 999999)).status_code == 404


def test_a_moderator_erases_a_subscriber(client, editor, moderator, readers, signup):
    cat = readers[2]
    client.force_login(editor)
    client.post(admin_url("delete", cat.pk))
    assert Subscriber.objects.filter(pk=cat.pk).exists()
    client.force_login(moderator)
    page = client.get(admin_url("delete", cat.pk))
    assert "Only a one-way hash of the address is kept" in text(page)
    assert client.post(admin_url("delete", cat.pk)).status_code == 302
    assert not Subscriber.objects.filter(pk=cat.pk).exists()
    assert not ModelLogEntry.objects.filter(label="cat@example.org").exists()
    assert Suppression.objects.get().email_hash == email_hash("cat@example.org")
    assert Suppression.objects.get().reason == "unsubscribed"


def test_lists_and_segments(editor_client, readers):
    segment = SegmentFactory(name="Form sign-ups", source="form")
    response = editor_client.get("/admin/newsletter/segments/")
    assert response.status_code == 200 and "Form sign-ups" in text(response)
    response = editor_client.get("/admin/newsletter/lists/")
    assert response.status_code == 200 and "Daily" in text(response)
    response = editor_client.post(
        "/admin/newsletter/segments/new/",
        {
            "name": "Late",
            "mailing_list": daily_list().pk,
            "signed_up_after": "2030-01-01",
            "signed_up_before": "2029-01-01",
        },
    )
    assert "Choose a day after" in text(response)
    assert Segment.objects.count() == 1
    assert segment.member_count() == 1


def test_people_without_permission_are_kept_out(client, django_user_model, readers):
    assert client.get(admin_url("index")).status_code == 302  # to the login page
    nobody = django_user_model.objects.create_user("nobody", "n@example.com", "pw")
    client.force_login(nobody)
    assert client.get(admin_url("index")).status_code in (302, 403)
    assert client.get(admin_url("import")).status_code in (302, 403)
