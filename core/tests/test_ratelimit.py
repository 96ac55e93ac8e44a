"""The one limiter: which client a request counts as, sliding windows, and clean-up."""

import datetime

import pytest
from django.test import RequestFactory

from core.models import Attempt
from core.ratelimit import Limiter, Rule, client_address


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "client"),
    [
        ("203.0.113.5", "", 0, "203.0.113.5"),
        ("::ffff:203.0.113.5", "", 0, "203.0.113.5"),
        ("::FFFF:cb00:7105", "", 0, "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "", 0, "fe80::/64"),
        ("10.0.0.1", "spoofed, ::ffff:198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.1", "198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),
        ("10.0.0.1", "", 1, "10.0.0.1"),  # no header: the socket's address
        ("not an address", "", 0, "not an address"),
    ],
)
def test_the_client_a_request_counts_as(settings, remote, forwarded, proxies, client):
    settings.NEWSLETTER_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


@pytest.mark.django_db
def test_a_distinct_rule_makes_room_as_items_leave_the_window():
    limiter = Limiter("test", lambda: [Rule("net", 2, 600, distinct=True)])
    for item in ("a", "b"):
        assert limiter.check({"net": "n"}, item) is None
        limiter.record({"net": "n"}, item)
    assert limiter.check({"net": "n"}, "a") is None  # already counted
    Attempt.objects.filter(item=limiter.key("item", "a")).update(
        created_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    refusal = limiter.check({"net": "n"}, "c")
    assert refusal is None  # "a" has left the window
    limiter.record({"net": "n"}, "c")
    refusal = limiter.check({"net": "n"}, "d")
    assert refusal.kind == "net" and 595 <= refusal.seconds <= 600
    assert refusal.minutes == "10 minutes"


@pytest.mark.django_db
def test_expired_rows_go_and_forget_deletes_a_values_rows():
    limiter = Limiter("test", lambda: [Rule("email", 5, 60), Rule("client", 5, 3600)])
    limiter.record({"email": "a@example.org", "client": "c"}, "a@example.org")
    Attempt.objects.filter(key=limiter.key("email", "a@example.org")).update(
        expires_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    limiter.record({"email": "b@example.org", "client": "c"}, "b@example.org")
    assert Attempt.objects.count() == 3
    limiter.forget("email", "b@example.org")
    assert Attempt.objects.count() == 1  # only the client's row for "a" is left
    (row,) = Attempt.objects.all()
    assert row.key == limiter.key("client", "c")
    assert row.item == limiter.key("item", "a@example.org")
