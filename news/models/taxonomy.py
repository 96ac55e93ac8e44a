"""Sections, authors and tags: how articles are grouped and signed."""

from django.db import models
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Section(index.Indexed, models.Model):
    """A section of the site, such as "Europe" or "Science"; each has its own page."""

    name = models.CharField(max_length=80, unique=True, help_text='e.g. "Europe"')
    slug = models.SlugField(
        max_length=80, unique=True, help_text='Used in the section\'s address, e.g. "europe"'
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown at the top of the section page."
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(index.Indexed, models.Model):
    """A writer or editor credited on articles."""

    name = models.CharField(max_length=120, help_text='e.g. "Lisa Marchetti"')
    role = models.CharField(
        max_length=120, blank=True, help_text='Shown beside the name, e.g. "Editor".'
    )

    panels = [FieldPanel("name"), FieldPanel("role")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ArticlePageTag(TaggedItemBase):
    """Links a tag to an article."""

    content_object = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )
