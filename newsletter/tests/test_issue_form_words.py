"""The issue's edit form in the publication's words (its HTML, parsed): the subject's help
says what is sent when it is left blank, as the send writes it; no package jargon, no "Show
in menus"; the recipients list counts in proper English."""

import pytest
from bs4 import BeautifulSoup

from newsletter.models import NewsletterSettings

pytestmark = pytest.mark.django_db
JARGON = (
    "Save campaign to",
    "save a new draft page revision",
    "Defaults to page title",
    "Show in menus",
)


def text_of(response):
    assert response.status_code == 200
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


def test_the_subject_help_says_what_is_really_sent(editor_client, issue):
    text = text_of(editor_client.get(f"/admin/pages/{issue.pk}/edit/"))

    sent = issue.get_newsletter_subject()
    assert sent.startswith(f"{NewsletterSettings.load().from_name}: ")
    assert f'Leave blank to send "{sent}"' in text
    for words in JARGON:
        assert words not in text
