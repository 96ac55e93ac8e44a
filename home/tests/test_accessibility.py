"""axe-core in Chromium on every kind of reader page: no serious or critical violation.

axe-core comes bundled in the ``axe-playwright-python`` package (nothing is fetched at run
time). Minor and moderate findings are printed (run with ``-s``) but don't fail the test.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from news.factories import (
    ArticlePageFactory,
    CaptionedImageFactory,
)
from newsletter.factories import IssuePageFactory, SubscriberFactory
from newsletter.issues.rendering import build_snapshot
from newsletter.models import Subscriber
from newsletter.subscriptions.tokens import confirm_url, preferences_url, unsubscribe_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
BLOCKING = {"serious", "critical"}
DAY = datetime.date(2026, 11, 23)
SMALL = (640, 360)


@pytest.fixture
def site(live_server, settings, news_index, europe, archive):
    """Home, news and the archive of one sent issue; a pending and an active reader."""
    settings.SITE_URL = live_server.url
    articles = [
        ArticlePageFactory(
            parent=news_index,
            section=europe,
            title=f"Ministers meet in Brussels, day {n}",
            lead_image__size=SMALL,
        )
        for n in range(1, 11)
    ]
    article = ArticlePageFactory(
        parent=news_index,
        section=europe,
        title="Austin rallies allies",
        lead_image=CaptionedImageFactory(
            caption="Secretary of Defense Lloyd Austin.", credit="cnn.com", size=SMALL
        ),
        related_story=articles[0],
        related=articles[1:3],
        tags=["NATO"],
    )
    issue = IssuePageFactory(parent=archive, articles=[article, *articles[:9]], issue_date=DAY)
    build_snapshot(issue)
    pending = SubscriberFactory(email="pending@example.org", status=Subscriber.Status.PENDING)
    active = SubscriberFactory(email="active@example.org")
    return {"article": article.url, "pending": pending, "active": active}


def blocking(page, axe, name, report):
    """Run axe on the page as it is; print every finding, return the serious ones."""
    results = axe.run(page)
    violations = results.response["violations"]
    report[name] = violations
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        print(
            f"{name}: {violation['id']} ({violation['impact']}) x{len(targets)}: "
            f"{violation['help']} {targets[:3]}"
        )
    return [v for v in violations if v["impact"] in BLOCKING]


def test_reader_pages_have_no_serious_accessibility_problems(live_server, page, site, screenshot):
    url = live_server.url
    axe = Axe()
    report, problems = {}, {}

    def check(name):
        """The page in the light and the dark colour scheme (site.css has both)."""
        page.wait_for_load_state("load")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            screenshot(f"{name}-{scheme}")
            found = blocking(page, axe, f"{name} ({scheme})", report)
            if found:
                problems[f"{name} ({scheme})"] = found
        page.emulate_media(color_scheme="light")

    page.goto(url + "/")
    check("home")
    page.goto(url + site["article"])
    assert page.locator("figure.lead-image figcaption").inner_text() == (
        "Secretary of Defense Lloyd Austin. cnn.com"
    )
    assert page.locator(".related-posts article").count() >= 2
    check("article")
    page.goto(f"{url}/issues/{DAY.isoformat()}/")
    assert page.locator(".issue__stories > article").count() == 10
    check("archive-issue")

    page.goto(url + "/news/")
    check("news-index")
    page.goto(url + "/news/section/europe/")
    check("section")
    page.goto(url + "/search/?q=Brussels")
    check("search")
    page.goto(url + "/no-such-page/")
    check("not-found")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url + "/")
    check("home-phone")
    page.goto(url + site["article"])
    check("article-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(url + "/newsletter/subscribe/")
    check("subscribe")
    page.locator("main").get_by_label("Your email address").fill("new.reader@example.org")
    page.locator("main").get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    check("check-your-inbox")

    page.goto(confirm_url(site["pending"]))
    check("confirm")
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="Thank you, you're subscribed").wait_for()
    check("confirmed")

    page.goto(preferences_url(site["active"]))
    check("preferences")
    page.goto(unsubscribe_url(site["active"]))
    check("unsubscribe")
    page.locator("main form").get_by_role("button").first.click()
    page.wait_for_load_state("load")
    check("unsubscribed")

    print(
        "axe violations per page (all impacts): "
        + ", ".join(f"{name} {len(found)}" for name, found in report.items())
    )
    assert not problems, {
        name: [(v["id"], v["impact"], len(v["nodes"])) for v in found]
        for name, found in problems.items()
    }
