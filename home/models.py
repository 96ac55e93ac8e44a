"""The home page and the publication's own settings."""

import datetime

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page

from core.pagecache.generation import MemoizedSiteSettingMixin, memoize
from core.pagecache.privacy import FastPrivacyMixin, public
from core.pagecache.routing import MemoizedChildRoutingMixin
from news.models import ArticlePage, NewsIndexPage, as_cards, with_card_renditions
from newsletter.issues.rendering import archive_path
from newsletter.models import IssueSnapshot

LATEST_STORIES = 10


def next_midnight():
    """The next local midnight (the publication's time zone), when "today" changes."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))


@register_setting(icon="site")
class PublicationSettings(MemoizedSiteSettingMixin, BaseSiteSetting):
    """Who the publication is: name, tagline, pitch and social links, shown site-wide."""

    name = models.CharField(
        max_length=120, default="Lisa's Top Ten", help_text='e.g. "Lisa\'s Top Ten"'
    )
    tagline = models.CharField(
        max_length=200,
        default="The daily email that brings you the world.",
        help_text='A short line under the name, e.g. "The daily email that brings you the world."',
    )
    pitch = models.TextField(
        default="Home of Lisa's Top Ten, the daily email that brings you the world. "
        "The first task of the day: ten stories, every morning, in your inbox.",
        help_text="Two or three sentences on the home page telling readers why to sign up.",
    )
    twitter_handle = models.CharField(
        max_length=40,
        blank=True,
        help_text='The X/Twitter account without the @, e.g. "lisastopten".',
    )
    facebook_url = models.URLField(
        blank=True, help_text="e.g. https://www.facebook.com/lisastopten"
    )
    instagram_url = models.URLField(
        blank=True, help_text="e.g. https://www.instagram.com/lisastopten"
    )
    mastodon_url = models.URLField(
        blank=True, help_text="e.g. https://mastodon.social/@lisastopten"
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("tagline"), FieldPanel("pitch")], heading="Publication"
        ),
        MultiFieldPanel(
            [
                FieldPanel("twitter_handle"),
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("mastodon_url"),
            ],
            heading="Social links",
        ),
    ]

    class Meta:
        verbose_name = "publication"

    @property
    def social_links(self):
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("Mastodon", self.mastodon_url),
        ]
        if self.twitter_handle:
            links.insert(0, ("X", f"https://x.com/{self.twitter_handle}"))
        return [(label, url) for label, url in links if url]


class HomePage(MemoizedChildRoutingMixin, FastPrivacyMixin, Page):
    """The front page: what the publication is, the sign-up, today's top ten, latest stories."""

    sign_up_heading = models.CharField(
        max_length=120,
        default="Get the Top Ten every morning",
        help_text='The heading above the sign-up form, e.g. "Get the Top Ten every morning".',
    )

    content_panels = [*Page.content_panels, FieldPanel("sign_up_heading")]
    subpage_types = ["news.NewsIndexPage", "newsletter.IssueIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def latest_stories(self):
        return with_card_renditions(
            as_cards(public(ArticlePage.objects.live()).order_by("-date", "-pk"))[:LATEST_STORIES]
        )

    def latest_issue(self, today=None):
        """The newest issue sent for today or an earlier day, as it was sent (its snapshot),
        or None before the first. Tomorrow's issue, even sent early, waits for its day."""
        today = today or timezone.localdate()
        return (
            IssueSnapshot.objects.filter(issue_date__lte=today)
            .order_by("-issue_date")
            .only("issue_date", "subject", "stories")
            .first()
        )

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # Which issue is "the latest" and whether it is today's change at midnight, with no
        # publishing to bump the page cache: keep this page no longer than that.
        response.page_cache_until = next_midnight()
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        top_ten = self.latest_issue()
        if top_ten is not None:
            context["top_ten"] = top_ten
            context["top_ten_url"] = archive_path(top_ten.issue_date, request)
            context["top_ten_is_today"] = top_ten.issue_date == timezone.localdate()
        context["latest_stories"] = self.latest_stories()
        # The same page for every reader until the content changes: kept per process.
        context["news_index"] = memoize("news-index", NewsIndexPage.objects.live().first)
        return context
