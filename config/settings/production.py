"""Production: base settings plus HTTPS hardening; refuses the development secret key, and a
mail provider whose bounce and complaint webhook has no password."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.mail import webhook_providers

from . import DEV_SECRET_KEY
from .base import *  # noqa: F403
from .base import ADMIN_CSP, ANYMAIL, MAILERS, SECRET_KEY, SECURE_CSP, env_bool

if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (50+ characters) for production, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'. "
        "The development key is refused."
    )

if webhook_providers(MAILERS) and not ANYMAIL["WEBHOOK_SECRET"]:
    provider = sorted(webhook_providers(MAILERS))[0]
    raise ImproperlyConfigured(
        f"Mail goes through {provider}, whose bounce and complaint webhook needs a password. "
        "Set ANYMAIL_WEBHOOK_SECRET to a user name and a long random password, e.g. "
        "ANYMAIL_WEBHOOK_SECRET=hooks:$(python -c 'import secrets; print(secrets.token_hex(16))'), "
        f"and give {provider} the webhook address "
        f"https://hooks:<password>@your-site/newsletter/anymail/{provider}/tracking/."
    )

DEBUG = False
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if not SECURE_SSL_REDIRECT:
    # The operator says the proxy redirects http:// to https:// itself.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Browsers load http:// images and embeds over https instead (no mixed content).
SECURE_CSP = {**SECURE_CSP, "upgrade-insecure-requests": True}
ADMIN_CSP = {**ADMIN_CSP, "upgrade-insecure-requests": True}
