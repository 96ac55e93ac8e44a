"""Mail transports chosen by one URL, and the file outbox used in development.

``EMAIL_URL`` picks the transport for both ``MAILERS`` aliases (``default`` for
transactional mail, ``newsletter`` for bulk); ``NEWSLETTER_EMAIL_URL`` may point the
bulk alias elsewhere, and ``NEWSLETTER_FALLBACK_EMAIL_URL`` adds ``newsletter_fallback``, the
transport that takes over a send when the bulk one keeps failing. Examples::

    file:var/outbox                     one .eml file per message (development default)
    console:                            print messages to standard output
    locmem:                             keep messages in django.core.mail.outbox
    smtp://user:pass@mail.example.com:587?tls=1&timeout=10
    smtps://user:pass@mail.example.com:465
    mailgun://API_KEY@?sender_domain=mg.example.com     any django-anymail provider
    mailgun://API_KEY@?sender_domain=mg.example.com&api_url=http://127.0.0.1:9000/v3/&timeout=10

A django-anymail provider's query holds its settings (anymail's ``MAILGUN_API_URL`` is
``api_url``: another region, or a local stand-in such as ``python -m trials.mailgun``), and
``timeout`` the seconds each API call may take.
"""

import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

# django-anymail providers, by URL scheme; the URL's user part is the provider's secret.
ANYMAIL_SECRETS = {
    "amazon_ses": None,
    "brevo": "api_key",
    "mailersend": "api_token",
    "mailgun": "api_key",
    "mailjet": "api_key",
    "mandrill": "api_key",
    "postal": "key",
    "postmark": "server_token",
    "resend": "api_key",
    "sendgrid": "api_key",
    "sparkpost": "api_key",
    "test": None,
}
TRUE_WORDS = {"1", "true", "yes", "on"}


def mailer_from_url(url, base_dir):
    """Return a ``MAILERS`` entry (``BACKEND`` and ``OPTIONS``) for an ``EMAIL_URL``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = dict(parse_qsl(parts.query))
    if scheme == "file":
        path = Path(unquote(parts.netloc + parts.path) or "var/outbox")
        if not path.is_absolute():
            path = Path(base_dir) / path
        return {"BACKEND": "config.mail.OutboxBackend", "OPTIONS": {"file_path": str(path)}}
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme in ("smtp", "smtps"):
        options = {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": scheme == "smtps",
            "use_tls": query.get("tls", "").lower() in TRUE_WORDS,
            "timeout": float(query.get("timeout", 30)),
        }
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    if scheme in ANYMAIL_SECRETS:
        options = dict(query)
        if "timeout" in options:  # seconds each API call may take (anymail's requests timeout)
            options["timeout"] = float(options["timeout"])
        secret_name = ANYMAIL_SECRETS[scheme]
        if secret_name and parts.username:
            options[secret_name] = unquote(parts.username)
        return {"BACKEND": f"anymail.backends.{scheme}.EmailBackend", "OPTIONS": options}
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not known. Use file:, console:, smtp://, smtps:// "
        f"or a django-anymail provider ({', '.join(sorted(ANYMAIL_SECRETS))})."
    )


def webhook_providers(mailers):
    """The django-anymail providers the ``MAILERS`` send through, by their ``EMAIL_URL``
    scheme (``{"postmark"}``): each reports bounces and complaints to its webhook."""
    providers = set()
    for mailer in mailers.values():
        backend = mailer.get("BACKEND", "")
        if backend.startswith("anymail.backends.") and backend.endswith(".EmailBackend"):
            providers.add(backend.removeprefix("anymail.backends.").split(".")[0])
    # anymail's test backend keeps messages in memory and has no webhook.
    return providers - {"test"}


class OutboxBackend(BaseEmailBackend):
    """Write each message to its own readable ``.eml`` file in ``file_path``.

    Django's own file backend appends every message of a connection to one log file;
    an outbox of one file per message is easier to open in a mail client and to test.
    """

    _counter = 0
    _lock = threading.Lock()

    def __init__(self, *, file_path, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(file_path)
        self.path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages):
        for message in email_messages:
            with self._lock:
                OutboxBackend._counter += 1
                counter = OutboxBackend._counter
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            slug = re.sub(r"[^a-z0-9]+", "-", str(message.subject).lower()).strip("-")[:40]
            name = f"{stamp}-{counter:06d}-{slug or 'message'}.eml"
            (self.path / name).write_bytes(message.message().as_bytes())
        return len(email_messages)
