"""A new issue starts right: the admin's "Add daily issue" form, as an editor who is not a
superuser opens and posts it. It opens on the next free date, named after it and going to the
sign-up list's readers; a date another issue has gets one clear error, and nothing else."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.test.utils.form_data import querydict_from_html
from wagtail_newsletter.models import NewsletterRecipients

from newsletter.factories import IssuePageFactory, daily_list
from newsletter.models import IssuePage

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ONE_DAY = datetime.timedelta(days=1)


def add_url(archive):
    return f"/admin/pages/add/newsletter/issuepage/{archive.pk}/"


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def value_of(soup, name):
    field = soup.find(attrs={"name": name})
    if field.name == "select":
        chosen = field.find("option", selected=True)
        return chosen["value"] if chosen else ""
    return field.get("value", "")


def add_form(client, archive, **changes):
    """The add form exactly as the editor's browser would post it, with ``changes``."""
    response = client.get(add_url(archive))
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for name, value in changes.items():
        data[name] = value
    return data


def error_messages(response):
    """Every error an editor can see on the page: field errors and the banner's list."""
    soup = BeautifulSoup(response.content, "html.parser")
    found = [
        " ".join(node.get_text(" ").split())
        for node in soup.select(".error-message, .w-field__errors .error-message, .errorlist li")
    ]
    return list(dict.fromkeys(found))


def test_the_form_opens_on_today_when_today_is_free(editor_client, archive):
    soup = soup_of(editor_client.get(add_url(archive)))

    assert value_of(soup, "issue_date") == TODAY.isoformat()
    assert value_of(soup, "title") == f"Issue of {TODAY:%-d %B %Y}"


def test_the_form_opens_on_the_next_free_date_with_the_sign_up_lists_readers(
    editor_client, archive
):
    for day in (TODAY, TODAY + ONE_DAY):  # today's issue and tomorrow's draft are made
        IssuePageFactory(parent=archive, issue_date=day, live=day == TODAY)
    daily_list()

    soup = soup_of(editor_client.get(add_url(archive)))

    free = TODAY + 2 * ONE_DAY
    assert value_of(soup, "issue_date") == free.isoformat()
    assert value_of(soup, "title") == f"Issue of {free:%-d %B %Y}"
    recipients = NewsletterRecipients.objects.get()
    assert recipients.audience == str(daily_list().pk)
    assert value_of(soup, "newsletter_recipients") == str(recipients.pk)
    assert soup.find(id="id_newsletter_recipients-title").get_text(strip=True) == "Daily readers"


def test_the_new_issue_is_saved_as_it_opened(editor_client, archive):
    IssuePageFactory(parent=archive, issue_date=TODAY)
    daily_list()

    response = editor_client.post(add_url(archive), add_form(editor_client, archive))

    assert response.status_code == 302
    issue = IssuePage.objects.get(issue_date=TODAY + ONE_DAY)
    assert issue.slug == (TODAY + ONE_DAY).isoformat()
    assert issue.title == f"Issue of {TODAY + ONE_DAY:%-d %B %Y}"
    assert issue.newsletter_recipients.audience == str(daily_list().pk)


def test_the_title_follows_a_date_the_editor_changes(editor_client, archive):
    day = datetime.date(2026, 12, 24)
    data = add_form(editor_client, archive, issue_date=day.isoformat())

    assert editor_client.post(add_url(archive), data).status_code == 302

    issue = IssuePage.objects.get()
    assert (issue.issue_date, issue.slug) == (day, "2026-12-24")
    assert issue.title == "Issue of 24 December 2026"


def test_a_title_the_editor_wrote_is_kept(editor_client, archive):
    data = add_form(editor_client, archive, issue_date="2026-12-24", title="Christmas Eve")

    assert editor_client.post(add_url(archive), data).status_code == 302

    assert IssuePage.objects.get().title == "Christmas Eve"


@pytest.mark.parametrize("action", [None, "action-publish"])
def test_a_taken_date_gets_one_clear_error_and_nothing_is_made(editor_client, archive, action):
    taken = datetime.date(2026, 12, 2)
    IssuePageFactory(parent=archive, issue_date=taken)
    data = add_form(editor_client, archive, issue_date=taken.isoformat())
    if action:
        data[action] = "1"

    response = editor_client.post(add_url(archive), data)

    assert response.status_code == 200
    assert IssuePage.objects.count() == 1
    wanted = (
        "There is already an issue for Wednesday 2 December 2026: open it from Issues, "
        "or choose another date."
    )
    assert error_messages(response) == [wanted]
    assert response.context["form"].errors == {"issue_date": [wanted]}
    page = html.unescape(response.content.decode())
    assert "already exists" not in page and "already in use" not in page


def test_moving_an_issue_onto_a_taken_date_gets_the_same_error(editor_client, archive):
    IssuePageFactory(parent=archive, issue_date=datetime.date(2026, 12, 2))
    issue = IssuePageFactory(parent=archive, issue_date=datetime.date(2026, 12, 3))
    url = f"/admin/pages/{issue.pk}/edit/"
    data = querydict_from_html(editor_client.get(url).content.decode(), form_id="page-edit-form")
    data["issue_date"] = "2026-12-02"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["issue_date"]
    issue.refresh_from_db()
    assert issue.issue_date == datetime.date(2026, 12, 3)


def test_autosave_of_a_taken_date_says_what_to_do(editor_client, archive):
    """Autosave posts the form and expects JSON: it gets the same one error, not a silence."""
    IssuePageFactory(parent=archive, issue_date=TODAY)
    data = add_form(editor_client, archive, issue_date=TODAY.isoformat())

    response = editor_client.post(add_url(archive), data, headers={"Accept": "application/json"})

    assert IssuePage.objects.count() == 1
    assert response.status_code == 400
