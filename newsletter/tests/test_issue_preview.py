"""The issue's email preview as an editor gets it from the admin: above the email, what the
inbox shows (sender name and address from Settings -> Newsletter, subject, preheader), the
same as on the Review and send step; the email is the preview's default mode, and the inbox
view is never part of what is sent."""

import html

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from newsletter.issues.rendering import build_snapshot, render_issue_html
from newsletter.models import NewsletterSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender():
    newsletter = NewsletterSettings.load()
    newsletter.from_name = "Lisa at Top Ten"
    newsletter.from_email = "lisa@lisastopten.example"
    newsletter.save()
    return newsletter


@pytest.fixture
def issue_fields():
    return {"preheader": "", "newsletter_subject": ""}


def words(element):
    return " ".join(html.unescape(element.get_text(" ")).split()) if element else ""


def parsed(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def inbox_of(page):
    """``{field: words}`` of the preview's inbox view."""
    view = page.select_one("[data-inbox-view]")
    assert view is not None, "no inbox view in the preview"
    return {
        name: words(view.select_one(f"[data-inbox={name}]"))
        for name in ("from-name", "from-address", "subject", "preheader")
    }


def edit_form(issue, **changes):
    stories = [
        {"id": story.pk, "article": story.article_id, "headline": "", "blurb": ""}
        for story in issue.stories.all()
    ]
    fields = {
        "title": issue.title,
        "slug": issue.slug,
        "issue_date": issue.issue_date.isoformat(),
        "preheader": issue.preheader,
        "intro": issue.intro,
        "newsletter_subject": issue.newsletter_subject,
        "newsletter_recipients": "",
        "stories": inline_formset(stories, initial=len(stories)),
    }
    return nested_form_data({**fields, **changes})


def test_the_preview_shows_the_inbox_above_the_email_with_unsaved_changes(
    editor_client, issue, sender
):
    url = f"/admin/pages/{issue.pk}/edit/preview/"
    form = edit_form(
        issue, newsletter_subject="Floods and a ceasefire", preheader="Also: a record Amazon year"
    )
    assert editor_client.post(url, form).json()["is_valid"] is True

    page = parsed(editor_client.get(url))  # no mode asked for: the default, the email

    assert inbox_of(page) == {
        "from-name": "Lisa at Top Ten",
        "from-address": "<lisa@lisastopten.example>",
        "subject": "Floods and a ceasefire",
        "preheader": "Also: a record Amazon year",
    }
    view = page.select_one("[data-inbox-view]")
    assert view.parent.name == "body"  # at the top of the email's body, before the email
    assert words(view).startswith("In the inbox (not part of the email)")
    headlines = [h2.a.get_text(strip=True) for h2 in page.find_all("h2")]
    assert headlines[:2] == ["Story number 1", "Story number 2"]
    assert all(h2.find_parent(attrs={"data-inbox-view": True}) is None for h2 in page("h2"))


def test_a_blank_preheader_shows_the_first_three_headlines_as_the_review_does(
    editor_client, issue, sender
):
    page = parsed(editor_client.get(f"/admin/pages/{issue.pk}/view_draft/"))
    review = parsed(editor_client.get(reverse("newsletter_review:review", args=[issue.pk])))

    inbox = inbox_of(page)
    assert inbox["preheader"] == "Story number 1 · Story number 2 · Story number 3"
    assert inbox["subject"] == issue.get_newsletter_subject()
    # One source for both: the review step's inbox says the same.
    assert words(review.select_one("[data-review=from]")) == (
        f"{inbox['from-name']} {inbox['from-address']}"
    )
    assert words(review.select_one("[data-review=subject]")) == inbox["subject"]
    assert words(review.select_one("[data-review=preheader]")) == inbox["preheader"]


def test_the_email_is_the_default_preview_mode(editor_client, issue):
    edit = parsed(editor_client.get(f"/admin/pages/{issue.pk}/edit/"))

    select = edit.find("select", attrs={"name": "preview-mode"}) or edit.select_one(
        "[data-w-preview-target=mode]"
    )
    options = {option["value"]: option for option in select.find_all("option")}
    assert "selected" in options["newsletter"].attrs
    assert "selected" not in options[""].attrs
    assert words(options["newsletter"]) == "Email, as the inbox shows it"
    new_tab = edit.select_one("[data-w-preview-target=newTab]")
    assert new_tab["href"].endswith("?mode=newsletter")


def test_the_inbox_view_is_never_in_what_is_sent(issue, sender):
    snapshot = build_snapshot(issue)

    for sent in (snapshot.html, issue.get_newsletter_html(), render_issue_html(issue)):
        assert "data-inbox-view" not in sent
        assert "not part of the email" not in sent
