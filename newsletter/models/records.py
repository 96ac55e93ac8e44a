"""Bookkeeping that holds no readable address: suppressed hashes (sign-up attempts are
counted by ``core.ratelimit``)."""

from django.db import models
from django.utils import timezone


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
