"""The photo library: every image carries its own caption and source credit."""

from django.core.cache import caches
from django.db import models
from django.utils.functional import classproperty
from wagtail.images.models import AbstractImage, AbstractRendition, Image

from core.images import CleanFilter

# Renditions the reader pages ask for; listing views prefetch exactly these.
CARD_SPECS = (
    "fill-480x270|format-webp",
    "fill-480x270|format-jpeg",
    "fill-960x540|format-webp",
    "fill-960x540|format-jpeg",
)
LEAD_SPECS = (
    "width-720|format-webp",
    "width-720|format-jpeg",
    "width-1440|format-webp",
    "width-1440|format-jpeg",
)
SOCIAL_SPEC = "fill-1200x630|format-jpeg"


class CaptionedImage(AbstractImage):
    """A photo with its default caption and credit, reused wherever the photo appears."""

    # Wagtail's own field, given words: it is the photo's text for readers who can't see it.
    description = models.CharField(
        "description",
        blank=True,
        max_length=255,
        default="",
        help_text="What the photo shows, for blind readers whose screen readers speak it "
        'and for inboxes that hide pictures (alt text), e.g. "Lloyd Austin speaks at a '
        'lectern in front of NATO flags". Not printed: the caption is.',
    )

    caption = models.CharField(
        max_length=255,
        blank=True,
        help_text='What the photo shows, e.g. "Secretary of Defense Lloyd Austin." '
        "Articles may override it.",
    )
    credit = models.CharField(
        max_length=255,
        blank=True,
        help_text='Who took or owns the photo, e.g. "cnn.com" or "Jane Doe / Reuters".',
    )
    credit_url = models.URLField(
        blank=True,
        help_text="Optional link for the credit, e.g. the page the photo came from.",
    )

    admin_form_fields = (*Image.admin_form_fields, "caption", "credit", "credit_url")

    def generate_rendition_file(self, filter, *, source=None):
        """Every rendition from the photo's pixels only: no GPS, camera or photographer's
        metadata, orientation applied (``core.images``)."""
        return super().generate_rendition_file(CleanFilter(spec=filter.spec), source=source)

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        verbose_name_plural = "images"


class RenditionCache:
    """Wagtail's renditions cache, marking the renditions it hands back as cached.

    Wagtail writes back every rendition it found that isn't so marked, and only marks the
    prefetched ones: a photo found in this cache was pickled and stored again on every view.
    """

    def __init__(self, cache):
        self.cache = cache

    def get_many(self, keys):
        found = self.cache.get_many(keys)
        for rendition in found.values():
            rendition._from_cache = True
        return found

    def __getattr__(self, name):
        return getattr(self.cache, name)


class CaptionedRendition(AbstractRendition):
    """A resized copy of a captioned image (Wagtail's rendition cache)."""

    @classproperty
    def cache_backend(cls):
        return RenditionCache(caches["renditions"])

    image = models.ForeignKey(CaptionedImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
