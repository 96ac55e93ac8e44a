"""What readers did with a sent issue: its links, their clicks, daily roll-ups and opens.

- ``TrackedLink``: one row per link in a sent issue's email, made when the issue is frozen:
  which story (rank 1-10, or none for the masthead and footer), which article, which role
  (headline, photo, "Read the story", source, related story, the plain-text part, the footer,
  the hidden canary) and where it goes. A reader's click goes to ``/r/<token>/`` and the
  target is read from this row, never from the URL.
- ``Click``: one click through a tracked link, classed human or suspect (and why). In the
  ``per-subscriber`` privacy mode it names the delivery (so a reader clicking twice is one
  unique clicker); in ``aggregate`` mode it never does. No IP address or user agent is kept.
- ``DailyClicks``: clicks counted per link per day, made when an issue's click rows pass the
  retention period and are deleted (``ClickRollup`` says an issue has been rolled up).
- ``Open``: a load of the optional tracking pixel, with whether it was a machine's pre-fetch
  (Apple Mail Privacy Protection and the like); an estimate, never used to rank anything.
"""

from django.db import models
from django.utils import timezone

from .sending import Delivery, IssueSnapshot


class TrackedLink(models.Model):
    """A link of a sent issue's email."""

    class Role(models.TextChoices):
        HEADLINE = "headline", "Headline"
        IMAGE = "image", "Photo"
        READ_MORE = "read-more", "Read the story"
        SOURCE = "source", "Source"
        RELATED = "related", "Related story"
        TEXT = "text", "Plain-text email"
        MASTHEAD = "masthead", "Masthead"
        FOOTER = "footer", "Footer"
        CANARY = "canary", "Hidden check link (only machines follow it)"

    snapshot = models.ForeignKey(IssueSnapshot, on_delete=models.PROTECT, related_name="links")
    position = models.PositiveSmallIntegerField(help_text="Its order in the email, from 1.")
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The story's rank (1-10); empty outside the stories."
    )
    article = models.ForeignKey(
        "news.ArticlePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    url = models.URLField(max_length=2000)
    label = models.CharField(
        max_length=300, blank=True, help_text='What the link said, e.g. "Read the story".'
    )

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "position"], name="one_link_per_position"),
        ]

    def __str__(self):
        where = f"story {self.rank}" if self.rank else "issue"
        return f"{self.get_role_display()} ({where}): {self.url}"


class Click(models.Model):
    """One click through a tracked link."""

    class Reason(models.TextChoices):
        NONE = "", "Human"
        HEAD = "head", "HEAD request (a link checker)"
        SCANNER = "scanner", "A known scanner or link preview"
        TOO_SOON = "too-soon", "Seconds after delivery"
        BURST = "burst", "Several links of one email within seconds"
        CANARY = "canary", "Near a click on the hidden link"
        PROVIDER = "provider", "The mail provider flagged a bot"

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    # Copied from the link, so reports count an issue's clicks without a join.
    snapshot = models.ForeignKey(IssueSnapshot, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.CASCADE, related_name="clicks"
    )
    at = models.DateTimeField(default=timezone.now)
    human = models.BooleanField(default=True)
    reason = models.CharField(max_length=10, choices=Reason.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "human"], name="click_issue_idx"),
            models.Index(fields=["delivery", "at"], name="click_delivery_idx"),
        ]

    def __str__(self):
        return f"Click on {self.link_id} at {self.at:%Y-%m-%d %H:%M:%S}"


class DailyClicks(models.Model):
    """Clicks on one link on one day, kept after the click rows are deleted."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="daily")
    snapshot = models.ForeignKey(IssueSnapshot, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.DateField()
    raw = models.PositiveIntegerField(default=0)
    human = models.PositiveIntegerField(default=0)
    # Readers whose first human click on this link was that day.
    human_unique = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "daily clicks"
        constraints = [
            models.UniqueConstraint(fields=["link", "day"], name="one_count_per_link_day"),
        ]

    def __str__(self):
        return f"{self.raw} clicks on link {self.link_id} on {self.day}"


class ClickRollup(models.Model):
    """An issue whose per-reader click rows were rolled up into ``DailyClicks`` and deleted,
    with the unique clickers counted then (they can't be counted from daily rows)."""

    snapshot = models.OneToOneField(
        IssueSnapshot, on_delete=models.PROTECT, related_name="click_rollup"
    )
    rolled_up_at = models.DateTimeField(default=timezone.now)
    human_unique = models.PositiveIntegerField(
        default=0, help_text="Readers with at least one human click on the issue."
    )
    story_unique = models.JSONField(
        default=dict, help_text='Human unique clickers per story rank, e.g. {"1": 420}.'
    )

    def __str__(self):
        return f"Clicks of issue {self.snapshot_id} rolled up"


class Open(models.Model):
    """A load of the tracking pixel (only when open tracking is on)."""

    snapshot = models.ForeignKey(IssueSnapshot, on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.CASCADE, related_name="opens"
    )
    at = models.DateTimeField(default=timezone.now)
    machine = models.BooleanField(
        default=False,
        help_text="A pre-fetch by a machine (Apple Mail Privacy Protection, a scanner), not "
        "a person opening the email.",
    )

    class Meta:
        indexes = [models.Index(fields=["snapshot", "machine"], name="open_issue_idx")]

    def __str__(self):
        return f"Open of issue {self.snapshot_id} at {self.at:%Y-%m-%d %H:%M:%S}"
