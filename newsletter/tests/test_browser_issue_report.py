"""The issue report in Chromium, as an editor (not a superuser) sees it, in Wagtail's light and
dark admin themes (a preference of the user, ``UserProfile.theme``): axe finds nothing, and
the charts take the theme's colours.

With ``EDITOR_GUIDE=1`` (``make guide``) the two screenshots become the pictures of "Reading
the report" in ``docs/editor-guide.md``, as the editor's journey test does for the rest.
"""

import io
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from wagtail.users.models import UserProfile

from .engagement_setup import bulk_readers, three_mornings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GUIDE = os.environ.get("EDITOR_GUIDE") == "1"
GUIDE_DIR = Path(__file__).resolve().parents[2] / "docs" / "editor-guide"


def sign_in(page, live_server, user):
    """The editor's session cookie, made by Django's test client, given to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def keep(page, screenshot, name):
    if not GUIDE:
        return screenshot(name)
    GUIDE_DIR.mkdir(parents=True, exist_ok=True)
    picture = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    picture.quantize(colors=256).save(GUIDE_DIR / f"{name}.png", optimize=True)
    return GUIDE_DIR / f"{name}.png"


def test_the_issue_report_reads_in_light_and_dark(
    live_server, page, screenshot, news_index, django_user_model
):
    three_mornings(bulk_readers(10), news_index)
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in(page, live_server, editor)
    url = live_server.url + reverse(
        "newsletter_reports:issue", args=[timezone.localdate().isoformat()]
    )
    axe = Axe()
    colours = {}
    for theme in ("light", "dark"):
        profile = UserProfile.get_for_user(editor)
        profile.theme = theme
        profile.save()
        page.goto(url)
        page.get_by_role("heading", name="The ten stories").wait_for()
        assert page.locator("html").get_attribute("class").split().count(f"w-theme-{theme}")
        assert page.locator('[data-figure="human_unique"]').inner_text().startswith("6 (60.0%")
        chart = page.get_by_role("img", name="Readers who clicked each story, by rank")
        colours[theme] = chart.evaluate("svg => getComputedStyle(svg.querySelector('text')).fill")
        if theme == "dark":  # the light picture shows the top, the dark one the stories
            page.get_by_role("heading", name="The ten stories").evaluate("h => h.scrollIntoView()")
        keep(page, screenshot, f"22-issue-report-{theme}")
        violations = axe.run(page).response["violations"]
        assert [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
        ] == []
    # The charts' text follows the theme's text colour.
    assert colours["light"] != colours["dark"]
