"""The mail provider's webhook, as a stranger and as the provider meet it: closed until the
site has its secret, and only for the provider the site sends through."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from newsletter.factories import SubscriberFactory
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status
POSTMARK = {
    "BACKEND": "anymail.backends.postmark.EmailBackend",
    "OPTIONS": {"server_token": "TOKEN"},
}
LOCMEM = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
SECRET = "hooks:s3cret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reader(db):
    return SubscriberFactory(email="reader00010@example.com")


@pytest.fixture
def postmark_site(settings):
    """The site sends through Postmark, with the webhook secret set."""
    settings.MAILERS = {"default": POSTMARK, "newsletter": POSTMARK}
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    return settings


def complaint(email):
    return {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "Email": email,
        "ID": 2,
        "Details": "Reported as spam",
    }


def post(client, payload, auth=None, provider="postmark"):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(
        f"/newsletter/anymail/{provider}/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def status_of(subscriber):
    subscriber.refresh_from_db()
    return subscriber.status


@pytest.mark.parametrize("auth", [None, "made:up"])
def test_without_a_secret_a_forged_complaint_is_refused(client, settings, reader, auth):
    settings.MAILERS = {"default": POSTMARK, "newsletter": POSTMARK}
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    response = post(client, complaint(reader.email), auth=auth)
    assert response.status_code == 403
    assert b"Traceback" not in response.content
    assert status_of(reader) == Status.ACTIVE
    # Nor does the provider's "is this address alive?" probe get an answer.
    assert client.head("/newsletter/anymail/postmark/tracking/").status_code == 403


def test_with_the_secret_wrong_credentials_are_refused(client, postmark_site, reader):
    for auth in [None, "made:up", "hooks:wrong", SECRET + "x"]:
        response = post(client, complaint(reader.email), auth=auth)
        assert response.status_code in (400, 401, 403), auth
        assert status_of(reader) == Status.ACTIVE, auth


def test_with_the_right_credentials_a_complaint_suppresses(postmark_site, reader):
    # The provider has no CSRF token: the webhook must not need one.
    client = Client(enforce_csrf_checks=True)
    response = post(client, complaint(reader.email), auth=SECRET)
    assert response.status_code == 200
    assert status_of(reader) == Status.COMPLAINED
    reader.refresh_from_db()
    assert reader.status_reason.startswith("Postmark:")


def test_with_the_right_credentials_a_hard_bounce_suppresses(client, postmark_site, active):
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "Email": active.email,
        "ID": 1,
        "Details": "smtp;550 5.1.1 The email account does not exist",
    }
    assert post(client, bounce, auth=SECRET).status_code == 200
    assert status_of(active) == Status.BOUNCED


@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/anymail/sendgrid/tracking/",
        "/newsletter/anymail/mailgun/tracking/",
        "/newsletter/anymail/mandrill/",
        "/newsletter/anymail/mandrill/tracking/",
        "/newsletter/anymail/postmark/inbound/",
        "/newsletter/anymail/amazon_ses/tracking/",
        "/newsletter/anymail/nonsense/tracking/",
    ],
)
def test_only_the_configured_providers_webhook_exists(client, postmark_site, reader, path):
    response = client.post(
        path,
        json.dumps(complaint(reader.email)),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"made:up").decode(),
    )
    assert response.status_code == 404
    assert b"Traceback" not in response.content
    assert status_of(reader) == Status.ACTIVE


@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "mailgun", "mandrill"])
def test_with_the_outbox_no_provider_webhook_exists(client, settings, reader, provider):
    settings.MAILERS = {"default": LOCMEM, "newsletter": LOCMEM}
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = post(client, complaint(reader.email), auth=SECRET, provider=provider)
    assert response.status_code == 404
    assert status_of(reader) == Status.ACTIVE


def test_the_bulk_mailers_provider_has_its_webhook_too(client, settings, reader):
    settings.MAILERS = {"default": LOCMEM, "newsletter": POSTMARK}
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert post(client, complaint(reader.email), auth=SECRET).status_code == 200
    assert status_of(reader) == Status.COMPLAINED


def test_a_provider_missing_its_signing_key_refuses_instead_of_failing(client, settings, reader):
    mailgun = {
        "BACKEND": "anymail.backends.mailgun.EmailBackend",
        "OPTIONS": {"api_key": "KEY", "sender_domain": "mg.lisastopten.com"},
    }
    settings.MAILERS = {"default": mailgun, "newsletter": mailgun}
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    event = {
        "signature": {"token": "t", "timestamp": "1", "signature": "s"},
        "event-data": {"event": "complained", "recipient": reader.email},
    }
    response = post(client, event, auth=SECRET, provider="mailgun")
    assert response.status_code == 403
    assert b"Traceback" not in response.content
    assert status_of(reader) == Status.ACTIVE


def production(**env):
    """``manage.py check`` with the production settings and this environment."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith(("ANYMAIL_", "EMAIL_URL", "NEWSLETTER_EMAIL_URL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-long-random-production-key-" + "x7Q9" * 10,
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "urls", [{"EMAIL_URL": "postmark://TOKEN@"}, {"NEWSLETTER_EMAIL_URL": "postmark://TOKEN@"}]
)
def test_production_refuses_to_start_with_a_provider_and_no_secret(urls):
    result = production(**urls)
    assert result.returncode != 0
    assert "Set ANYMAIL_WEBHOOK_SECRET" in result.stderr
    assert "/newsletter/anymail/postmark/tracking/" in result.stderr
    assert production(ANYMAIL_WEBHOOK_SECRET=SECRET, **urls).returncode == 0
    # SMTP has no webhook, so nothing to protect.
    assert production(EMAIL_URL="smtp://mail.lisastopten.com:587").returncode == 0
