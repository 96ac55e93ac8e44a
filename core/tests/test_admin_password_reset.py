"""The admin's "Forgot password?" form has a rate limit: a few requests an hour per client
address, and per submitted address from one client address (strangers elsewhere can't spend
it: test_admin_lockout.py). Over it, the same page says so, and no email goes out."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db.models import F

from core.models import Attempt

RESET = "/admin/password_reset/"
pytestmark = pytest.mark.django_db


def ask(client, email, ip="203.0.113.5"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def age(minutes):
    delta = datetime.timedelta(minutes=minutes)
    Attempt.objects.update(created_at=F("created_at") - delta, expires_at=F("expires_at") - delta)


def errors(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(li.get_text(" ", strip=True) for li in soup.select(".messages li.error"))


def test_three_requests_an_hour_per_address_then_the_page_says_to_wait(client, editor):
    for _ in range(3):
        response = ask(client, "eddie@example.com")
        assert response.status_code == 302 and response["Location"].endswith("/done/")
    assert [m.to for m in mail.outbox] == [["eddie@example.com"]] * 3

    response = ask(client, "eddie@example.com")

    assert response.status_code == 429
    assert response["Retry-After"].isdigit() and 3500 < int(response["Retry-After"]) <= 3600
    assert errors(response) == (
        "Too many password reset requests. No email was sent. Please try again in 60 minutes."
    )
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("form input[name=email]")["value"] == "eddie@example.com"
    assert len(mail.outbox) == 3
    # Letter case and spaces make no new address.
    assert ask(client, " EDDIE@example.com").status_code == 429
    assert len(mail.outbox) == 3
    # Refused requests don't count: the limit lifts when the hour has passed.
    assert Attempt.objects.count() == 9  # three requests: per account, client and address
    age(50)
    assert "try again in 10 minutes" in errors(ask(client, "eddie@example.com"))
    age(11)
    assert ask(client, "eddie@example.com").status_code == 302
    assert len(mail.outbox) == 4
    assert Attempt.objects.count() == 3  # the old rows went


def test_ten_requests_an_hour_per_client_address_whatever_the_address(client, editor):
    # Unknown addresses count too: the page must not tell which addresses have accounts.
    for n in range(10):
        assert ask(client, f"nobody{n}@example.com").status_code == 302
    assert mail.outbox == []

    response = ask(client, "eddie@example.com")

    assert response.status_code == 429 and "Too many password reset" in errors(response)
    assert mail.outbox == []
    # The same request from another client address goes through.
    assert ask(client, "eddie@example.com", ip="192.0.2.2").status_code == 302
    assert [m.to for m in mail.outbox] == [["eddie@example.com"]]


def test_the_reset_limit_and_the_sign_in_limit_keep_their_own_counts(client, editor, settings):
    settings.ADMIN_PASSWORD_RESET_LIMITS = {"client": 2, "email": 2, "seconds": 60}
    settings.ADMIN_LOGIN_LIMITS = {"failures": 2, "seconds": 60}
    ask(client, "eddie@example.com")
    ask(client, "eddie@example.com")
    # Two reset requests don't lock the sign-in form ...
    response = client.post(
        "/admin/login/", {"username": "eddie", "password": "wrong"}, REMOTE_ADDR="203.0.113.5"
    )
    assert "didn't match" in errors(response)
    # ... and an old failed sign-in going doesn't take the reset requests with it.
    age(0.5)
    client.post("/admin/login/", {"username": "other", "password": "x"}, REMOTE_ADDR="192.0.2.9")
    assert ask(client, "eddie@example.com").status_code == 429
    # Nothing readable is stored.
    for attempt in Attempt.objects.all():
        assert "eddie" not in attempt.key + attempt.item and "203.0" not in attempt.key


def test_a_bad_address_is_a_form_error_and_is_not_counted(client, editor):
    for data in (
        {},
        {"email": "not an address"},
        {"email": "x" * 10_000},
        {"email": "\x00@example.com"},
    ):
        response = client.post(RESET, data)
        assert response.status_code == 200, data
    assert Attempt.objects.count() == 0 and mail.outbox == []


def test_the_page_and_the_rest_of_the_reset_are_wagtails(client, editor):
    response = client.get(RESET)
    assert response.status_code == 200
    assert b"Reset your password" in response.content
    ask(client, "eddie@example.com")
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/password_reset/confirm/" in word)
    assert client.get(link, follow=True).status_code == 200
