"""Hostile and mistaken input: a clear answer, never a 500, and no unwanted email."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from core.models import Attempt
from newsletter.models import Subscriber

from .conftest import SUBSCRIBE, subscriber

pytestmark = pytest.mark.django_db


def error_text(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(
        node.get_text(" ", strip=True) for node in soup.select(".signup__error, .signup__alert")
    )


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Please enter your email address."),
        ("   ", "Please enter your email address."),
        ("not an email", "can't contain spaces"),
        ("jane@", "like name@example.com"),
        ("@example.org", "like name@example.com"),
        ("jane@@example.org", "like name@example.com"),
        ("jane@localhost", "full domain name"),
        ("jane@[127.0.0.1]", "like name@example.com"),
        ('"jane doe"@example.org', "can't contain spaces"),
        ('"jane"@example.org', "like name@example.com"),
        ("jane@example.org, boss@example.org", "can't contain spaces"),
        ("jane@example.org,boss@example.org", "like name@example.com"),
        ("jane@example.org;boss@example.org", "like name@example.com"),
        ("<script>alert(1)</script>@example.org", "like name@example.com"),
        ("jane@example.org\r\nBcc: everyone@example.org", "on a single line"),
        ("jane@example.org\nBcc: everyone@example.org", "on a single line"),
        ("jane@example.org%0d%0aBcc:x@example.org", "like name@example.com"),
        ("jane\x00@example.org", "control characters"),
        ("a" * 65 + "@example.org", "part before the @ is too long"),
        ("jane@" + "a" * 250 + ".org", "too long"),
        ("x" * 100_000, "too long"),
    ],
)
def test_bad_addresses_are_refused_with_a_plain_message(signup, email, message):
    response = signup(email)
    assert response.status_code == 400
    assert message in error_text(response)
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_the_form_shows_what_was_typed_and_the_page_it_came_from(signup):
    response = signup("jane@localhost", source_url="/news/a-story/")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("input", type="email")["value"] == "jane@localhost"
    assert soup.find("input", type="email")["aria-invalid"] == "true"
    assert soup.find("input", attrs={"name": "source_url"})["value"] == "/news/a-story/"
    # Escaped, never rendered as markup.
    response = signup('"><script>alert(1)</script>')
    assert "<script>alert(1)" not in response.text


@pytest.mark.parametrize(
    "source_url",
    [
        "https://evil.example/phish",
        "//evil.example/",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "/nul\x00",
        "/" + "a" * 1000,
    ],
)
def test_a_hostile_source_url_is_dropped(signup, source_url):
    assert signup("jane@example.org", source_url=source_url).status_code == 200
    assert subscriber("jane@example.org").consent_url.endswith("/newsletter/subscribe/")


def test_the_honeypot_gets_the_same_answer_but_nothing_happens(signup):
    caught = signup("bot@example.org", website="http://spam.example/")
    human = signup("human@example.org")
    assert caught.status_code == human.status_code == 200
    assert caught.text.replace("bot@", "X@") == human.text.replace("human@", "X@")
    assert not Subscriber.objects.with_email("bot@example.org").exists()
    assert [message.to for message in mail.outbox] == [["human@example.org"]]


def test_a_flood_from_one_client_is_rate_limited(signup, settings):
    # Only the per-client limit (the few different mailboxes per network: test_hostile_mailbox).
    settings.NEWSLETTER_SIGNUP_LIMITS = (("client", 20, 3600),)
    statuses = [signup(f"flood{n}@example.org", ip="198.51.100.9").status_code for n in range(25)]
    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429] * 5
    response = signup("one-more@example.org", ip="198.51.100.9")
    assert response.status_code == 429
    # The seconds until the oldest counted sign-up leaves the hour.
    assert 3500 < int(response["Retry-After"]) <= 3600
    assert "Too many sign-ups from your network" in error_text(response)
    assert len(mail.outbox) == 20
    assert not Subscriber.objects.with_email("one-more@example.org").exists()
    # Someone else is not affected.
    assert signup("elsewhere@example.org", ip="192.0.2.1").status_code == 200


def test_one_address_from_many_clients_is_rate_limited(signup):
    statuses = [signup("victim@example.org", ip=f"192.0.2.{n}").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert len(mail.outbox) == 1  # and the resend window held the mail to one


def test_ipv6_clients_are_counted_per_network(signup, settings):
    settings.NEWSLETTER_SIGNUP_LIMITS = (("client", 2, 3600),)
    assert signup("a@example.org", ip="2001:db8::1").status_code == 200
    assert signup("b@example.org", ip="2001:db8::2").status_code == 200
    assert signup("c@example.org", ip="2001:db8::ffff").status_code == 429
    assert signup("d@example.org", ip="2001:db8:1::1").status_code == 200


def test_a_trusted_proxy_passes_the_client_address_on(client, settings):
    settings.NEWSLETTER_SIGNUP_LIMITS = (("client", 1, 3600),)
    settings.NEWSLETTER_TRUSTED_PROXIES = 1

    def post(email, forwarded):
        return client.post(
            SUBSCRIBE, {"email": email}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )

    assert post("a@example.org", "spoofed, 203.0.113.1").status_code == 200
    assert post("b@example.org", "other-spoof, 203.0.113.2").status_code == 200
    assert post("c@example.org", "203.0.113.1").status_code == 429


def test_old_attempts_are_forgotten(signup):
    signup("a@example.org")
    assert Attempt.objects.count() == 3  # per client, per network's mailboxes, per mailbox
    Attempt.objects.update(created_at="2000-01-01T00:00:00Z", expires_at="2000-01-02T00:00:00Z")
    signup("b@example.org")
    assert Attempt.objects.count() == 3


def test_attempts_store_no_address_or_ip(signup):
    signup("private@example.org", ip="203.0.113.50")
    for attempt in Attempt.objects.all():
        assert attempt.scope == "signup"
        assert "private" not in attempt.key + attempt.item and "203.0" not in attempt.key


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client, method):
    assert getattr(client, method)(SUBSCRIBE).status_code == 405


def test_a_post_with_no_fields_gets_the_form_again(client):
    response = client.post(SUBSCRIBE, {})
    assert response.status_code == 400
    assert "Please enter your email address." in response.text


def test_a_failing_mail_server_does_not_break_sign_up(signup, settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {
            "BACKEND": "newsletter.tests.test_suppression.RefusingBackend",
            "OPTIONS": {"code": 451, "text": "try later"},
        },
    }
    assert signup("later@example.org").status_code == 200
    assert subscriber("later@example.org").status == Subscriber.Status.PENDING
