"""The public archive: every sent issue at its dated address, exactly as it was sent."""

import datetime

import pytest
from bs4 import BeautifulSoup

from newsletter.factories import IssuePageFactory
from newsletter.issues.links import LINK_PATTERN
from newsletter.issues.rendering import build_snapshot, render_issue_html

pytestmark = pytest.mark.django_db
SITE = "https://lisastopten.example"
DAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def site_settings(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def issue_fields():
    return {"issue_date": DAY, "intro": "Good morning from the archive."}


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_a_sent_issue_is_at_its_dated_address_with_its_ten_stories(client, issue, articles):
    build_snapshot(issue)

    page = soup_of(client.get("/issues/2026-11-23/"))

    assert page.title.get_text().startswith(issue.get_newsletter_subject())
    assert page.find("h1").get_text() == issue.get_newsletter_subject()
    assert "Good morning from the archive." in page.get_text()
    stories = page.select(".issue__stories > article")
    assert [li.find("h2").get_text(strip=True) for li in stories] == [
        f"Story number {n}" for n in range(1, 11)
    ]
    assert [li.find("h2").a["href"] for li in stories] == [a.url for a in articles]
    first = stories[0]
    assert first.find("img")["src"].startswith("/media/issues/2026-11-23/01-")
    assert first.find("img")["alt"] == articles[0].image_caption
    assert first.select_one(".credit").get_text() == articles[0].image_credit
    assert len(page.select(".issue__stories a")) == 10
    assert page.find("a", string="All issues")["href"] == "/issues/"
    # No one's personal links on a public page.
    assert "UNSUBSCRIBE" not in str(page) and "/newsletter/unsubscribe/" not in str(page)


def test_the_emails_view_in_browser_link_opens_the_archive_page(client, issue):
    snapshot = build_snapshot(issue)
    href = BeautifulSoup(snapshot.html, "html.parser").find(
        "a", string="View this issue in your browser"
    )["href"]
    # A tracked link: its target is the link row's (a reader's click goes through /r/).
    position = LINK_PATTERN.fullmatch(href).group(1)
    link = snapshot.links.get(position=position).url

    assert link == f"{SITE}/issues/2026-11-23/"
    assert client.get(link.removeprefix(SITE)).status_code == 200


def test_the_archive_stays_as_sent_when_articles_change(client, issue, articles):
    build_snapshot(issue)
    before = client.get("/issues/2026-11-23/").content

    edited = articles[0]
    edited.title = "EDITED headline"
    edited.summary = "EDITED summary"
    edited.save_revision().publish()
    articles[1].unpublish()
    articles[2].lead_image.renditions.all().delete()
    articles[3].lead_image.delete()
    articles[4].delete()

    after = client.get("/issues/2026-11-23/").content
    assert after == before
    assert b"EDITED" not in after


def test_unsent_issues_are_not_public(client, site, articles):
    IssuePageFactory(parent=site[1], articles=articles, issue_date=DAY)
    IssuePageFactory(parent=site[1], articles=articles, issue_date=DAY.replace(day=24), live=False)

    assert client.get("/issues/2026-11-23/").status_code == 404  # published, not sent
    assert client.get("/issues/2026-11-24/").status_code == 404  # a draft
    assert client.get("/issues/2026-11-25/").status_code == 404  # nothing at all
    assert client.get("/issues/not-a-date/").status_code == 404
    assert "No issues have been sent yet" in soup_of(client.get("/issues/")).get_text()


def test_the_archive_lists_sent_issues_newest_first(client, site, articles):
    older = IssuePageFactory(
        parent=site[1], articles=articles, issue_date=DAY, newsletter_subject="The older one"
    )
    newer = IssuePageFactory(
        parent=site[1],
        articles=articles,
        issue_date=DAY + datetime.timedelta(days=1),
        newsletter_subject="The newer one",
        preheader="Newer preheader",
    )
    IssuePageFactory(
        parent=site[1],
        articles=articles,
        issue_date=DAY + datetime.timedelta(days=2),
        newsletter_subject="Not sent yet",
    )
    build_snapshot(older)
    build_snapshot(newer)

    page = soup_of(client.get("/issues/"))

    links = [(a.get_text(), a["href"]) for a in page.select(".issue-list h2 a")]
    assert links == [
        ("The newer one", "/issues/2026-11-24/"),
        ("The older one", "/issues/2026-11-23/"),
    ]
    assert "Newer preheader" in page.get_text()
    assert client.get("/issues/?page=9").status_code == 404
    assert client.get("/issues/?page=abc").status_code == 404


def test_a_sent_issue_stays_in_the_archive_after_its_page_is_deleted(client, issue):
    build_snapshot(issue)
    issue.delete()

    assert "Story number 1" in soup_of(client.get("/issues/2026-11-23/")).get_text()


def test_the_email_preview_of_a_sent_issue_still_reflects_the_page(issue):
    """Editors' email preview renders the page; only readers see the frozen snapshot."""
    build_snapshot(issue)
    issue.preheader = "A new preheader"

    assert "A new preheader" in render_issue_html(issue)
