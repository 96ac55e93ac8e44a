"""Mail bombs: plus-addressing, Gmail's dots and many addresses from one network get no more
confirmation mail than one reader asking again and again (limits on the canonical mailbox)."""

import pytest
from django.core import mail

from newsletter.models import Subscriber

from .conftest import subscriber

pytestmark = pytest.mark.django_db


def test_plus_addresses_of_one_mailbox_share_its_limit(signup):
    statuses = [
        signup(f"victim+{n}@example.org", ip=f"192.0.2.{n}").status_code for n in range(1, 21)
    ]
    assert statuses == [200] * 5 + [429] * 15
    assert len(mail.outbox) == 5
    # What was typed is what is stored (only the limit's key is canonical).
    assert subscriber("victim+1@example.org").email == "victim+1@example.org"
    assert not Subscriber.objects.with_email("victim+6@example.org").exists()


def test_gmail_dots_and_googlemail_are_one_mailbox(signup):
    for n, email in enumerate(
        [
            "jane.doe@gmail.com",
            "JaneDoe@gmail.com",
            "j.a.n.e.doe@gmail.com",
            "janedoe+news@googlemail.com",
            "jane.d.o.e@googlemail.com",
        ]
    ):
        assert signup(email, ip=f"192.0.2.{n}").status_code == 200
    response = signup("j.anedoe+1@gmail.com", ip="198.51.100.1")
    assert response.status_code == 429
    assert "several requests for this address" in response.text
    assert len(mail.outbox) == 5
    # Dots are only ignored at Gmail: elsewhere they make another mailbox.
    assert signup("jane.doe@example.org", ip="198.51.100.2").status_code == 200
    assert signup("janedoe@example.org", ip="198.51.100.3").status_code == 200


def test_one_network_may_sign_up_only_a_few_different_mailboxes_an_hour(signup):
    for n in range(5):
        assert signup(f"reader{n}@example.org", ip="203.0.113.40").status_code == 200
    response = signup("reader5@example.org", ip="203.0.113.40")
    assert response.status_code == 429
    assert "different addresses from your network" in response.text
    assert len(mail.outbox) == 5
    # A reader who already asked from here may ask again (one more email at most) ...
    assert signup("reader0+again@example.org", ip="203.0.113.40").status_code == 200
    # ... a refused mailbox does not become one that may, and other networks are not affected.
    assert signup("reader5@example.org", ip="203.0.113.40").status_code == 429
    assert signup("reader5@example.org", ip="192.0.2.50").status_code == 200


def test_ipv4_mapped_addresses_are_separate_readers(signup, settings):
    settings.NEWSLETTER_SIGNUP_LIMITS = (("client", 1, 3600),)
    assert signup("a@example.org", ip="::ffff:203.0.113.1").status_code == 200
    assert signup("b@example.org", ip="::ffff:198.51.100.2").status_code == 200
    # The same reader, over IPv4 or mapped, is one client.
    assert signup("c@example.org", ip="203.0.113.1").status_code == 429


@pytest.mark.parametrize(
    ("email", "mailbox"),
    [
        ("Jane+News@Example.org", "jane@example.org"),
        ("jane.doe+a+b@example.org", "jane.doe@example.org"),
        ("J.A.N.E@googlemail.com", "jane@gmail.com"),
        ("jane.doe+x@gmail.com", "janedoe@gmail.com"),
        ("+only@example.org", "+only@example.org"),
    ],
)
def test_the_canonical_mailbox(email, mailbox):
    from newsletter.addresses import canonical_mailbox

    assert canonical_mailbox(email) == mailbox
