"""The daily issue: ten ranked stories, assembled by editors and sent as one email.

``IssuePage`` uses wagtail-newsletter's ``NewsletterPageMixin`` (Newsletter tab, email preview,
Save / Send test / Send / Schedule). Its public address is the dated archive address, e.g.
``/issues/2026-11-23/``: once sent, that page shows the frozen snapshot, never the live page.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.utils.dateformat import format as format_date
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail_newsletter.models import NewsletterPageMixin

from core.pagecache.privacy import FastPrivacyMixin
from newsletter.editing import IssuePageForm, IssueReadinessPanel
from newsletter.rules import STORIES_PER_ISSUE, normalise_newlines, story_problems
from newsletter.storypanel import StoriesPanel, StoryChooserWidget
from newsletter.validators import validate_single_line

from .sending import IssueSnapshot
from .settings import NewsletterSettings


def render_archived_issue(request, page, issue_date, unsent=None):
    """The archive page of a sent issue: its frozen snapshot, never today's articles.
    Issues not yet sent are not public (404), unless ``unsent()`` answers for them."""
    snapshot = IssueSnapshot.objects.filter(issue_date=issue_date).first()
    if snapshot is None:
        if unsent is not None:
            return unsent()
        raise Http404("No issue was sent on that date.")
    return render(
        request,
        "newsletter/issue_archive_page.html",
        {"page": page, "self": page, "snapshot": snapshot},
    )


class IssueStory(Orderable):
    """One ranked story of an issue: an article, with optional headline and blurb overrides."""

    page = ParentalKey("newsletter.IssuePage", on_delete=models.CASCADE, related_name="stories")
    article = models.ForeignKey(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The article this story links to.",
    )
    headline = models.CharField(
        max_length=255,
        blank=True,
        help_text="Leave blank to use the article's headline; fill in for a shorter one "
        'in the email, e.g. "Austin rallies allies".',
    )
    blurb = models.TextField(
        max_length=600,
        blank=True,
        help_text="Leave blank to use the article's summary; fill in to say it differently "
        "for this issue.",
    )

    panels = [
        FieldPanel("article", widget=StoryChooserWidget),
        FieldPanel("headline"),
        FieldPanel("blurb"),
    ]

    def clean(self):
        super().clean()
        # A browser posts line breaks as CR LF: keep LF, as everything else saves them.
        self.blurb = normalise_newlines(self.blurb)

    @property
    def display_headline(self):
        return self.headline or self.article.title

    @property
    def display_blurb(self):
        return self.blurb or self.article.summary


class IssuePage(FastPrivacyMixin, NewsletterPageMixin, Page):
    """One day's email: ten ranked stories, an intro, and the subject and preheader."""

    issue_date = models.DateField(
        unique=True,
        default=datetime.date.today,
        help_text="The morning this issue goes out, e.g. 2026-11-23. One issue per day; "
        "it is also the issue's web address.",
    )
    preheader = models.CharField(
        max_length=200,
        blank=True,
        help_text='The grey line inboxes show after the subject, e.g. "Austin rallies '
        'allies, floods in Bangladesh, and a record Amazon year". Leave blank to list the '
        "first three headlines.",
    )
    intro = models.TextField(
        blank=True,
        max_length=1200,
        help_text="A few friendly sentences from the editor above the stories, e.g. "
        '"Good morning! Today: …". Plain text; blank lines start new paragraphs.',
    )

    base_form_class = IssuePageForm
    # wagtail-newsletter renders this with the page for the Newsletter preview and a saved
    # campaign: it hands over to newsletter.issues.rendering, as the sent email does.
    newsletter_template = "newsletter/email/issue_page.html"
    parent_page_types = ["newsletter.IssueIndexPage"]
    subpage_types = []

    content_panels = [
        IssueReadinessPanel(heading="Ready to send?"),
        FieldPanel(
            "title",
            help_text="The issue's name in the admin, e.g. \"Issue of 23 "
            'November 2026": it follows the date unless you write your own. Readers see '
            "the subject.",
        ),
        FieldPanel("issue_date"),
        FieldPanel("preheader"),
        FieldPanel("intro"),
        StoriesPanel(
            "stories",
            chooser_field_name="article",
            heading="Stories (ten, in rank order)",
            label="story",
            max_num=STORIES_PER_ISSUE,
            help_text='Add ten live articles with "Add story" (newest first; they arrive '
            "in the order you tick them), then drag or use the arrows to rank them. A draft may "
            "hold fewer; sending needs exactly ten. Open a story to change its headline or "
            "blurb for this issue.",
        ),
    ]

    class Meta:
        verbose_name = "daily issue"
        permissions = [("send_issue", "Can send or schedule a daily issue")]

    def __str__(self):
        return self.title

    def full_clean(self, *args, **kwargs):
        if not self.slug and self.issue_date:
            self.slug = self.issue_date.isoformat()
        super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        # A browser posts line breaks as CR LF: keep LF, so a draft that only went through
        # the form is the same as the version it came from.
        self.intro = normalise_newlines(self.intro)
        try:  # the subject goes into the email's headers
            validate_single_line(self.newsletter_subject)
        except ValidationError as error:
            raise ValidationError({"newsletter_subject": error.messages}) from None
        problems = story_problems(list(self.stories.all()))
        if problems:
            raise ValidationError({"stories": problems})
        if self.issue_date and self.slug != self.issue_date.isoformat():
            self.slug = self.issue_date.isoformat()

    @property
    def story_count_label(self):
        return f"{self.stories.count()} of {STORIES_PER_ISSUE}"

    # wagtail-newsletter hooks

    def get_newsletter_subject(self):
        if self.newsletter_subject:
            return self.newsletter_subject
        return f"{self.get_publication_name()}: {format_date(self.issue_date, 'l j F Y')}"

    def get_publication_name(self):
        return NewsletterSettings.load().from_name

    def has_newsletter_permission(self, user, action):
        # The package checks a model permission Wagtail never creates, so only superusers
        # would pass; here whoever may publish this page may send it.
        return self.permissions_for_user(user).can_publish()

    # Public pages: only the snapshot of a sent issue is ever shown to readers.

    def serve(self, request, *args, **kwargs):
        return render_archived_issue(
            request, self, self.issue_date, unsent=lambda: self.serve_unsent(request)
        )

    def serve_unsent(self, request):
        """Before it is sent, the issue's address ("View live" in the admin) shows whoever
        may edit it the published issue as readers will see it, marked as not sent yet;
        readers get "Page not found", as for any date without an issue. Never cached."""
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and self.permissions_for_user(user).can_edit()):
            raise Http404("No issue was sent on that date.")
        response = render(
            request, self.get_template(request), {"page": self, "self": self, "not_sent": True}
        )
        response["Cache-Control"] = "private, no-store"
        return response


class IssueIndexPage(FastPrivacyMixin, RoutablePageMixin, Page):
    """The archive: every sent issue, newest first, exactly as it went out."""

    intro = models.TextField(
        blank=True, help_text='One sentence above the list, e.g. "Every issue we have sent."'
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["newsletter.IssuePage"]
    max_count = 1

    class Meta:
        verbose_name = "issue archive"

    @path("")
    def archive(self, request):
        snapshots = IssueSnapshot.objects.order_by("-issue_date").only(
            "issue_date", "subject", "preheader", "sent_at"
        )
        try:
            issues = Paginator(snapshots, 30).page(request.GET.get("page", "1"))
        except (InvalidPage, ValueError):
            raise Http404("No such page of issues") from None
        return self.render(request, context_overrides={"issues": issues})

    @path("<str:day>/", name="issue")
    def issue(self, request, day):
        """Each sent issue at its dated address, even if its page was since deleted."""
        try:
            issue_date = datetime.date.fromisoformat(day)
        except ValueError:
            raise Http404("No issue on that date") from None
        return render_archived_issue(
            request, self, issue_date, unsent=lambda: self.serve_unsent(request, issue_date)
        )

    def serve_unsent(self, request, issue_date):
        """The published issue of a date not sent yet, for whoever may edit it (see
        ``IssuePage.serve_unsent``); "Page not found" for readers, at no extra query."""
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated):
            raise Http404("No issue was sent on that date.")
        issue = IssuePage.objects.child_of(self).live().filter(issue_date=issue_date).first()
        if issue is None:
            raise Http404("No issue was sent on that date.")
        return issue.serve_unsent(request)
