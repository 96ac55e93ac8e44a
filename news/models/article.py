"""The article page: one story on the site, and the source of a story in the email."""

import datetime

from django.db import models
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from news.blocks import ArticleBodyBlock
from news.privacy import FastPrivacyMixin, public

from .images import CARD_SPECS, CaptionedImage
from .listing import ListingFields
from .taxonomy import ArticlePageTag

RELATED_POSTS_WANTED = 3


def with_card_images(pages):
    """Load each page's section and lead image with its card renditions in two queries."""
    return pages.select_related("section").prefetch_related(
        Prefetch("lead_image", queryset=CaptionedImage.objects.prefetch_renditions(*CARD_SPECS))
    )


class ArticleRelatedPost(Orderable):
    """One editor-picked entry of an article's "Related Posts" list."""

    page = ParentalKey("news.ArticlePage", on_delete=models.CASCADE, related_name="related_posts")
    post = models.ForeignKey(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Another article readers of this one will want.",
    )

    panels = [FieldPanel("post")]


class ArticlePage(FastPrivacyMixin, ListingFields, Page):
    """A news story: headline, summary, lead photo with credit, body and related reading."""

    date = models.DateField(
        "publication date",
        default=datetime.date.today,
        help_text="The day the story is dated on the site, e.g. today's date.",
    )
    body = StreamField(
        ArticleBodyBlock(),
        blank=True,
        help_text="The story itself: add paragraphs, photos, quotes and videos.",
    )
    section = models.ForeignKey(
        "news.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text='The section the story belongs to, e.g. "Europe".',
    )
    authors = ParentalManyToManyField(
        "news.Author", blank=True, related_name="articles", help_text="Who wrote the story."
    )
    tags = ClusterTaggableManager(
        through=ArticlePageTag,
        blank=True,
        help_text='Topics, separated by commas, e.g. "NATO, Ukraine".',
    )
    source_url = models.URLField(
        "source link",
        blank=True,
        help_text="The original reporting this story is based on, "
        "e.g. https://edition.cnn.com/...",
    )
    source_name = models.CharField(
        max_length=120,
        blank=True,
        help_text='The name shown for the source link, e.g. "CNN".',
    )
    related_story = models.ForeignKey(
        "news.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text='Shown as "Related Story: <its headline>" under the story.',
    )

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []

    content_panels = [
        FieldPanel("title", heading="Headline",
                   help_text='The story\'s headline, e.g. "Austin rallies allies in Brussels".'),
        *ListingFields.listing_panels,
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("related_story"),
             MultipleChooserPanel("related_posts", chooser_field_name="post",
                                  heading="Related Posts",
                                  help_text="Pick up to three in the order readers should see "
                                  "them; fewer are filled from the same section and tags.")],
            heading="Related reading",
        ),
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("section"), FieldPanel("authors"),
             FieldPanel("tags"), FieldPanel("source_url"), FieldPanel("source_name")],
            heading="About the story",
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("section", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = "article"

    def get_related_story(self):
        """The related story, if it is still live."""
        story = self.related_story
        return story if story is not None and story.live else None

    def get_related_posts(self, wanted=RELATED_POSTS_WANTED):
        """Editor's picks in their order (live ones only), then the newest articles
        sharing this one's section or tags, never this article itself: one query."""
        order = [link.post_id for link in self.related_posts.all()]
        shared = Q(tags__in=self.tags.all())
        if self.section_id:
            shared |= Q(section_id=self.section_id)
        rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(order)],
                    default=Value(len(order)), output_field=IntegerField())
        candidates = (
            public(ArticlePage.objects.live())
            .filter(Q(pk__in=order) | shared).exclude(pk=self.pk)
            .annotate(rank=rank).distinct().order_by("rank", "-date", "-pk")
        )
        posts = list(with_card_images(candidates)[: max(len(order), wanted)])
        picks = [post for post in posts if post.rank < len(order)]
        return picks + [post for post in posts if post.rank == len(order)][
            : max(wanted - len(picks), 0)
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        url = self.get_url(request) or ""
        # The news index is this page's parent: its address is this one's minus the slug.
        context["news_index_url"] = url[: url.rstrip("/").rfind("/") + 1]
        context["related_story"] = self.get_related_story()
        context["related_posts"] = self.get_related_posts()
        return context

    @property
    def published_at(self):
        """When the story first went live, for feeds and structured data."""
        return self.first_published_at or timezone.now()
