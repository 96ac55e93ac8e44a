"""Mailgun's own bot flag (``client-info.bot``), posted as Mailgun posts it: a signed JSON
event to anymail's tracking webhook, which marks our matching click suspect ("provider")."""

import base64
import datetime
import hashlib
import hmac
import json

import pytest
from django.test import Client

from newsletter.engagement.tokens import copy_key, link_token
from newsletter.factories import SubscriberFactory
from newsletter.models import Open

from .click_rows import seconds, sent_issue, stored_click

pytestmark = pytest.mark.django_db
SECRET = "hooks:s3cret"
SIGNING_KEY = "mailgun-signing-key"
MAILGUN = {
    "BACKEND": "anymail.backends.mailgun.EmailBackend",
    "OPTIONS": {"api_key": "KEY", "sender_domain": "mg.lisastopten.com"},
}


@pytest.fixture
def mailgun_site(settings):
    settings.MAILERS = {"default": MAILGUN, "newsletter": MAILGUN}
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def issue(db):
    return sent_issue(
        [SubscriberFactory(email="ann@example.org"), SubscriberFactory(email="bob@example.org")]
    )


def post_event(event_data, *, key=SIGNING_KEY):
    """POST one event as Mailgun does: JSON, its HMAC signature, our basic-auth password."""
    timestamp, token = "1735689600", "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    payload = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": event_data,
    }
    return Client(enforce_csrf_checks=True).post(
        "/newsletter/anymail/mailgun/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(SECRET.encode()).decode(),
    )


def clicked(link, delivery, at, bot="generic", url=None):
    return {
        "event": "clicked",
        "timestamp": at.timestamp(),
        "recipient": delivery.email,
        "url": url or f"https://lisastopten.example/r/{link_token(link.pk, delivery.pk)}/",
        "client-info": {"client-type": "unknown", "user-agent": "Mozilla/5.0", "bot": bot},
    }


def states(*clicks):
    for click in clicks:
        click.refresh_from_db()
    return [(click.human, click.reason) for click in clicks]


def test_a_click_mailgun_flags_as_a_bot_is_suspect(mailgun_site, issue):
    ann, bob = issue.deliveries["ann@example.org"], issue.deliveries["bob@example.org"]
    flagged = stored_click(issue.link(1), ann, seconds(issue, 300))
    other_link = stored_click(issue.link(2), ann, seconds(issue, 301))
    other_reader = stored_click(issue.link(1), bob, seconds(issue, 300))
    an_hour_later = stored_click(issue.link(1), ann, seconds(issue, 3900))
    response = post_event(clicked(issue.link(1), ann, seconds(issue, 330)))
    assert response.status_code == 200
    assert states(flagged, other_link, other_reader, an_hour_later) == [
        (False, "provider"),
        (True, ""),
        (True, ""),
        (True, ""),
    ]


def test_a_flagged_click_in_a_batch_copy_is_suspect(mailgun_site, issue):
    # A copy sent through the batch API: /r/<the copy's key>/<link id>/.
    ann, bob = issue.deliveries["ann@example.org"], issue.deliveries["bob@example.org"]
    flagged = stored_click(issue.link(1), ann, seconds(issue, 300))
    other_reader = stored_click(issue.link(1), bob, seconds(issue, 300))
    url = f"https://lisastopten.example/r/{copy_key(ann.pk)}/{issue.link(1).pk}/"

    assert post_event(clicked(issue.link(1), ann, seconds(issue, 330), url=url)).status_code == 200

    assert states(flagged, other_reader) == [(False, "provider"), (True, "")]
    key = copy_key(bob.pk)
    forged_key = key[:-1] + ("A" if key[-1] != "A" else "E")  # another last character
    forged = f"https://lisastopten.example/r/{forged_key}/{issue.link(1).pk}/"
    response = post_event(clicked(issue.link(1), bob, seconds(issue, 330), url=forged))
    assert response.status_code == 200
    assert states(other_reader) == [(True, "")]


def test_an_unflagged_click_or_another_event_changes_nothing(mailgun_site, issue):
    ann = issue.deliveries["ann@example.org"]
    click = stored_click(issue.link(1), ann, seconds(issue, 300))
    assert post_event(clicked(issue.link(1), ann, seconds(issue, 300), bot="")).status_code == 200
    delivered = {**clicked(issue.link(1), ann, seconds(issue, 300)), "event": "delivered"}
    assert post_event(delivered).status_code == 200
    assert states(click) == [(True, "")]


@pytest.mark.parametrize(
    "url",
    [
        "https://lisastopten.example/news/a-story/",
        "https://lisastopten.example/r/not-a-token/",
        "",
    ],
)
def test_a_url_that_is_not_our_signed_link_changes_nothing(mailgun_site, issue, url):
    ann = issue.deliveries["ann@example.org"]
    click = stored_click(issue.link(1), ann, seconds(issue, 300))
    event = clicked(issue.link(1), ann, seconds(issue, 300))
    event["url"] = url
    assert post_event(event).status_code == 200
    assert states(click) == [(True, "")]


@pytest.mark.parametrize(
    "tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:-4]]
)
def test_a_tampered_or_truncated_token_changes_nothing(mailgun_site, issue, tamper):
    ann = issue.deliveries["ann@example.org"]
    click = stored_click(issue.link(1), ann, seconds(issue, 300))
    event = clicked(issue.link(1), ann, seconds(issue, 300))
    event["url"] = f"https://lisastopten.example/r/{tamper(link_token(issue.link(1).pk, ann.pk))}/"
    assert post_event(event).status_code == 200
    assert states(click) == [(True, "")]


def test_a_badly_signed_event_is_refused(mailgun_site, issue):
    ann = issue.deliveries["ann@example.org"]
    click = stored_click(issue.link(1), ann, seconds(issue, 300))
    response = post_event(clicked(issue.link(1), ann, seconds(issue, 300)), key="wrong")
    assert response.status_code in (400, 403)
    assert states(click) == [(True, "")]


def test_an_open_mailgun_flags_as_apples_proxy_is_a_machines(mailgun_site, issue):
    ann, bob = issue.deliveries["ann@example.org"], issue.deliveries["bob@example.org"]
    at = seconds(issue, 30)
    ann_open = Open.objects.create(snapshot=issue.snapshot, delivery=ann, at=at)
    bob_open = Open.objects.create(snapshot=issue.snapshot, delivery=bob, at=at)
    later = Open.objects.create(
        snapshot=issue.snapshot, delivery=ann, at=at + datetime.timedelta(hours=3)
    )
    event = {
        "event": "opened",
        "timestamp": at.timestamp(),
        "recipient": "ANN@example.org",
        "client-info": {"user-agent": "Mozilla/5.0", "bot": "apple"},
    }
    assert post_event(event).status_code == 200
    machine = dict(Open.objects.values_list("pk", "machine"))
    assert machine == {ann_open.pk: True, bob_open.pk: False, later.pk: False}
