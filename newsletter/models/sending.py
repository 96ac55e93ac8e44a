"""What went out and to whom: frozen snapshots, campaigns and one delivery row per recipient.

- ``IssueSnapshot``: the issue as sent (subject, preheader, HTML, text, stories), frozen. The
  archive shows it; the model refuses any change once saved.
- ``Campaign``: wagtail-newsletter's "campaign" in our database: what an editor saved, who it
  goes to, when, and how far sending has got.
- ``Delivery``: one row per recipient, made when sending starts (the recipient list is frozen
  then). Workers claim batches of rows with a lease; a row marked sent is never sent again.
  A row taken over from a worker that died may have been sent already: it is flagged
  ``possible_duplicate`` so the report can say so.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from newsletter import rules
from newsletter.conf import MAILER


class IssueSnapshotQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("A sent issue's snapshot cannot be changed.")


class IssueSnapshot(models.Model):
    """An issue exactly as it was sent; the archive page shows this, not the live articles."""

    issue = models.OneToOneField(
        "newsletter.IssuePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="snapshot",
    )
    issue_date = models.DateField(unique=True)
    subject = models.CharField(max_length=1000)
    preheader = models.CharField(max_length=300, blank=True)
    html = models.TextField(help_text="The email's HTML with per-recipient placeholders.")
    text = models.TextField(help_text="The plain-text part with per-recipient placeholders.")
    web_html = models.TextField(help_text="The archive page's body, rendered at send time.")
    stories = models.JSONField(
        help_text="The stories as sent: rank, headline, blurb, URL, image URL and credit."
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64, editable=False)

    objects = IssueSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date"]
        verbose_name = "sent issue"

    def __str__(self):
        return f"{self.subject} ({self.issue_date})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A sent issue's snapshot cannot be changed.")
        self.content_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A sent issue's snapshot cannot be deleted.")

    def compute_hash(self):
        content = json.dumps(
            [self.subject, self.preheader, self.html, self.text, self.stories],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(content.encode()).hexdigest()

    @property
    def is_intact(self):
        return self.content_hash == self.compute_hash()


class Campaign(models.Model):
    """One send of an issue: saved by an editor, then scheduled or sent, with its progress."""

    class Status(models.TextChoices):
        """Labels for editors; what each status means, and the moves between them, are in
        ``newsletter.rules``."""

        DRAFT = rules.DRAFT, "Saved, not sent"
        SCHEDULED = rules.SCHEDULED, "Scheduled"
        WAITING = rules.WAITING, "Missed its time: waiting for an editor"
        SENDING = rules.SENDING, "Sending"
        PAUSED = rules.PAUSED, "Paused"
        SENT = rules.SENT, "Sent"
        CANCELLED = rules.CANCELLED, "Cancelled"
        FAILED = rules.FAILED, "Failed: could not be sent"

    issue = models.ForeignKey(
        "newsletter.IssuePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    subject = models.CharField(max_length=1000, blank=True)
    html = models.TextField(blank=True, help_text="The latest saved draft, for test emails.")
    from_name = models.CharField(max_length=200, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    audience = models.CharField(max_length=100, blank=True)
    segment = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    snapshot = models.OneToOneField(
        IssueSnapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="campaign"
    )
    recipient_count = models.PositiveIntegerField(default=0)
    rate_limit = models.PositiveIntegerField(
        default=0, help_text="Most messages a second (0: as fast as the server takes them)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transport = models.CharField(
        max_length=40,
        default=MAILER,
        help_text='The mailer the rest of this send goes through: "newsletter" (the main '
        'transport) or "newsletter_fallback" once the main one failed for '
        "NEWSLETTER_FAILOVER_AFTER seconds.",
    )
    transport_trouble_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Since when the main transport has been failing (unreachable, or refusing "
        "our sender) without a message getting through; cleared by the next one that does.",
    )
    failover_note = models.CharField(
        max_length=500,
        blank=True,
        help_text='When and why the fallback transport took over, e.g. "From 06:05 the rest '
        "went through the fallback mail server: the main one had refused our sender for 5 "
        'minutes."',
    )
    status_note = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the campaign is waiting, stopped or failed, or what editors should "
        'know about it, in plain words, e.g. "Missed its time (07:00) by 9 hours: send it '
        'now or unschedule it."',
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One send per issue, whatever the clicks: the database refuses a second one.
            models.UniqueConstraint(
                fields=["issue"],
                condition=models.Q(snapshot__isnull=False),
                name="one_sent_campaign_per_issue",
            ),
        ]

    def __str__(self):
        return self.subject or f"Campaign {self.pk}"


class Delivery(models.Model):
    """One recipient of one campaign; its status says whether the message went out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Refused (address suppressed)"
        SKIPPED = "skipped", "Skipped (left the list before it went out)"

    # No database constraints on these two: freezing a million readers copies their ids
    # with one INSERT ... SELECT from the rows it reads, and the database's check of each
    # row against both tables took most of its time (measured on PostgreSQL: 200,000 rows in
    # 52 s with them, 22 s without). Django still cascades and sets null on delete; a row
    # whose reader was deleted meanwhile is skipped when its turn comes. The campaign is
    # looked up through the (campaign, subscriber) constraint's index, so it needs no other.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,
    )
    subscriber = models.ForeignKey(
        "newsletter.Subscriber",
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        db_constraint=False,
    )
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # db_default: the recipient list is frozen with one INSERT ... SELECT that names only
    # the columns it fills.
    possible_duplicate = models.BooleanField(
        default=False,
        db_default=False,
        help_text="This reader may have got the issue twice: their message was the next one "
        "in line (perhaps already accepted by the mail server) when a worker stopped without "
        "saying so, e.g. a killed process.",
    )

    # Which mailer took the message ("newsletter" or "newsletter_fallback"); empty until sent.
    transport = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subscriber"], name="one_delivery_per_subscriber"
            ),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "status", "lease_expires_at"], name="delivery_claim_idx"
            ),
            # Claims take pending rows in id order: this lets the database walk them
            # in that order instead of past every row already sent.
            models.Index(fields=["campaign", "status", "id"], name="delivery_pending_order_idx"),
        ]

    def __str__(self):
        return f"{self.email}: {self.get_status_display()}"


class AnyOf(models.lookups.In):
    """``pk__any=[ids]``: ``IN (...)``, but on PostgreSQL one array parameter
    (``id = ANY(%s)``) rather than one parameter an id. The sending worker names a thousand
    rows at a time (claim, read, mark sent): Django and psycopg preparing a thousand
    parameters cost the worker as much CPU as the provider's call."""

    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, [int(pk) for pk in self.rhs])


Delivery._meta.get_field("id").register_lookup(AnyOf)
