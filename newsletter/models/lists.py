"""Mailing lists, segments and groups of readers: who an issue goes to.

The campaign backend offers each list as an audience and each segment as a segment of its
list; both answer ``members()`` (a queryset of subscribers receiving mail today) and
``member_count()``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail_newsletter.models import NewsletterRecipients

from .subscriber import Subscriber


def start_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class MailingList(models.Model):
    """A list readers belong to, such as "Daily"; editors send issues to a list."""

    name = models.CharField(max_length=80, unique=True, help_text='e.g. "Daily"')
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text='A short name for imports and the command line, e.g. "daily".',
    )
    description = models.TextField(
        blank=True,
        help_text='What readers of this list get, e.g. "The ten stories, every morning."',
    )
    join_on_signup = models.BooleanField(
        "join on sign-up",
        default=False,
        help_text="Readers who sign up on the site join this list, e.g. tick it for Daily.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("join_on_signup"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "mailing list"

    def __str__(self):
        return self.name

    def members(self):
        return Subscriber.objects.receiving().filter(lists=self)

    def member_count(self):
        return self.members().count()

    member_count.short_description = "Receiving"


class Segment(models.Model):
    """Part of a list chosen by simple rules, e.g. "Daily readers who signed up in 2026"."""

    name = models.CharField(max_length=120, help_text='e.g. "Signed up on the site since January"')
    mailing_list = models.ForeignKey(
        MailingList,
        on_delete=models.CASCADE,
        related_name="segments",
        help_text="The list this segment is part of, e.g. Daily.",
    )
    source = models.CharField(
        max_length=10,
        choices=Subscriber.Source.choices,
        blank=True,
        help_text="Only subscribers who came this way, e.g. the sign-up form. Leave empty for any.",
    )
    signed_up_after = models.DateField(
        null=True,
        blank=True,
        help_text="Only those who signed up on or after this day, e.g. 2026-01-01.",
    )
    signed_up_before = models.DateField(
        null=True,
        blank=True,
        help_text="Only those who signed up before this day, e.g. 2027-01-01.",
    )
    email_domain = models.CharField(
        max_length=120,
        blank=True,
        help_text='Only addresses at this domain, e.g. "example.org". Leave empty for any.',
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("mailing_list"),
        MultiFieldPanel(
            [
                FieldPanel("source"),
                FieldPanel("signed_up_after"),
                FieldPanel("signed_up_before"),
                FieldPanel("email_domain"),
            ],
            heading="Rules (all must match)",
        ),
    ]

    class Meta:
        ordering = ["mailing_list__name", "name"]

    def __str__(self):
        return f"{self.mailing_list}: {self.name}"

    def clean(self):
        super().clean()
        self.email_domain = self.email_domain.strip().lstrip("@").lower()
        if (
            self.signed_up_after
            and self.signed_up_before
            and self.signed_up_after >= self.signed_up_before
        ):
            raise ValidationError(
                {"signed_up_before": "Choose a day after the 'signed up after' day."}
            )

    def members(self):
        members = self.mailing_list.members()
        if self.source:
            members = members.filter(source=self.source)
        if self.signed_up_after:
            members = members.filter(created_at__gte=start_of_day(self.signed_up_after))
        if self.signed_up_before:
            members = members.filter(created_at__lt=start_of_day(self.signed_up_before))
        if self.email_domain:
            members = members.filter(email__endswith="@" + self.email_domain.lower())
        return members

    def member_count(self):
        return self.members().count()

    member_count.short_description = "Receiving"


class ReaderGroup(NewsletterRecipients):
    """Who an issue goes to, in the admin's words: wagtail-newsletter's recipients (a list, or
    one segment of it, under a name such as "Daily readers"), the same rows and table.

    ``WAGTAIL_NEWSLETTER_RECIPIENTS_MODEL`` names this model, so the issue's Recipients field,
    its chooser and Settings › Groups of readers say "1 group of readers", not the package's
    "1 newsletter recipients"."""

    class Meta:
        proxy = True
        verbose_name = "group of readers"
        verbose_name_plural = "groups of readers"
