"""Blocks an editor can place in an article's body."""

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

# Rich text in a story body stays simple: emphasis, links and lists, nothing that
# breaks the page's typography or the email's.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class ParagraphBlock(blocks.RichTextBlock):
    """A paragraph of the story, with bold, italics, links and lists."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", PARAGRAPH_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "news/blocks/paragraph_block.html"
        description = "A paragraph of text: bold, italics, links and lists."
        preview_value = (
            "<p>Ministers met in Brussels on Monday to agree a new <b>ceasefire</b> plan.</p>"
        )


class CaptionedImageBlock(blocks.StructBlock):
    """A photo inside the story; caption and credit default to the photo's own."""

    image = ImageChooserBlock(help_text="Choose a photo from the library or upload one.")
    caption = blocks.CharBlock(
        required=False,
        max_length=255,
        help_text="Leave blank to use the photo's own caption.",
    )
    credit = blocks.CharBlock(
        required=False,
        max_length=255,
        help_text='Leave blank to use the photo\'s own credit, e.g. "cnn.com".',
    )

    class Meta:
        icon = "image"
        template = "news/blocks/captioned_image_block.html"
        description = "A photo with a caption and a source credit."
        preview_template = "news/blocks/captioned_image_preview.html"
        preview_value = {
            "caption": "Secretary of Defense Lloyd Austin.",
            "credit": "cnn.com",
        }

    def get_preview_value(self):
        # Show a real photo from the library when there is one (the image model is
        # news.CaptionedImage; the models import these blocks, so they are not imported here).
        image = get_image_model().objects.first()
        return self.to_python({**self.meta.preview_value, "image": image.pk if image else None})

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        image = value.get("image")
        context["caption"] = value.get("caption") or (image.caption if image else "")
        context["credit"] = value.get("credit") or (image.credit if image else "")
        return context


class QuoteBlock(blocks.StructBlock):
    """A pulled quotation with the name of who said it."""

    quote = blocks.TextBlock(help_text="The words quoted, without quotation marks.")
    attribution = blocks.CharBlock(
        required=False, max_length=255, help_text='Who said it, e.g. "Lloyd Austin".'
    )

    class Meta:
        icon = "openquote"
        template = "news/blocks/quote_block.html"
        description = "A quotation set apart from the text, with who said it."
        preview_value = {
            "quote": "We will stand with our allies for as long as it takes.",
            "attribution": "Lloyd Austin",
        }


class VideoEmbedBlock(EmbedBlock):
    """A video or post from YouTube, Vimeo, X and similar sites, by its address."""

    class Meta:
        icon = "media"
        template = "news/blocks/embed_block.html"
        description = "A video or social post, pasted as its web address."
        preview_value = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"


class ArticleBodyBlock(blocks.StreamBlock):
    """The body of an article: paragraphs, photos, quotes and embeds."""

    paragraph = ParagraphBlock()
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    embed = VideoEmbedBlock(
        help_text="Paste the address of the video or post, e.g. https://youtu.be/..."
    )
