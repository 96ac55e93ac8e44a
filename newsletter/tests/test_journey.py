"""A reader's whole journey through the real views and the captured mail."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from newsletter.models import Subscriber

from .conftest import SUBSCRIBE, links, mails_to, path_of, subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


def first_post_form(response):
    return BeautifulSoup(response.content, "html.parser").find("form", method="post")


def test_sign_up_confirm_welcome_then_one_click_unsubscribe(client, signup):
    response = signup("Jane.Doe@Example.org ")
    assert response.status_code == 200
    assert "Check your inbox" in response.text
    assert "jane.doe@example.org" in response.text
    assert "no-store" in response["Cache-Control"]

    reader = subscriber("jane.doe@example.org")
    assert reader.status == Status.PENDING
    assert reader.source == Subscriber.Source.FORM
    assert reader.consent_url == "http://127.0.0.1:8000/news/a-story/"
    assert reader.consent_text.startswith("Send me Lisa's Top Ten")
    assert [list.slug for list in reader.lists.all()] == ["daily"]

    [confirmation] = mails_to("jane.doe@example.org")
    assert confirmation.subject == "Please confirm your subscription to Lisa's Top Ten"
    assert confirmation.from_email == "Lisa's Top Ten <lisa@example.com>"
    html, mimetype = confirmation.alternatives[0]
    assert mimetype == "text/html"
    [confirm_link] = links(confirmation, "/confirm/")
    assert confirm_link in html

    # Following the link shows a button; it doesn't confirm by itself (mail scanners).
    page = client.get(path_of(confirm_link))
    assert page.status_code == 200
    assert subscriber("jane.doe@example.org").status == Status.PENDING
    form = first_post_form(page)
    assert form.find("button").text.strip() == "Confirm my subscription"

    thanks = client.post(form["action"])
    assert thanks.status_code == 200
    assert "Thank you, you're subscribed" in thanks.text
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert reader.confirmed_at and reader.consent_at

    welcome = mails_to("jane.doe@example.org")[1]
    assert welcome.subject == "Welcome to Lisa's Top Ten"
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = welcome.extra_headers["List-Unsubscribe"]
    unsubscribe_link = header.split(">")[0].lstrip("<")
    assert unsubscribe_link.startswith("http://127.0.0.1:8000/newsletter/unsubscribe/")
    assert unsubscribe_link in welcome.body
    assert links(welcome, "/preferences/")
    assert "List-Unsubscribe" in welcome.message().as_string()

    # Confirming again changes nothing and sends nothing.
    assert client.post(form["action"]).status_code == 200
    assert len(mails_to("jane.doe@example.org")) == 2

    # A GET on the unsubscribe URL (a mail scanner) keeps the subscription...
    page = client.get(path_of(unsubscribe_link))
    assert page.status_code == 200
    assert subscriber("jane.doe@example.org").status == Status.ACTIVE
    # ...the mail client's RFC 8058 one-click POST ends it, with no cookie or CSRF token.
    response = client.post(path_of(unsubscribe_link), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert reader.status_reason == "one-click unsubscribe"
    assert reader.unsubscribed_at
    assert not Subscriber.objects.receiving().filter(pk=reader.pk).exists()
    assert len(mail.outbox) == 2  # no "sorry to see you go" email


def test_the_unsubscribe_page_button_unsubscribes(client, active):
    from newsletter.subscriptions.tokens import unsubscribe_url

    page = client.get(path_of(unsubscribe_url(active)))
    form = first_post_form(page)
    assert form.find("button").text.strip() == "Unsubscribe"
    response = client.post(form["action"])
    assert "You're unsubscribed" in response.text
    active.refresh_from_db()
    assert active.status == Status.UNSUBSCRIBED


def test_signing_up_again_after_unsubscribing_goes_through_double_opt_in(client, signup, active):
    active.change_status(Status.UNSUBSCRIBED, "test")
    response = signup("active@example.org")
    assert response.status_code == 200
    active.refresh_from_db()
    assert active.status == Status.PENDING
    [confirmation] = mails_to("active@example.org")
    client.post(path_of(links(confirmation, "/confirm/")[0]))
    active.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert len(mails_to("active@example.org")) == 2  # confirmation and welcome


def test_an_old_confirmation_link_does_not_undo_an_unsubscribe(client, signup):
    signup("twice@example.org")
    confirm_link = path_of(links(mail.outbox[0], "/confirm/")[0])
    client.post(confirm_link)
    reader = subscriber("twice@example.org")
    reader.change_status(Status.UNSUBSCRIBED, "test")
    response = client.post(confirm_link)
    assert response.status_code == 400
    assert "no longer works" in response.text
    assert subscriber("twice@example.org").status == Status.UNSUBSCRIBED


def test_the_same_page_whether_or_not_the_address_is_on_the_list(signup, active):
    new = signup("someone-new@example.org")
    known = signup("active@example.org")
    assert new.status_code == known.status_code == 200
    assert new.text.replace("someone-new@example.org", "X") == known.text.replace(
        "active@example.org", "X"
    )
    # The subscriber is told by email instead, where only the address's owner reads it.
    [notice] = mails_to("active@example.org")
    assert notice.subject == "You're already subscribed to Lisa's Top Ten"
    assert links(notice, "/preferences/")


def test_repeated_sign_ups_send_one_email_per_window(signup):
    for _ in range(3):
        assert signup("eager@example.org").status_code == 200
    assert len(mails_to("eager@example.org")) == 1

    reader = subscriber("eager@example.org")
    reader.signup_mail_sent_at -= datetime.timedelta(minutes=11)
    reader.save()
    signup("eager@example.org")
    assert len(mails_to("eager@example.org")) == 2
    assert Subscriber.objects.with_email("eager@example.org").count() == 1


def test_the_sign_up_page_works_on_its_own(client):
    response = client.get(SUBSCRIBE)
    assert response.status_code == 200
    form = BeautifulSoup(response.content, "html.parser").find("form", method="post")
    assert form["action"] == SUBSCRIBE
    assert form.find("input", type="email")["name"] == "email"
    # Cacheable: no CSRF token in the form, no cookie set.
    assert "csrfmiddlewaretoken" not in response.text
    assert not response.cookies
    consent = BeautifulSoup(response.content, "html.parser").find(id="signup-consent")
    assert consent.text.startswith("Send me Lisa's Top Ten every morning")
