"""The sign-up form on reader pages: present, working without JavaScript, and cacheable."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db


def signup_form(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return next(
        form for form in soup.find_all("form") if form.find("input", attrs={"type": "email"})
    )


def submit(client, form, email):
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name")
    }
    data["email"] = email
    return client.post(form["action"], data)


def test_the_home_page_form_signs_a_reader_up(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    form = signup_form(response)
    assert form["method"] == "post" and form["action"] == "/newsletter/subscribe/"
    heading = BeautifulSoup(response.content, "html.parser").find(id="signup-heading")
    assert heading.text == "Get the Top Ten every morning"
    # Nothing per visitor: no CSRF token, no cookie, so a CDN may cache the page.
    assert not form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert not response.cookies
    assert "csrftoken" not in response.get("Set-Cookie", "")

    assert submit(client, form, "home@example.org").status_code == 200
    reader = Subscriber.objects.with_email("home@example.org").get()
    assert reader.consent_url == "http://127.0.0.1:8000/"
    assert [message.to for message in mail.outbox] == [["home@example.org"]]


def test_every_article_ends_with_the_form(client, news_index):
    from news.factories import ArticlePageFactory

    article = ArticlePageFactory(parent=news_index)
    response = client.get(article.url)
    assert response.status_code == 200
    form = signup_form(response)
    assert not response.cookies
    submit(client, form, "reader@example.org")
    reader = Subscriber.objects.with_email("reader@example.org").get()
    assert reader.consent_url == f"http://127.0.0.1:8000{article.url}"
