"""Listing fields: what a card on the site and a story in the email show."""

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class ListingFields(models.Model):
    """Summary and lead image, read by site cards, feeds and the newsletter alike."""

    summary = models.TextField(
        max_length=400,
        help_text="One or two sentences under the headline on cards and in the email, "
        'e.g. "The Pentagon chief says allies will meet again in Brussels next month."',
    )
    lead_image = models.ForeignKey(
        "news.CaptionedImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The photo at the top of the article and on its card.",
    )
    lead_image_caption = models.CharField(
        max_length=255,
        blank=True,
        help_text="Leave blank to print the photo's own caption (shown greyed in the box); "
        "fill in to say something different for this article.",
    )
    lead_image_credit = models.CharField(
        max_length=255,
        blank=True,
        help_text="Leave blank to print the photo's own credit (shown greyed in the box); "
        'fill in to credit it differently here, e.g. "cnn.com".',
    )

    listing_panels = [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading="Lead image",
        ),
    ]

    class Meta:
        abstract = True

    @property
    def image_caption(self):
        """The caption readers see: this article's own, else the photo's."""
        if self.lead_image_caption:
            return self.lead_image_caption
        return self.lead_image.caption if self.lead_image else ""

    @property
    def image_credit(self):
        """The credit readers see: this article's own, else the photo's."""
        if self.lead_image_credit:
            return self.lead_image_credit
        return self.lead_image.credit if self.lead_image else ""

    @property
    def image_credit_url(self):
        """A link for the credit, only when the credit is the photo's own."""
        if self.lead_image and not self.lead_image_credit:
            return self.lead_image.credit_url
        return ""
