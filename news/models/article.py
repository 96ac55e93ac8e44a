"""The article page: one story on the site, and the source of a story in the email."""

import datetime

from django import forms
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    MultiFieldPanel,
    MultipleChooserPanel,
    TitleFieldPanel,
)
from wagtail.admin.widgets import AdminAutoHeightTextInput
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.pagecache.privacy import FastPrivacyMixin, public
from news.blocks import ArticleBodyBlock
from news.forms import ArticlePageForm

from .images import CARD_SPECS, LEAD_SPECS, SOCIAL_SPEC, CaptionedImage
from .listing import ListingFields
from .taxonomy import ArticlePageTag

RELATED_POSTS_WANTED = 3


# What a story card shows (components/article_card.html): loading only these makes each
# page object about a third cheaper to build. A card that shows more must add it here.
CARD_FIELDS = ("title", "url_path", "summary", "date", "section", "lead_image")


def as_cards(pages):
    """Pages to show as story cards (lists, search, related posts): the card's fields, with
    the section and lead image joined in. Once fetched (a page of results, a slice),
    ``with_card_renditions`` adds the pictures' renditions."""
    return pages.only(*CARD_FIELDS).select_related("section", "lead_image")


def with_card_renditions(pages):
    """The fetched ``pages`` as a list, their lead images' card renditions attached."""
    pages = list(pages)
    attach_renditions([page.lead_image for page in pages if page.lead_image_id], CARD_SPECS)
    return pages


def attach_renditions(images, specs):
    """Wagtail's prefetched renditions for ``images``, in one query for all of them: its
    picture tag then needs no cache or database lookup (and no prefetch_related machinery)."""
    by_id = {}
    for image in images:
        image.prefetched_renditions = []
        by_id.setdefault(image.pk, []).append(image)
    if not by_id:
        return
    renditions = CaptionedImage.get_rendition_model().objects.filter(
        image_id__in=list(by_id), filter_spec__in=specs
    )
    for rendition in renditions:
        same_image = by_id[rendition.image_id]
        rendition.image = same_image[0]
        for image in same_image:
            image.prefetched_renditions.append(rendition)


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
        help_text="The original reporting this story is based on, e.g. https://edition.cnn.com/...",
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

    base_form_class = ArticlePageForm
    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []

    content_panels = [
        TitleFieldPanel(
            "title",
            heading="Headline",
            widget=AdminAutoHeightTextInput,
            help_text='The story\'s headline, e.g. "Austin rallies allies in Brussels".',
        ),
        *ListingFields.listing_panels,
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("related_story"),
                MultipleChooserPanel(
                    "related_posts",
                    chooser_field_name="post",
                    heading="Related Posts",
                    label="related post",
                    help_text="Pick up to three in the order readers should see "
                    "them; fewer are filled from the same section and tags.",
                ),
            ],
            heading="Related reading",
        ),
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("section"),
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
                FieldPanel("source_url"),
                FieldPanel("source_name"),
            ],
            heading="About the story",
        ),
    ]

    # No "Show in menus" (the site has no menus made from pages), and the address in words.
    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel(
                    "slug",
                    help_text="The end of the story's web address, e.g. "
                    '"austin-rallies-allies" for /news/austin-rallies-allies/. It is made from '
                    "the headline; change it before publishing, as links to it break after.",
                ),
                FieldPanel("seo_title"),
                FieldPanel("search_description"),
            ],
            heading="For search engines",
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
        """The related story, if it is live and public."""
        return self.get_related_reading()[0]

    def get_related_posts(self, wanted=RELATED_POSTS_WANTED):
        return self.get_related_reading(wanted)[1]

    def get_related_reading(self, wanted=RELATED_POSTS_WANTED, tags=None):
        """The related story, then the Related Posts: the editor's picks in their order (live
        ones only), filled with the newest articles sharing this one's section or tags, never
        this article itself. One query for both, with the posts' card images."""
        order = [link.post_id for link in self.related_posts.all()]
        story_id = self.related_story_id if self.related_story_id != self.pk else None
        tags = self.tags.all() if tags is None else tags
        shared = Q(tags__in=[tag.pk for tag in tags])
        if self.section_id:
            shared |= Q(section_id=self.section_id)
        # The story ranks before everything; a story that is also a pick keeps its pick rank.
        ranks = [When(pk=pk, then=Value(i)) for i, pk in enumerate(order)]
        if story_id and story_id not in order:
            ranks.append(When(pk=story_id, then=Value(-1)))
        rank = Case(*ranks, default=Value(len(order)), output_field=IntegerField())
        wanted_ids = [*order, story_id] if story_id else order
        candidates = (
            public(ArticlePage.objects.live())
            .filter(Q(pk__in=wanted_ids) | shared)
            .exclude(pk=self.pk)
            .annotate(rank=rank)
            .distinct()
            .order_by("rank", "-date", "-pk")
        )
        found = with_card_renditions(as_cards(candidates)[: max(len(order), wanted) + 1])
        story = next((post for post in found if post.pk == story_id), None)
        posts = [post for post in found if post.rank >= 0]
        picks = [post for post in posts if post.rank < len(order)]
        fill = [post for post in posts if post.rank == len(order)]
        return story, picks + fill[: max(wanted - len(picks), 0)]

    def reader_parts(self):
        """What the page shows beside its own fields: authors, tags, the related story and
        the related posts (as cards, with their renditions). Loaded once per instance: an
        article the news index keeps (``news.models.kept``) keeps them for its generation."""
        parts = self.__dict__.get("_reader_parts")
        if parts is None:
            tags = list(self.tags.all())
            story, posts = self.get_related_reading(tags=tags)
            parts = self._reader_parts = {
                "authors": list(self.authors.all()),
                "tags": tags,
                "related_story": story,
                "related_posts": posts,
            }
        return parts

    def load_for_readers(self):
        """Everything the page shows, loaded now (for an article kept for many requests):
        ``reader_parts``, the body's photos and, in one query, the lead and body photos'
        renditions. Expects ``section`` and ``lead_image`` already joined in."""
        self.reader_parts()
        images = [self.lead_image] if self.lead_image_id else []
        for block in self.body:  # converts the stream once: its photos in one query
            if block.block_type == "image" and block.value.get("image"):
                images.append(block.value["image"])
        attach_renditions(images, [*LEAD_SPECS, SOCIAL_SPEC])
        return self

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        url = self.get_url(request) or ""
        # The news index is this page's parent: its address is this one's minus the slug.
        context["news_index_url"] = url[: url.rstrip("/").rfind("/") + 1]
        context.update(self.reader_parts())
        return context

    @property
    def published_at(self):
        """When the story first went live, for feeds and structured data."""
        return self.first_published_at or timezone.now()
