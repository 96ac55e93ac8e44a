"""Deployment checks (``manage.py check --deploy``): mail that could not work in production.
Each is an error, so ``check --deploy`` fails until it is fixed (or, for a staging site that
knows better, silenced with ``SILENCED_SYSTEM_CHECKS``).

One check runs everywhere (every ``manage.py`` command, ``runserver``, ``db_worker``): a
``NEWSLETTER_PREPARE_AT`` that is not a time of day, which would otherwise stop the worker's
daily draft with an error every few seconds.
"""

from email.utils import getaddresses
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError

from newsletter.conf import parse_clock
from newsletter.conf import setting as newsletter_setting
from newsletter.models import NewsletterSettings
from newsletter.subscriptions import webhooks

# Transports that keep mail on this machine instead of delivering it.
UNDELIVERED = {
    "config.mail.OutboxBackend": "writes every message to a file",
    "django.core.mail.backends.filebased.EmailBackend": "writes every message to a file",
    "django.core.mail.backends.console.EmailBackend": "prints every message",
    "django.core.mail.backends.locmem.EmailBackend": "keeps every message in memory",
    "django.core.mail.backends.dummy.EmailBackend": "throws every message away",
    "anymail.backends.test.EmailBackend": "keeps every message in memory",
}
MAILER_VARIABLES = {
    "default": "EMAIL_URL",
    "newsletter": "NEWSLETTER_EMAIL_URL (or EMAIL_URL)",
    "newsletter_fallback": "NEWSLETTER_FALLBACK_EMAIL_URL",
}
# Names set aside for examples and tests (RFC 2606, RFC 6761): no mail is sent from them.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = ("example", "invalid", "localhost", "test")
LOOPBACK = ("localhost", "127.0.0.1", "::1", "0.0.0.0")
# Addresses readers see or reply to: (setting, environment variable, a good example).
SENDER_SETTINGS = [
    ("DEFAULT_FROM_EMAIL", "DEFAULT_FROM_EMAIL", "Lisa's Top Ten <lisa@lisastopten.com>"),
    ("SERVER_EMAIL", "SERVER_EMAIL", "alerts@lisastopten.com"),
    ("WAGTAIL_NEWSLETTER_REPLY_TO", "NEWSLETTER_REPLY_TO", "lisa@lisastopten.com"),
]
SENDER_FIELDS = {
    "from_email": "lisa@lisastopten.com",
    "reply_to": "lisa@lisastopten.com",
    "unsubscribe_email": "unsubscribe@lisastopten.com",
}


def is_reserved(domain):
    domain = domain.lower().rstrip(".")
    return (
        domain in LOOPBACK
        or domain.rsplit(".", 1)[-1] in RESERVED_TLDS
        or any(domain == name or domain.endswith("." + name) for name in RESERVED_DOMAINS)
    )


@register()
def prepare_at_check(app_configs, **kwargs):
    value = newsletter_setting("NEWSLETTER_PREPARE_AT")
    try:
        parse_clock(value)
    except ValueError:
        return [
            Error(
                f"NEWSLETTER_PREPARE_AT is {value!r}: it must be a time of day as HH:MM, so the "
                "worker knows when to prepare the next issue's draft.",
                hint='Set it to a local time between "00:00" and "23:59", e.g. '
                'NEWSLETTER_PREPARE_AT="17:00", or to "" (None in a settings module) to turn '
                "the daily draft off (docs/operations.md: The next issue's draft).",
                id="newsletter.E005",
            )
        ]
    return []


@register(deploy=True)
def webhook_check(app_configs, **kwargs):
    return [
        Error(
            f"Bounces and complaints from {provider} are refused, so the site keeps mailing "
            f"addresses that bounce or complain. {problem}",
            hint="The webhook answers 403 until then (docs/operations.md: The mail "
            "provider's webhook).",
            id="newsletter.E001",
        )
        for provider in sorted(webhooks.configured_providers())
        if (problem := webhooks.webhook_problem(provider))
    ]


@register(deploy=True)
def transport_check(app_configs, **kwargs):
    errors = []
    for alias, mailer in settings.MAILERS.items():
        what = UNDELIVERED.get(mailer.get("BACKEND"))
        if what:
            variable = MAILER_VARIABLES.get(alias, "EMAIL_URL")
            errors.append(
                Error(
                    f"The {alias!r} mailer {what} instead of sending it: readers get nothing.",
                    hint=f"Set {variable} to your mail provider, e.g. "
                    "smtp://USER:PASSWORD@smtp.lisastopten.com:587?tls=1 or "
                    "postmark://SERVER_TOKEN@ (docs/operations.md: Mail).",
                    id="newsletter.E002",
                )
            )
    return errors


@register(deploy=True)
def site_url_check(app_configs, **kwargs):
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname and not is_reserved(parts.hostname):
        return []
    return [
        Error(
            f"SITE_URL is {settings.SITE_URL!r}, and every link in every email starts with it. "
            "Readers need the site's public https address: one-click unsubscribe works only over "
            "https, and Gmail and Yahoo refuse bulk mail without it.",
            hint="Set SITE_URL to the site's public address, e.g. SITE_URL=https://lisastopten.com.",
            id="newsletter.E003",
        )
    ]


def sender_error(where, value, hint):
    return Error(
        f"{where} is {value!r}, at a domain reserved for examples: no mail reaches it, and "
        "mail sent from it is refused or lands in spam.",
        hint=hint + " Its domain must be set up with your mail provider (SPF and DKIM).",
        id="newsletter.E004",
    )


def newsletter_settings():
    """Settings → Newsletter, without creating it; None before the database is migrated."""
    try:
        return NewsletterSettings.objects.first()
    except DatabaseError:
        return None


@register(deploy=True)
def sender_check(app_configs, **kwargs):
    errors = []
    checked = set()
    for setting, variable, example in SENDER_SETTINGS:
        value = getattr(settings, setting, "") or ""
        if value in checked:
            continue  # SERVER_EMAIL is DEFAULT_FROM_EMAIL unless set: one error, one fix.
        checked.add(value)
        if any(is_reserved(address.rpartition("@")[2]) for _, address in getaddresses([value])):
            errors.append(
                sender_error(setting, value, f'Set {variable}, e.g. {variable}="{example}".')
            )
    newsletter = newsletter_settings()
    for field, example in SENDER_FIELDS.items() if newsletter else ():
        value = getattr(newsletter, field)
        if value and is_reserved(value.rpartition("@")[2]):
            label = newsletter._meta.get_field(field).verbose_name
            errors.append(
                sender_error(
                    f"The {label} in Settings → Newsletter",
                    value,
                    f'Change it in the admin under Settings → Newsletter, e.g. "{example}".',
                )
            )
    return errors
