"""Deployment settings and mail transports, as an operator meets them."""

import email
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives

from config.mail import OutboxBackend, mailer_from_url

ROOT = Path(__file__).resolve().parents[2]
# check --deploy refuses the development mail settings (newsletter/checks.py).
PRODUCTION_MAIL = {
    "SITE_URL": "https://lisastopten.com",
    "EMAIL_URL": "smtp://mailer:pw@smtp.lisastopten.com:587?tls=1",
    "DEFAULT_FROM_EMAIL": "Lisa's Top Ten <lisa@lisastopten.com>",
    "NEWSLETTER_REPLY_TO": "lisa@lisastopten.com",
}


def django_check(**env):
    skip = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in skip}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("key", [None, "django-insecure-development-only-never-in-production"])
def test_production_refuses_the_development_secret_key(key):
    result = django_check(**({"SECRET_KEY": key} if key else {}))

    assert result.returncode != 0
    assert "Set SECRET_KEY to a long random value" in result.stderr


def test_production_starts_with_a_real_key():
    result = django_check(
        SECRET_KEY="k" * 20 + "-a-long-random-production-key-0123456789",
        ANYMAIL_WEBHOOK_SECRET="hook:s3cret",
        **PRODUCTION_MAIL,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_email_urls_pick_the_transport(tmp_path):
    smtp = mailer_from_url("smtp://user:p%40ss@mail.example.com:587?tls=1&timeout=5", tmp_path)
    assert smtp["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert smtp["OPTIONS"] == {
        "host": "mail.example.com",
        "port": 587,
        "username": "user",
        "password": "p@ss",
        "use_ssl": False,
        "use_tls": True,
        "timeout": 5.0,
    }
    assert mailer_from_url("smtps://mail.example.com", tmp_path)["OPTIONS"]["port"] == 465
    assert mailer_from_url("console:", tmp_path)["BACKEND"].endswith("console.EmailBackend")
    outbox = mailer_from_url("file:var/outbox", tmp_path)
    assert outbox["OPTIONS"]["file_path"] == str(tmp_path / "var" / "outbox")
    postmark = mailer_from_url("postmark://TOKEN@", tmp_path)
    assert postmark == {
        "BACKEND": "anymail.backends.postmark.EmailBackend",
        "OPTIONS": {"server_token": "TOKEN"},
    }
    with pytest.raises(ImproperlyConfigured, match="not known"):
        mailer_from_url("pigeon://coop", tmp_path)


def test_file_outbox_writes_one_readable_message_per_file(tmp_path):
    backend = OutboxBackend(file_path=tmp_path, alias="default")
    messages = []
    for n in range(3):
        message = EmailMultiAlternatives(
            f"Confirm your subscription {n}",
            "Plain text body",
            "lisa@example.com",
            [f"reader{n}@example.org"],
        )
        message.attach_alternative("<p>HTML body</p>", "text/html")
        messages.append(message)

    assert backend.send_messages(messages) == 3

    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 3
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == "reader0@example.org"
    assert parsed.get_body(("plain",)).get_content().strip() == "Plain text body"
