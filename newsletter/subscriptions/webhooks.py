"""Which mail provider webhook the site answers, and whether it is ready to.

Only the django-anymail provider that ``EMAIL_URL`` or ``NEWSLETTER_EMAIL_URL`` sends through
has a webhook (``/newsletter/anymail/<provider>/tracking/``), and it stays closed until
``ANYMAIL_WEBHOOK_SECRET`` is set: anymail itself would only warn and accept anyone.
"""

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from django.conf import settings

from config.mail import webhook_providers

# anymail's tracking view for each provider, by its EMAIL_URL scheme ("postmark").
TRACKING_VIEWS = {
    pattern.name.removesuffix("_tracking_webhook"): pattern.callback.view_class
    for pattern in anymail_urls.urlpatterns
    if pattern.name.endswith("_tracking_webhook")
}
SECRET_HINT = (
    "Set ANYMAIL_WEBHOOK_SECRET to a user name and a long random password, e.g. "
    "'hooks:4f7c2b9e1d6a8f30', and give {provider} the webhook address "
    "https://hooks:4f7c2b9e1d6a8f30@your-site/newsletter/anymail/{provider}/tracking/."
)


def configured_providers():
    """The providers the site sends through that report back by webhook (``{"postmark"}``)."""
    return {name for name in webhook_providers(settings.MAILERS) if name in TRACKING_VIEWS}


def webhook_secret():
    return getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET")


def webhook_problem(provider):
    """Why ``provider``'s webhook must refuse every post, in an operator's words, or ``""``."""
    if not webhook_secret():
        return "The webhook has no password, so anyone could post to it. " + SECRET_HINT.format(
            provider=provider
        )
    try:
        # anymail reads its settings (signing keys) when the view is made.
        TRACKING_VIEWS[provider]()
    except AnymailConfigurationError as error:
        return (
            f"{provider}'s webhook is missing a setting: {error}. Put it in the "
            "environment with the ANYMAIL_ prefix, e.g. "
            "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY=... (the signing key from the "
            "provider's webhook page)."
        )
    return ""
