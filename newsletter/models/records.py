"""Bookkeeping that holds no readable address: suppressed hashes (sign-up attempts are
counted by ``core.ratelimit``), and the days the worker prepared the next issue's draft."""

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


class PreparedDraft(models.Model):
    """A day on which the worker prepared the next issue's draft (at most one a day: the day is
    unique, so two workers make one draft, and a draft an editor deleted is not made again
    that day). See ``newsletter.issues.preparing.prepare_if_due``."""

    prepared_on = models.DateField(unique=True, help_text="The day the draft was prepared.")
    issue_date = models.DateField(help_text="The date of the issue it prepared.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-prepared_on"]

    def __str__(self):
        return f"{self.prepared_on}: prepared the issue of {self.issue_date}"
