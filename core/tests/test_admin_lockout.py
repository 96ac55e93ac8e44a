"""Strangers can't lock an editor out of the admin, and readers behind one dual-stack socket
are told apart: failures count per username *and* client address, a correct password from an
address with no failures gets in, and nobody can spend an editor's password-reset quota."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail

pytestmark = pytest.mark.django_db
LOCKED = "Too many sign-in attempts. Please try again in 15 minutes."


def sign_in(client, username, password, ip, **extra):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def errors(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(li.get_text(" ", strip=True) for li in soup.select(".messages li.error"))


def signed_in(client, editor):
    return client.session.get("_auth_user_id") == str(editor.pk)


def test_failures_from_other_addresses_do_not_lock_the_editor_out(client, editor):
    # Ten failures from each of three strangers: each of them is locked out ...
    for n in range(3):
        for _ in range(10):
            assert "didn't match" in errors(sign_in(client, "eddie", "wrong", f"192.0.2.{n}"))
        assert errors(sign_in(client, "eddie", "correct-horse", f"192.0.2.{n}")) == LOCKED
    assert not signed_in(client, editor)
    # ... and the editor, from an address with no failures, signs in with the right password.
    response = sign_in(client, "eddie", "correct-horse", "203.0.113.5")
    assert response.status_code == 302
    assert signed_in(client, editor)


def test_an_address_that_failed_is_locked_for_that_username_not_for_others(
    client, editor, django_user_model
):
    django_user_model.objects.create_user("nina", "nina@example.com", "battery-staple")
    for _ in range(10):
        sign_in(client, "eddie", "wrong", "203.0.113.5")
    assert errors(sign_in(client, "eddie", "correct-horse", "203.0.113.5")) == LOCKED
    # A colleague behind the same office address still signs in.
    assert sign_in(client, "nina", "battery-staple", "203.0.113.5").status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, editor):
    for n in range(30):
        assert "didn't match" in errors(sign_in(client, f"user{n}", "x", "198.51.100.3"))
    assert errors(sign_in(client, "eddie", "correct-horse", "198.51.100.3")) == LOCKED
    assert sign_in(client, "eddie", "correct-horse", "203.0.113.5").status_code == 302


def test_under_attack_from_many_addresses_only_a_clean_address_gets_its_password_checked(
    client, editor, settings
):
    settings.ADMIN_LOGIN_LIMITS = {
        "failures": 10,
        "client_failures": 30,
        "username_failures": 5,
        "seconds": 15 * 60,
    }
    for n in range(5):  # a botnet, one guess each
        sign_in(client, "eddie", "wrong", f"192.0.2.{n}")
    # Those addresses get no second guess now, even a right one ...
    assert errors(sign_in(client, "eddie", "correct-horse", "192.0.2.1")) == LOCKED
    assert not signed_in(client, editor)
    # ... but an address with no failures for the username still does.
    assert sign_in(client, "eddie", "correct-horse", "203.0.113.5").status_code == 302


def test_ipv4_readers_behind_a_dual_stack_socket_are_told_apart(client, editor):
    for _ in range(10):
        sign_in(client, "someone", "wrong", "::ffff:198.51.100.7")
    for _ in range(20):
        sign_in(client, f"user{_}", "wrong", "::ffff:198.51.100.7")
    # The same IPv4 address, written either way, is locked ...
    assert errors(sign_in(client, "someone", "x", "198.51.100.7")) == LOCKED
    assert errors(sign_in(client, "eddie", "correct-horse", "::ffff:198.51.100.7")) == LOCKED
    # ... another IPv4 reader in the same (meaningless) /64 is not.
    assert sign_in(client, "eddie", "correct-horse", "::ffff:203.0.113.9").status_code == 302


def test_behind_a_trusted_proxy_mapped_addresses_are_told_apart(client, editor, settings):
    settings.NEWSLETTER_TRUSTED_PROXIES = 1
    for n in range(30):
        sign_in(client, f"user{n}", "wrong", "10.0.0.1", HTTP_X_FORWARDED_FOR="::ffff:198.51.100.7")
    assert (
        errors(
            sign_in(
                client, "eddie", "correct-horse", "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
            )
        )
        == LOCKED
    )
    response = sign_in(
        client, "eddie", "correct-horse", "10.0.0.1", HTTP_X_FORWARDED_FOR="::ffff:203.0.113.9"
    )
    assert response.status_code == 302


# Password reset -----------------------------------------------------------------------------


def ask(client, email, ip):
    return client.post("/admin/password_reset/", {"email": email}, REMOTE_ADDR=ip)


def test_strangers_cannot_spend_the_editors_reset_quota(client, editor):
    for n in range(3):
        for _ in range(3):
            assert ask(client, "eddie@example.com", f"192.0.2.{n}").status_code == 302
        assert ask(client, "eddie@example.com", f"192.0.2.{n}").status_code == 429
    assert len(mail.outbox) == 9
    # The editor's own request, from their own address, still sends the link.
    response = ask(client, "eddie@example.com", "203.0.113.5")
    assert response.status_code == 302
    assert len(mail.outbox) == 10 and mail.outbox[-1].to == ["eddie@example.com"]


def test_many_strangers_get_one_request_each_then_only_new_addresses_are_served(client, editor):
    for n in range(10):
        assert ask(client, "eddie@example.com", f"192.0.2.{n}").status_code == 302
    # The address has had ten requests this hour: addresses that asked already are refused.
    assert ask(client, "eddie@example.com", "192.0.2.3").status_code == 429
    assert len(mail.outbox) == 10
    assert ask(client, "eddie@example.com", "203.0.113.5").status_code == 302
    assert len(mail.outbox) == 11
