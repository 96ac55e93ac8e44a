"""Bookkeeping that holds no readable address: sign-up attempts and suppressed hashes."""

from django.db import models
from django.utils import timezone


class SignupAttempt(models.Model):
    """One post of the sign-up form, kept a day so rate limits hold across server processes.

    Both keys are keyed hashes (see ``newsletter.throttle``), not the address or IP itself.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    client_key = models.CharField(max_length=64)
    email_key = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client_key", "created_at"], name="newsletter_attempt_client"),
            models.Index(fields=["email_key", "created_at"], name="newsletter_attempt_email"),
        ]

    def __str__(self):
        return f"Sign-up attempt at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Suppression(models.Model):
    """An erased address that must not come back through an import: only its SHA-256 is kept."""

    class Reason(models.TextChoices):
        ERASED = "erased", "Erased on request"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed, then erased"
        BOUNCED = "bounced", "Bounced, then erased"
        COMPLAINED = "complained", "Complained, then erased"

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.get_reason_display()} ({self.email_hash[:12]}…)"
