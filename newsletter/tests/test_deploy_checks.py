"""``manage.py check --deploy`` names the mail settings that cannot work in production."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from newsletter.models import NewsletterSettings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SMTP = {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {"host": "smtp.lisastopten.com", "port": 587},
}
POSTMARK = {
    "BACKEND": "anymail.backends.postmark.EmailBackend",
    "OPTIONS": {"server_token": "TOKEN"},
}
MAILGUN = {
    "BACKEND": "anymail.backends.mailgun.EmailBackend",
    "OPTIONS": {"api_key": "KEY", "sender_domain": "mg.lisastopten.com"},
}
# What an operator sets for production (docs/operations.md: Deploying).
READY_ENV = {
    "SITE_URL": "https://lisastopten.com",
    "EMAIL_URL": "smtp://mailer:pw@smtp.lisastopten.com:587?tls=1",
    "DEFAULT_FROM_EMAIL": "Lisa's Top Ten <lisa@lisastopten.com>",
    "NEWSLETTER_REPLY_TO": "lisa@lisastopten.com",
}


@pytest.fixture
def ready(settings):
    """Settings a production site would have."""
    settings.SITE_URL = READY_ENV["SITE_URL"]
    settings.MAILERS = {"default": SMTP, "newsletter": SMTP}
    settings.DEFAULT_FROM_EMAIL = settings.SERVER_EMAIL = READY_ENV["DEFAULT_FROM_EMAIL"]
    settings.WAGTAIL_NEWSLETTER_REPLY_TO = READY_ENV["NEWSLETTER_REPLY_TO"]
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    return settings


def check_deploy():
    """What ``manage.py check --deploy`` prints, errors included."""
    output = io.StringIO()
    try:
        call_command("check", "--deploy", stdout=output, stderr=output)
    except SystemCheckError as error:
        return str(error) + output.getvalue()
    return output.getvalue()


def newsletter_problems(output):
    return sorted(
        line.split(")")[0].split("(")[1] for line in output.splitlines() if "(newsletter." in line
    )


def test_a_site_ready_for_production_passes(ready):
    assert newsletter_problems(check_deploy()) == []
    NewsletterSettings.objects.create(
        from_email="lisa@lisastopten.com", unsubscribe_email="unsubscribe@lisastopten.com"
    )
    assert newsletter_problems(check_deploy()) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://lisastopten.com",
        "http://127.0.0.1:8000",
        "https://localhost:8000",
        "https://www.example.com",
    ],
)
def test_site_url_must_be_public_https(ready, url):
    ready.SITE_URL = url
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E003"]
    assert f"SITE_URL is '{url}'" in output
    assert "one-click unsubscribe works only over https" in output
    assert "SITE_URL=https://lisastopten.com" in output


@pytest.mark.parametrize(
    ("backend", "what"),
    [
        ("config.mail.OutboxBackend", "writes every message to a file"),
        ("django.core.mail.backends.console.EmailBackend", "prints every message"),
        ("django.core.mail.backends.locmem.EmailBackend", "keeps every message in memory"),
    ],
)
def test_a_mailer_that_delivers_nothing_is_an_error(ready, backend, what):
    ready.MAILERS = {"default": SMTP, "newsletter": {"BACKEND": backend}}
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E002"]
    assert f"The 'newsletter' mailer {what} instead of sending it" in output
    assert "Set NEWSLETTER_EMAIL_URL (or EMAIL_URL) to your mail provider, e.g. smtp://" in output


def test_a_fallback_that_delivers_nothing_is_an_error_too(ready):
    ready.MAILERS = {
        "default": SMTP,
        "newsletter": SMTP,
        "newsletter_fallback": {"BACKEND": "config.mail.OutboxBackend"},
    }
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E002"]
    assert "The 'newsletter_fallback' mailer writes every message to a file" in output
    assert "Set NEWSLETTER_FALLBACK_EMAIL_URL to your mail provider" in output


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_FROM_EMAIL", "Lisa's Top Ten <lisa@example.com>"),
        ("SERVER_EMAIL", "root@localhost"),
        ("WAGTAIL_NEWSLETTER_REPLY_TO", "lisa@mg.example.org"),
    ],
)
def test_senders_at_example_domains_are_errors(ready, name, value):
    setattr(ready, name, value)
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E004"]
    assert f"{name} is {value!r}, at a domain reserved for examples" in output
    assert "lisastopten.com" in output  # the example of what to set instead


def test_the_default_sender_is_reported_once_not_twice(ready):
    ready.DEFAULT_FROM_EMAIL = ready.SERVER_EMAIL = "Lisa's Top Ten <lisa@example.com>"
    assert newsletter_problems(check_deploy()) == ["newsletter.E004"]


def test_the_newsletter_senders_in_the_admin_are_checked_too(ready):
    NewsletterSettings.objects.create(
        from_email="lisa@example.com", unsubscribe_email="unsubscribe@example.net"
    )
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E004", "newsletter.E004"]
    assert "The sender address in Settings → Newsletter is 'lisa@example.com'" in output
    assert "The unsubscribe mailbox in Settings → Newsletter is 'unsubscribe@example.net'" in output
    assert "Change it in the admin under Settings → Newsletter" in output


def test_a_provider_without_a_webhook_secret_is_an_error(ready):
    ready.MAILERS = {"default": POSTMARK, "newsletter": POSTMARK}
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E001"]
    assert "Bounces and complaints from postmark are refused" in output
    assert "Set ANYMAIL_WEBHOOK_SECRET" in output
    assert "/newsletter/anymail/postmark/tracking/" in output
    ready.ANYMAIL = {"WEBHOOK_SECRET": "hooks:s3cret"}
    assert newsletter_problems(check_deploy()) == []


def test_a_provider_that_signs_its_webhooks_needs_its_key(ready):
    ready.MAILERS = {"default": MAILGUN, "newsletter": MAILGUN}
    ready.ANYMAIL = {"WEBHOOK_SECRET": "hooks:s3cret"}
    output = check_deploy()
    assert newsletter_problems(output) == ["newsletter.E001"]
    assert "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY" in output
    ready.ANYMAIL = {"WEBHOOK_SECRET": "hooks:s3cret", "MAILGUN_WEBHOOK_SIGNING_KEY": "key"}
    assert newsletter_problems(check_deploy()) == []


def production_check(database, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "NEWSLETTER_EMAIL_URL",
            "SERVER_EMAIL",
        }
        and not k.startswith("ANYMAIL_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-long-random-production-key-" + "x7Q9" * 10,
        DATABASE_URL=f"sqlite:///{database}",
        SECURE_SSL_REDIRECT="0",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_defaults_fail_and_a_ready_site_passes_before_migrating(tmp_path):
    # An empty database: Settings → Newsletter can't be read yet, and that is no crash.
    result = production_check(tmp_path / "new.sqlite3")
    assert result.returncode != 0
    for problem in ["newsletter.E002", "newsletter.E003", "newsletter.E004"]:
        assert problem in result.stderr, result.stderr
    result = production_check(tmp_path / "new.sqlite3", **READY_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
