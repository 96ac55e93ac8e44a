"""Subscribers: one row per address, with its status, consent record and preferences."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from newsletter.addresses import clean_email, normalise_email


class SubscriberQuerySet(models.QuerySet):
    def with_email(self, email):
        """Rows for this address in any letter case (uses the ``Lower(email)`` index)."""
        return self.filter(Exact(Lower("email"), normalise_email(email)))

    def receiving(self):
        """Who gets the newsletter today: active and not paused (a pause ends on its date)."""
        today = timezone.localdate()
        return self.filter(status=Subscriber.Status.ACTIVE).filter(
            Q(paused=False) | Q(paused_until__isnull=False, paused_until__lte=today)
        )


class Subscriber(models.Model):
    """A reader's address and where it stands: editors see and manage these in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (marked as spam)"

    class Source(models.TextChoices):
        FORM = "form", "Sign-up form"
        IMPORT = "import", "Import"
        ADMIN = "admin", "Added in the admin"

    # No mail goes to these, whatever the lists say.
    SUPPRESSED = (Status.UNSUBSCRIBED, Status.BOUNCED, Status.COMPLAINED)

    email = models.EmailField(
        max_length=254,
        help_text='The reader\'s address, e.g. "jane.doe@example.com". Stored in lower case.',
    )
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
        help_text="Only active subscribers get the newsletter. Add someone as Pending and we "
        "email them a link to confirm: they become active when they click it, and only the "
        "reader can do that. You can unsubscribe someone (e.g. they asked by phone), but "
        "only the reader can subscribe again, from the sign-up form.",
    )
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.ADMIN,
        help_text="How the address reached us, e.g. the sign-up form.",
    )
    lists = models.ManyToManyField(
        "newsletter.MailingList",
        blank=True,
        related_name="subscribers",
        help_text='The lists they get, e.g. "Daily".',
    )
    created_at = models.DateTimeField(
        "signed up",
        default=timezone.now,
        db_index=True,
        help_text="When the address first reached us.",
    )
    confirmed_at = models.DateTimeField(
        "confirmed",
        null=True,
        blank=True,
        help_text="When they last confirmed their subscription.",
    )
    unsubscribed_at = models.DateTimeField(
        "unsubscribed", null=True, blank=True, help_text="When they last unsubscribed."
    )
    status_reason = models.CharField(
        "reason for the status",
        max_length=255,
        blank=True,
        help_text='Why the status last changed, e.g. "550 5.1.1 no such user" or '
        '"one-click unsubscribe".',
    )
    consent_at = models.DateTimeField(
        "consent given",
        null=True,
        blank=True,
        help_text="When they agreed to get the newsletter, e.g. when they clicked the "
        "confirmation link.",
    )
    consent_url = models.CharField(
        "where consent was given",
        max_length=500,
        blank=True,
        help_text="The page or place where they signed up, e.g. "
        '"https://lisastopten.com/news/some-story/" or "Paper form, London book fair 2026".',
    )
    consent_text = models.TextField(
        "wording agreed to",
        blank=True,
        help_text="The exact words they were shown when signing up, e.g. \"Send me Lisa's "
        'Top Ten every morning. I can unsubscribe at any time."',
    )
    paused = models.BooleanField(
        default=False,
        help_text="Tick to stop the newsletter for a while without unsubscribing.",
    )
    paused_until = models.DateField(
        null=True,
        blank=True,
        help_text="The newsletter starts again on this day, e.g. 2026-12-01. Leave empty to "
        "pause until they resume.",
    )
    signup_mail_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the sign-up form last made us email them (confirmation or reminder).",
    )
    pending_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When they last asked to subscribe (again). Confirmation links are for "
        "this sign-up only: a link from an earlier one no longer works.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    panels = [
        FieldPanel("email"),
        FieldPanel("status"),
        FieldPanel("lists", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([FieldPanel("paused"), FieldPanel("paused_until")], heading="Pause"),
        MultiFieldPanel(
            [FieldPanel("consent_at"), FieldPanel("consent_url"), FieldPanel("consent_text")],
            heading="Consent record",
        ),
        MultiFieldPanel(
            [
                FieldPanel("source", read_only=True),
                FieldPanel("created_at", read_only=True),
                FieldPanel("confirmed_at", read_only=True),
                FieldPanel("unsubscribed_at", read_only=True),
                FieldPanel("status_reason"),
            ],
            heading="History",
        ),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("import_subscriber", "Can import subscribers from CSV"),
            ("export_subscriber", "Can export subscribers to CSV"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="newsletter_subscriber_email_ci_unique",
                violation_error_message="This address is already a subscriber.",
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        now = timezone.now()
        if self.status == self.Status.ACTIVE and self.confirmed_at is None:
            self.confirmed_at = now
        if self.status == self.Status.UNSUBSCRIBED and self.unsubscribed_at is None:
            self.unsubscribed_at = now
        if not self.paused:
            self.paused_until = None
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        try:
            self.email = clean_email(self.email)
        except ValidationError as error:
            raise ValidationError({"email": error.messages}) from None
        if self.paused_until and not self.paused:
            self.paused = True

    def change_status(self, status, reason=""):
        """Move to ``status``, stamping the matching time and the reason, and save."""
        now = timezone.now()
        if status == self.Status.PENDING and self.status != status:
            self.pending_since = now  # a new sign-up: links sent for an earlier one stop
        self.status = status
        self.status_reason = reason[:255]
        if status == self.Status.ACTIVE:
            self.confirmed_at = now
        elif status == self.Status.UNSUBSCRIBED:
            self.unsubscribed_at = now
        self.save()

    @property
    def is_suppressed(self):
        return self.status in self.SUPPRESSED

    @property
    def is_paused(self):
        """Paused today (a pause with an end date is over on that date)."""
        if not self.paused:
            return False
        return self.paused_until is None or self.paused_until > timezone.localdate()
