"""The admin's sign-in form has a rate limit: ten failures for one username from one client
address lock the form for fifteen minutes, without storing the username or the address
(strangers elsewhere can't lock the editor out: test_admin_lockout.py)."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db.models import F

from core.models import Attempt


def sign_in(client, username, password, ip="203.0.113.5"):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def form_errors(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(li.get_text(" ", strip=True) for li in soup.select(".messages li.error"))


def age(minutes, scope="login"):
    """Move the counted attempts ``minutes`` into the past."""
    delta = datetime.timedelta(minutes=minutes)
    Attempt.objects.filter(scope=scope).update(
        created_at=F("created_at") - delta, expires_at=F("expires_at") - delta
    )


@pytest.mark.django_db
def test_ten_failed_sign_ins_lock_the_form_for_fifteen_minutes(client, editor):
    for _ in range(10):
        response = sign_in(client, "eddie", "wrong")
        assert response.status_code == 200
        assert "didn't match" in form_errors(response)

    # Even the right password is not checked now, from this address.
    response = sign_in(client, "eddie", "correct-horse")
    assert response.status_code == 200
    assert form_errors(response) == ("Too many sign-in attempts. Please try again in 15 minutes.")
    assert "_auth_user_id" not in client.session
    # Refused attempts don't add to the count; letter case and spaces make no new username.
    count = Attempt.objects.count()
    assert "Too many" in form_errors(sign_in(client, "EDDIE ", "correct-horse"))
    assert Attempt.objects.count() == count
    # Another username from here, and another client, are not affected (test_admin_lockout).
    assert "didn't match" in form_errors(sign_in(client, "someone", "x"))

    age(10)
    assert "try again in 5 minutes" in form_errors(sign_in(client, "eddie", "correct-horse"))
    age(6)
    assert sign_in(client, "eddie", "correct-horse").status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_the_sign_in_limit_stores_no_username_or_address(client, editor, settings):
    settings.ADMIN_LOGIN_LIMITS = {"failures": 2, "seconds": 60}
    sign_in(client, "eddie", "wrong", ip="198.51.100.77")
    for attempt in Attempt.objects.all():
        assert attempt.scope == "login"
        assert "eddie" not in attempt.key + attempt.item and "198.51" not in attempt.key
    sign_in(client, "eddie", "wrong", ip="198.51.100.77")
    assert "try again in 1 minute." in form_errors(
        sign_in(client, "eddie", "correct-horse", ip="198.51.100.77")
    )
    # Old rows go as new failures come.
    age(2)
    sign_in(client, "other", "wrong", ip="192.0.2.9")
    assert Attempt.objects.count() == 3  # one failure, counted per account, client, username


@pytest.mark.django_db
def test_a_missing_or_oversized_username_is_a_form_error_not_a_500(client, editor):
    for data in (
        {},
        {"username": "eddie"},
        {"username": "x" * 10_000, "password": "p"},
        {"username": "\x00", "password": "p"},
        {"username": ["a", "b"], "password": "p"},
    ):
        response = client.post("/admin/login/", data)
        assert response.status_code == 200, data
    # Only the last one was a real attempt (a repeated field's last value counts).
    assert Attempt.objects.count() == 3  # one failure: per account, client and username
