"""Forms readers and editors fill in: sign-up, pause, and the CSV import."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminModelForm

from newsletter.addresses import clean_email
from newsletter.models import MailingList
from newsletter.subscriptions import consent
from newsletter.subscriptions.service import PAUSE_CHOICES

HONEYPOT = "website"
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def site_path(value):
    """The site-relative path of the page a form was on, or "" if it doesn't look like one."""
    value = (value or "").strip()
    if len(value) > 400 or any(ord(char) < 32 for char in value):
        return ""
    site = settings.SITE_URL.rstrip("/")
    if value.startswith(site + "/"):
        value = value[len(site) :]
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return ""
    return parts.path


class SignupForm(forms.Form):
    """The sign-up form on every reader page. Rendered by hand in
    ``components/signup_cta.html``; the field names here are the contract."""

    email = forms.CharField(
        label="Your email address",
        strip=False,  # clean_email() looks for line breaks before stripping
        required=False,  # so an empty box gets clean_email()'s own words
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "required": True, "placeholder": "you@example.com"}
        ),
    )
    # The honeypot: hidden from people, filled in by bots that fill in everything.
    website = forms.CharField(required=False)
    source_url = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # clean_email() refuses control characters (NUL included) in its own words, and
        # the hidden fields are only ever used after cleaning, so none needs Django's check.
        for field in self.fields.values():
            field.validators = []

    def clean_email(self):
        return clean_email(self.cleaned_data.get("email"))

    def clean_source_url(self):
        return site_path(self.cleaned_data.get("source_url"))

    @property
    def is_bot(self):
        return bool(self.data.get(HONEYPOT, "").strip())

    def typed_email(self):
        """What the reader typed, trimmed for showing back on the page."""
        return " ".join(str(self.data.get("email", "")).split())[:254]


class PreferencesForm(forms.Form):
    """One button on the preference page: what to do, and for pausing, for how long."""

    ACTIONS = ("pause", "resume", "unsubscribe", "resubscribe")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    weeks = forms.ChoiceField(choices=[(key, key) for key in PAUSE_CHOICES], required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "pause" and not cleaned.get("weeks"):
            raise forms.ValidationError("Choose how long to pause for.")
        return cleaned

    def pause_weeks(self):
        return PAUSE_CHOICES[self.cleaned_data["weeks"]]


class SubscriberAdminForm(WagtailAdminModelForm):
    """The admin's add and edit form: a status change must pass ``consent``."""

    def clean_status(self):
        status = self.cleaned_data["status"]
        old = self.instance.status if self.instance.pk else None
        if reason := consent.refusal(old, status, consent.Actor.EDITOR):
            raise forms.ValidationError(reason)
        return status


class ImportForm(forms.Form):
    """Upload a CSV of subscribers in the admin."""

    file = forms.FileField(
        label="CSV file",
        help_text='The first row names the columns. Only "email" is required; also read: '
        "status, source, created_at, consent_at, consent_url, consent_text. "
        'E.g. "email,status,consent_at" then "jane@example.com,active,2026-01-31 08:00".',
    )
    mailing_list = forms.ModelChoiceField(
        queryset=MailingList.objects.all(),
        required=False,
        help_text="Everyone in the file joins this list, e.g. Daily.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid rows",
        help_text="Import the valid rows even if some are invalid. Leave unticked to import "
        "nothing unless every row is valid.",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Check only",
        help_text="Check the file and show what would happen, without importing anything.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mailing_list"].initial = MailingList.objects.filter(
            join_on_signup=True
        ).first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                "That file is over 50 MB. Split it into smaller files and import each."
            )
        return upload
