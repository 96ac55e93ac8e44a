"""The article form as an editor gets it (the admin's HTML, parsed): the lead photo's own
caption and credit greyed in the boxes that override them, a headline box that grows, the
authors as tick boxes, the photo's Description explained, a Promote tab without "Show in
menus"; and the credit printed as typed ("cnn.com", never small caps)."""

from pathlib import Path

import pytest
import tinycss2
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.test import Client

from news.factories import AuthorFactory, CaptionedImageFactory
from news.forms import ArticlePageForm

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_article_form_shows_what_prints(editor_client, make_article):
    image = CaptionedImageFactory(caption="Secretary of Defense Lloyd Austin.", credit="cnn.com")
    AuthorFactory(name="Lisa Green")
    AuthorFactory(name="Tom Black")
    article = make_article(title="Austin rallies allies", lead_image=image)

    form = soup_of(editor_client.get(f"/admin/pages/{article.pk}/edit/"))

    caption = form.find(attrs={"name": "lead_image_caption"})
    credit = form.find(attrs={"name": "lead_image_credit"})
    assert caption["placeholder"] == "Secretary of Defense Lloyd Austin."
    assert credit["placeholder"] == "cnn.com"
    headline = form.find(attrs={"name": "title"})
    assert headline.name == "textarea"
    assert "w-autosize" in headline["data-controller"].split()
    authors = form.find_all("input", attrs={"name": "authors"})
    assert [box["type"] for box in authors] == ["checkbox", "checkbox"]
    assert form.find(attrs={"name": "show_in_menus"}) is None
    assert "links to it break after" in form.get_text()


def test_a_long_headline_with_a_line_break_is_saved_on_one_line():
    form = ArticlePageForm.__new__(ArticlePageForm)
    form.cleaned_data = {"title": "Austin rallies allies\r\nto keep weapons flowing  "}
    assert form.clean_title() == "Austin rallies allies to keep weapons flowing"


def test_the_photo_description_says_what_it_is_for(editor_client):
    page = soup_of(editor_client.get(f"/admin/images/{CaptionedImageFactory().pk}/"))
    assert page.find(attrs={"name": "description"}) is not None
    assert "for blind readers" in " ".join(page.get_text().split())


def credit_declarations(stylesheet):
    rules = tinycss2.parse_stylesheet(stylesheet, skip_whitespace=True, skip_comments=True)
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude)
        if ".credit" not in selector:
            continue
        for declaration in tinycss2.parse_declaration_list(
            rule.content, skip_whitespace=True, skip_comments=True
        ):
            if declaration.type == "declaration":
                yield declaration.lower_name, tinycss2.serialize(declaration.value).strip()


def test_the_photo_credit_prints_as_typed_on_the_site(client, make_article):
    css = Path(django_settings.BASE_DIR, "static", "css", "site.css").read_text()
    changes_letters = {
        (name, value)
        for name, value in credit_declarations(css)
        if name in {"text-transform", "font-variant", "font-variant-caps"}
        and value not in {"none", "normal"}
    }
    assert changes_letters == set()
    article = make_article(lead_image=CaptionedImageFactory(credit="cnn.com"))
    page = soup_of(client.get(article.url))
    assert page.select_one(".credit").get_text(strip=True) == "cnn.com"


def test_a_photos_words_are_given_to_editors_only(editor_client, django_user_model):
    image = CaptionedImageFactory(caption="A flooded street in Sylhet.", credit="Reuters")
    url = f"/admin/news/photos/{image.pk}/words/"

    assert editor_client.get(url).json() == {
        "caption": "A flooded street in Sylhet.",
        "credit": "Reuters",
    }
    assert editor_client.get(f"/admin/news/photos/{image.pk + 1}/words/").status_code == 404
    anonymous = Client()
    assert anonymous.get(url).status_code == 302  # to the sign-in page
    reader = django_user_model.objects.create_user("reader", password="pw")
    anonymous.force_login(reader)  # signed in, but no admin access
    assert anonymous.get(url).status_code == 302


def test_the_article_form_says_where_the_photos_words_are(editor_client, make_article):
    article = make_article(title="Austin rallies allies")

    form = soup_of(editor_client.get(f"/admin/pages/{article.pk}/edit/"))

    caption = form.find(attrs={"name": "lead_image_caption"})
    template = caption["data-photo-words-url"]
    assert template == "/admin/news/photos/0/words/"
    assert form.find("script", src=lambda src: src and "news/admin/photo-words" in src)
