"""The rate limiter's one table (``core.ratelimit``)."""

from django.db import models
from django.utils import timezone


class Attempt(models.Model):
    """One counted request (a sign-up, a failed sign-in, a password-reset request), under one
    of the keys a limit counts it by.

    ``key`` and ``item`` are keyed hashes (HMAC with ``SECRET_KEY``), never an address, an IP
    or a username. Rows are deleted once ``expires_at``, the end of the longest window that
    counts them, has passed.
    """

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    item = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"], name="core_attempt_key")]

    def __str__(self):
        return f"{self.scope} at {self.created_at:%Y-%m-%d %H:%M:%S}"
