"""The issue's "done when", end to end on the demo: an editor sends the demo issue from its
Newsletter tab into the file outbox; readers click links taken from the outbox's ``.eml``
files (parsed strictly); a mail scanner pre-fetches every link of one copy; the report
(``manage.py issue_report --json`` and the admin page) counts the readers' clicks per story
and rank, and the scanner's apart."""

import json
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from newsletter.engagement import recording
from newsletter.engagement.tokens import read_token
from newsletter.models import IssuePage, TrackedLink
from newsletter.tests.click_setup import BROWSER, ReaderClock
from newsletter.tests.mail_capture import strictly
from newsletter.tests.test_issue_admin import newsletter_action
from newsletter.views import clicks as clicks_view

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"
SCANNER = "Mozilla/5.0 (compatible; Mimecast URL Protect)"


@pytest.fixture
def demo(tmp_path, settings):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = SITE
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {
            "BACKEND": "config.mail.OutboxBackend",
            "OPTIONS": {"file_path": str(tmp_path / "outbox")},
        },
    }
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        call_command("seed_demo", stdout=StringIO())
        yield tmp_path / "outbox"


def outbox_copies(outbox):
    """``{address: [tracked path, ...]}`` from each .eml's HTML part, in the email's order."""
    copies = {}
    for eml in sorted(outbox.glob("*.eml")):
        message = strictly(eml.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        html = message.get_body(("html",)).get_content()
        hrefs = [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a", href=True)]
        copies[message["To"]] = [h.removeprefix(SITE) for h in hrefs if h.startswith(f"{SITE}/r/")]
    return copies


def link_of(path):
    return TrackedLink.objects.get(pk=read_token(path.split("/")[2])[0])


def test_an_editor_sends_the_demo_issue_and_the_report_counts_readers_not_scanners(
    demo, client, monkeypatch
):
    issue = IssuePage.objects.get(issue_date=timezone.localdate())
    assert client.login(username="editor", password="editor")
    response = newsletter_action(client, issue, "send_campaign")
    assert response.status_code == 200
    copies = outbox_copies(demo)
    assert len(copies) == 5  # the demo's five confirmed readers

    # Readers, a minute after the send, a story every 20 seconds: three readers read story
    # 1 (two by its headline, one by its photo), one of them story 3 as well, and one
    # reads story 1 twice (one reader, two clicks).
    monkeypatch.setattr(clicks_view, "timezone", ReaderClock())
    readers = sorted(copies)
    by_role = {
        address: {(link_of(p).rank, link_of(p).role): p for p in copies[address]}
        for address in readers
    }
    clicks = [
        (readers[0], (1, "headline")),
        (readers[0], (3, "read-more")),
        (readers[1], (1, "headline")),
        (readers[1], (1, "headline")),
        (readers[2], (1, "image")),
    ]
    for address, key in clicks:
        response = client.get(by_role[address][key], HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302

    # A scanner opens every link of the fourth copy within a second, as gateways do.
    monkeypatch.setattr(clicks_view, "timezone", timezone)
    for path in copies[readers[3]]:
        assert client.get(path, HTTP_USER_AGENT=SCANNER).status_code == 302
    assert recording.flush() == len(clicks) + len(copies[readers[3]])

    output = StringIO()
    call_command("issue_report", issue.issue_date.isoformat(), "--json", stdout=output)
    report = json.loads(output.getvalue())
    assert report["delivered"] == 5
    assert report["clicks"] == {
        "human_unique": 3,
        "human": 5,
        "raw": 5 + len(copies[readers[3]]),
    }
    stories = {story["rank"]: story for story in report["stories"]}
    assert [story["rank"] for story in report["stories"]] == list(range(1, 11))
    assert stories[1]["clicks"]["human_unique"] == 3 and stories[1]["clicks"]["human"] == 4
    assert stories[3]["clicks"]["human_unique"] == 1 and stories[3]["clicks"]["human"] == 1
    assert all(stories[rank]["clicks"]["human"] == 0 for rank in (2, *range(4, 11)))
    # The scanner's clicks are in every story's raw count, never in a human one.
    assert all(story["clicks"]["raw"] >= story["clicks"]["human"] + 3 for story in stories.values())
    first = issue.snapshot.stories[0]
    assert (stories[1]["title"], stories[1]["url"]) == (first["headline"], first["url"])

    # The admin's issue report says the same to the editor.
    page = client.get(f"/admin/newsletter/reports/issues/{issue.issue_date.isoformat()}/")
    assert page.status_code == 200
    text = " ".join(BeautifulSoup(page.content, "html.parser").get_text(" ").split())
    assert "3 (60.0% of those who got it)" in text
