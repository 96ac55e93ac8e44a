"""Finding one's way in the admin: Articles opens the list of articles, Issues are in the
Newsletter menu, Help opens this project's editor's guide (with its pictures, for staff
only), the sign-in page carries the publication's name, and the site has a favicon."""

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

pytestmark = pytest.mark.django_db


def menu(response):
    """The admin's sidebar menu as {"Label > Sub label": url}, from Wagtail's sidebar props."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    data = json.loads(soup.find(id="wagtail-sidebar-props").string)
    items = {}

    def walk(node, trail):
        if isinstance(node, list):
            for item in node:
                walk(item, trail)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("_type", "")
        if kind.startswith("wagtail.sidebar.") and kind.endswith("MenuItem"):
            info, *rest = node["_args"]
            here = (*trail, info["label"])
            if "url" in info:
                items[" > ".join(here)] = info["url"]
            walk(rest, here)
            return
        for value in node.values():
            walk(value, trail)

    walk(data, ())
    return items


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_articles_opens_the_list_of_articles(editor_client, make_article, news_index):
    make_article(title="Austin rallies allies")
    make_article(title="Floods in Bangladesh")

    url = menu(editor_client.get("/admin/"))["Articles"]
    page = soup_of(editor_client.get(url))

    titles = [a.get_text(" ", strip=True) for a in page.select("table.listing td.title a")]
    assert any("Austin rallies allies" in t for t in titles)
    assert any("Floods in Bangladesh" in t for t in titles)
    assert not page.find("form", id="page-edit-form")  # not the News page's editor
    (new,) = [a for a in page.find_all("a") if a.get_text(strip=True) == "New article"]
    assert new["href"] == f"/admin/pages/add/news/articlepage/{news_index.pk}/"
    assert editor_client.get(new["href"]).status_code == 200


def test_issues_are_in_the_newsletter_menu(editor_client, site):
    items = menu(editor_client.get("/admin/"))

    assert items["Newsletter > Issues"] == "/admin/newsletter/issues/"
    assert soup_of(editor_client.get(items["Newsletter > Issues"])).find("h1")


def test_help_opens_our_guide_not_wagtails(editor_client):
    items = menu(editor_client.get("/admin/"))

    help_items = {label: url for label, url in items.items() if label.startswith("Help > ")}
    assert help_items["Help > Editor's guide"] == "/admin/guide/"
    assert not any("wagtail.org" in url for url in help_items.values())


def test_the_dashboard_links_our_guide_not_wagtails(editor_client):
    page = soup_of(editor_client.get("/admin/"))

    links = {a.get_text(" ", strip=True): a["href"] for a in page.select("main a[href]")}
    assert links["Editor's guide"] == "/admin/guide/"
    assert not [href for href in links.values() if "wagtail.org" in href]
    assert not [text for text in links if "editor guide" in text.lower()]


def test_the_guide_shows_in_the_admin_with_its_pictures(editor_client):
    page = soup_of(editor_client.get("/admin/guide/"))

    guide = page.find(attrs={"data-editor-guide": True})
    assert page.find("h1").get_text(strip=True) == "The editor's guide to Lisa's Top Ten"
    assert guide.find("h2", string="1. Sign in")
    pictures = [img["src"] for img in guide.find_all("img")]
    assert "editor-guide/01-sign-in.png" in pictures
    picture = editor_client.get("/admin/guide/" + pictures[0])
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    body = b"".join(picture.streaming_content)
    assert body == (Path(settings.BASE_DIR) / "docs/editor-guide/01-sign-in.png").read_bytes()
    assert body.startswith(b"\x89PNG")


def test_the_guide_and_its_pictures_are_for_signed_in_staff_only(client):
    for url in ("/admin/guide/", "/admin/guide/editor-guide/01-sign-in.png"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "name", ["..%2Feditor-guide.md", "01-sign-in.PNG.md", "nothing-here.png", "%2Fetc%2Fpasswd"]
)
def test_only_the_guides_own_pictures_are_served(editor_client, name):
    response = editor_client.get(f"/admin/guide/editor-guide/{name}", follow=True)
    assert response.status_code == 404


def test_the_sign_in_page_carries_the_publications_name(client, home_page):
    page = soup_of(client.get("/admin/login/"))

    assert page.find("h1").get_text(strip=True) == "Sign in to Lisa's Top Ten"
    assert page.title.get_text(strip=True) == "Sign in - Lisa's Top Ten"
    tagline = page.find(attrs={"data-publication-tagline": True}).get_text(strip=True)
    assert tagline == "The daily email that brings you the world."
    assert "Wagtail" not in page.find("main").get_text()


def test_the_site_has_a_favicon(client, home_page):
    icon = client.get("/favicon.ico")

    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    linked = soup_of(client.get("/")).find("link", rel="icon")["href"]
    static = client.get(linked)
    assert static.status_code == 200
    assert b"".join(static.streaming_content) == icon.content
