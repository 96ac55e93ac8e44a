"""Consent from the outside: what an editor, a CSV file and an old confirmation link can and
can't do to someone's subscription. Only the reader brings themselves (back) onto the list."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from newsletter.factories import SubscriberFactory, daily_list
from newsletter.models import Subscriber

from .conftest import admin_url, links, mails_to, path_of, subscriber, text

pytestmark = pytest.mark.django_db
Status = Subscriber.Status
ONLY_THE_READER = "Only the reader can"


def form_values(response):
    """What the browser would post back from the admin form, unchanged."""
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.find("select", attrs={"name": "status"}).find_parent("form")
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data[name] = field.get("value", "")
    return data


def status_error(response):
    """The error shown next to the Status field (empty if none)."""
    soup = BeautifulSoup(response.content, "html.parser")
    field = soup.find("select", attrs={"name": "status"}).find_parent(class_="w-field")
    errors = field.find(class_="error-message")
    return " ".join(errors.get_text(" ").split()) if errors else ""


def snapshot(reader):
    reader.refresh_from_db()
    return (
        reader.status,
        reader.status_reason,
        reader.confirmed_at,
        reader.consent_at,
        reader.updated_at,
    )


def edit(editor_client, reader, **changes):
    data = form_values(editor_client.get(admin_url("edit", reader.pk)))
    return editor_client.post(admin_url("edit", reader.pk), {**data, **changes})


# The admin's edit and add forms --------------------------------------------------------------


@pytest.mark.parametrize("old", [Status.COMPLAINED, Status.BOUNCED, Status.UNSUBSCRIBED])
@pytest.mark.parametrize("new", [Status.ACTIVE, Status.PENDING])
def test_an_editor_cannot_bring_back_someone_who_left(editor_client, old, new):
    reader = SubscriberFactory(email="gone@example.org", status=old)
    before = snapshot(reader)

    response = edit(editor_client, reader, status=new)

    assert response.status_code == 200
    error = status_error(response)
    assert error.startswith(f"{ONLY_THE_READER} subscribe again"), error
    assert "sign-up form" in error and "confirmation email" in error
    assert snapshot(reader) == before
    assert mail.outbox == []


def test_an_editor_cannot_confirm_for_the_reader(editor_client):
    reader = SubscriberFactory(email="waiting@example.org", status=Status.PENDING, consent_at=None)
    before = snapshot(reader)

    response = edit(editor_client, reader, status=Status.ACTIVE)

    assert response.status_code == 200
    assert status_error(response).startswith(f"{ONLY_THE_READER} confirm")
    assert snapshot(reader) == before
    assert "waiting@example.org" not in daily_list().members().values_list("email", flat=True)


def test_a_complaint_is_not_weakened_in_the_edit_form(editor_client):
    reader = SubscriberFactory(email="spam@example.org", status=Status.COMPLAINED)
    before = snapshot(reader)
    response = edit(editor_client, reader, status=Status.UNSUBSCRIBED)
    assert response.status_code == 200
    assert "marked our email as spam" in status_error(response)
    assert snapshot(reader) == before


def test_an_editor_can_still_stop_the_newsletter_and_edit_the_rest(editor_client):
    reader = SubscriberFactory(email="phone@example.org")
    response = edit(
        editor_client, reader, status=Status.UNSUBSCRIBED, status_reason="asked by phone"
    )
    assert response.status_code == 302
    assert subscriber("phone@example.org").status == Status.UNSUBSCRIBED
    # Saving someone who left, unchanged, is not bringing them back.
    response = edit(editor_client, reader, consent_url="Paper form")
    assert response.status_code == 302
    assert subscriber("phone@example.org").consent_url == "Paper form"


def test_a_stranger_cannot_be_added_as_active(editor_client):
    page = editor_client.get(admin_url("add"))
    assert "Add someone as Pending" in text(page)  # the help text says so up front

    response = editor_client.post(
        admin_url("add"),
        {
            "email": "stranger@example.org",
            "status": "active",
            "lists": [daily_list().pk],
            "consent_url": "Paper form",
            "consent_text": "Sign me up",
        },
    )

    assert response.status_code == 200
    error = status_error(response)
    assert error.startswith(f"{ONLY_THE_READER} make themselves active"), error
    assert "Add them as Pending" in error
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


# The CSV import: admin and command ----------------------------------------------------------


LEFT = [
    ("spam@example.org", Status.COMPLAINED),
    ("cleaned@example.org", Status.BOUNCED),
    ("gone@example.org", Status.UNSUBSCRIBED),
]
REVIVING_FILE = "email,status\n" + "".join(
    f"{email},{new}\n" for email, _ in LEFT for new in ("active",)
)


@pytest.fixture
def left():
    return [SubscriberFactory(email=email, status=status) for email, status in LEFT]


def test_the_admin_import_keeps_out_those_who_left_and_says_so(editor_client, left):
    before = [snapshot(reader) for reader in left]
    upload = SimpleUploadedFile("list.csv", REVIVING_FILE.encode())

    response = editor_client.post(
        admin_url("import"), {"file": upload, "mailing_list": daily_list().pk}
    )

    assert response.status_code == 200
    assert "3 who had left were not brought back: only the reader can subscribe again" in text(
        response
    )
    assert [snapshot(reader) for reader in left] == before
    assert mail.outbox == []


def test_the_import_command_keeps_out_those_who_left_and_says_so(tmp_path, left):
    before = [snapshot(reader) for reader in left]
    path = tmp_path / "list.csv"
    path.write_text(REVIVING_FILE + "pend@example.org,active\n", encoding="utf-8")
    SubscriberFactory(email="pend@example.org", status=Status.PENDING)
    out = io.StringIO()

    call_command("import_subscribers", str(path), stdout=out)

    assert "3 who had left were not brought back" in out.getvalue()
    assert [snapshot(reader) for reader in left] == before
    assert subscriber("pend@example.org").status == Status.ACTIVE  # the import's own rule
    with pytest.raises(CommandError):
        call_command("import_subscribers", str(tmp_path / "missing.csv"))


# The confirmation link ----------------------------------------------------------------------


def test_a_used_link_does_not_confirm_a_later_sign_up(client, signup, open_limits):
    signup("twice@example.org")
    [first] = mails_to("twice@example.org")
    old_link = path_of(links(first, "/confirm/")[0])
    assert client.post(old_link).status_code == 200
    reader = subscriber("twice@example.org")
    assert reader.status == Status.ACTIVE
    client.post(path_of(links(mails_to("twice@example.org")[1], "/unsubscribe/")[0]))
    assert subscriber("twice@example.org").status == Status.UNSUBSCRIBED

    signup("twice@example.org")  # a new sign-up, e.g. by someone else typing the address
    assert subscriber("twice@example.org").status == Status.PENDING
    sent = len(mail.outbox)
    before = snapshot(reader)

    for method in (client.get, client.post):
        response = method(old_link)
        assert response.status_code == 400
        page = text(response)
        assert "This link has been replaced" in page
        assert "use the link in the newest email" in page
    assert snapshot(reader) == before
    assert len(mail.outbox) == sent

    [*_, latest] = mails_to("twice@example.org")
    new_link = path_of(links(latest, "/confirm/")[0])
    assert new_link != old_link
    assert "Confirm" in text(client.get(new_link))
    assert client.post(new_link).status_code == 200
    assert subscriber("twice@example.org").status == Status.ACTIVE
    assert mails_to("twice@example.org")[-1].subject.startswith("Welcome")


def test_a_link_from_before_a_bounce_does_not_confirm_the_asking_again(client, signup, open_limits):
    signup("kim@example.org")
    old_link = path_of(links(mails_to("kim@example.org")[0], "/confirm/")[0])
    client.post(old_link)
    reader = subscriber("kim@example.org")
    reader.change_status(Status.BOUNCED, "550 no such user")
    signup("kim@example.org")

    response = client.post(old_link)

    assert response.status_code == 400
    assert subscriber("kim@example.org").status == Status.PENDING


def test_two_emails_of_one_sign_up_both_confirm_it(client, signup, open_limits):
    signup("double@example.org")
    signup("double@example.org")  # "I didn't get it": a second email, same sign-up
    first, second = (
        path_of(links(message, "/confirm/")[0]) for message in mails_to("double@example.org")
    )
    assert client.post(first).status_code == 200
    assert subscriber("double@example.org").status == Status.ACTIVE
    response = client.post(second)  # already done: says so, changes nothing
    assert response.status_code == 200
    assert len(mails_to("double@example.org")) == 3  # two confirmations, one welcome
