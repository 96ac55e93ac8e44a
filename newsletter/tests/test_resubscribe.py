""" "Subscribe again" on the preference page: an unsubscribed reader is back at once, but a
bounced or complained address (or one still pending) only gets a fresh confirmation link, and
stays off the list until its owner clicks it (double opt-in)."""

import pytest
from django.core import mail

from newsletter.factories import SubscriberFactory, daily_list
from newsletter.models import Subscriber
from newsletter.subscriptions import tokens
from newsletter.subscriptions.suppression import mark_bounced, mark_complained

from .conftest import links, mails_to, path_of, text

Status = Subscriber.Status
pytestmark = pytest.mark.django_db
CHECK_INBOX = "Check your inbox: we've emailed a confirmation link to"


def preferences(client, subscriber, **data):
    link = path_of(tokens.preferences_url(subscriber))
    if not data:
        return client.get(link)
    return client.post(link, data, follow=True)


def receiving():
    return set(daily_list().members().values_list("email", flat=True))


@pytest.fixture
def reader():
    return SubscriberFactory(email="kim@example.org")


@pytest.mark.parametrize("suppress", [mark_bounced, mark_complained], ids=["bounced", "complained"])
def test_a_suppressed_address_gets_a_confirmation_link_not_the_newsletter(client, reader, suppress):
    suppress(reader.email)
    reader.refresh_from_db()
    page = preferences(client, reader)
    assert "You don't get" in text(page)
    assert "We'll email you a link to confirm your address first" in text(page)

    response = preferences(client, reader, action="resubscribe")

    assert response.status_code == 200
    assert CHECK_INBOX in text(response) and "kim@example.org" in text(response)
    assert "You're subscribed again" not in text(response)
    reader.refresh_from_db()
    assert reader.status == Status.PENDING
    assert "after being" in reader.status_reason
    assert "kim@example.org" not in receiving()
    [confirmation] = mail.outbox
    assert confirmation.to == ["kim@example.org"]

    # Only the link's owner can turn the newsletter back on.
    [confirm_link] = links(confirmation, "/confirm/")
    client.post(path_of(confirm_link))
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert "kim@example.org" in receiving()
    assert reader.consent_url.endswith("/newsletter/subscribe/")
    assert len(mails_to("kim@example.org")) == 2  # the confirmation, then the welcome


def test_asking_again_sends_no_second_email_within_the_window(client, reader):
    mark_bounced(reader.email)
    preferences(client, reader, action="resubscribe")
    response = preferences(client, reader, action="resubscribe")

    assert CHECK_INBOX in text(response)
    assert len(mail.outbox) == 1
    reader.refresh_from_db()
    assert reader.status == Status.PENDING


def test_an_old_link_does_not_skip_the_confirmation_of_a_pending_address(client, reader, signup):
    # Bounced, then someone signs the address up again on the site: pending, one email.
    mark_bounced(reader.email)
    signup("kim@example.org")
    reader.refresh_from_db()
    assert reader.status == Status.PENDING
    page = preferences(client, reader)
    assert "Your subscription isn't confirmed yet" in text(page)
    assert "Send the confirmation link again" in text(page)

    # A preference link from an email sent before the bounce doesn't make it active.
    response = preferences(client, reader, action="resubscribe")

    assert CHECK_INBOX in text(response)
    reader.refresh_from_db()
    assert reader.status == Status.PENDING
    assert "kim@example.org" not in receiving()
    assert len(mail.outbox) == 1  # the sign-up's email went out a moment ago


def test_an_unsubscribed_reader_is_back_at_once_without_an_email(client, reader):
    preferences(client, reader, action="unsubscribe")
    page = preferences(client, reader)
    assert "We'll email you a link" not in text(page)

    response = preferences(client, reader, action="resubscribe")

    assert "You're subscribed again" in text(response)
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    assert "kim@example.org" in receiving()
    assert mail.outbox == []


def test_an_active_reader_asking_again_changes_nothing(client, reader):
    response = preferences(client, reader, action="resubscribe")
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE and mail.outbox == []


def test_requests_for_a_confirmation_count_towards_the_hourly_limit(client, reader, settings):
    settings.NEWSLETTER_PREFERENCE_LIMIT = (2, 3600)
    mark_complained(reader.email)
    preferences(client, reader, action="resubscribe")
    preferences(client, reader, action="resubscribe")

    response = preferences(client, reader, action="resubscribe")

    assert response.status_code == 429
    assert "several times in the last hour" in text(response)
    assert len(mail.outbox) == 1
