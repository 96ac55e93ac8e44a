"""Deployment checks (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def webhook_secret_check(app_configs, **kwargs):
    secret = getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET")
    if secret:
        return []
    return [
        Warning(
            "The mail provider webhooks at /newsletter/anymail/ accept posts from anyone, "
            "so a stranger could mark subscribers as bounced.",
            hint="Set ANYMAIL_WEBHOOK_SECRET to 'user:password' and give the provider "
            "https://user:password@your-site/newsletter/anymail/<provider>/tracking/.",
            id="newsletter.W001",
        )
    ]
