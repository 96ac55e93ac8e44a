"""Factories for news content, shared by the tests of every app and by ``seed_demo``.

Pages are created the way Wagtail creates them: added under a parent, saved as a revision and,
unless ``live=False``, published. Images are drawn locally with Pillow, so nothing needs the
network.
"""

import colorsys
import datetime
import io
import random

import factory
from django.core.files.images import ImageFile
from django.utils.html import escape
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from PIL import Image, ImageDraw, ImageFont

from news.models import (
    ArticlePage,
    ArticleRelatedPost,
    Author,
    CaptionedImage,
    NewsIndexPage,
    Section,
)

IMAGE_SIZE = (1600, 900)  # a photo as editors upload them, and seed_demo draws them
# The factory's default: tests need a photo, rarely its pixels, and a small one is quick to
# draw, hash and resize. A test about renditions or sizes asks for its own (``size=``).
TEST_IMAGE_SIZE = (64, 36)


def _hex_to_rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def _colours_for(seed):
    """Two related colours picked from the seed, so the same label draws the same picture."""
    rng = random.Random(seed)
    hue = rng.random()
    first = colorsys.hsv_to_rgb(hue, 0.55 + rng.random() * 0.3, 0.55 + rng.random() * 0.25)
    second = colorsys.hsv_to_rgb((hue + 0.08 + rng.random() * 0.12) % 1, 0.7, 0.25)
    return [tuple(round(channel * 255) for channel in colour) for colour in (first, second)]


def draw_image(label, colours=None, size=IMAGE_SIZE, seed=None):
    """A JPEG of a diagonal colour gradient with a few soft discs and ``label`` in the middle.

    ``colours`` is a pair of "#rrggbb" strings; without it the colours come from ``seed`` (or
    the label). The same arguments always draw the same picture.
    """
    seed = label if seed is None else seed
    start, end = [_hex_to_rgb(c) for c in colours] if colours else _colours_for(seed)
    width, height = size
    down = Image.linear_gradient("L").resize(size)
    mask = Image.blend(down, Image.linear_gradient("L").rotate(90).resize(size), 0.5)
    image = Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)

    rng = random.Random(seed)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(5):
        radius = rng.randint(height // 8, height // 2)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(255, 255, 255, rng.randint(18, 45)),
        )
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")

    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(24, height // 12))
    text = label if len(label) <= 40 else label[:39] + "…"
    draw.text((width / 2 + 4, height / 2 + 4), text, font=font, anchor="mm", fill=(0, 0, 0))
    draw.text((width / 2, height / 2), text, font=font, anchor="mm", fill=(255, 255, 255))

    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class CaptionedImageFactory(DjangoModelFactory):
    """A library photo with caption and credit; pass ``label``/``colours`` to vary the drawing
    and ``size`` for more than the 64x36 pixels of ``TEST_IMAGE_SIZE``."""

    class Meta:
        model = CaptionedImage

    class Params:
        label = factory.SelfAttribute("title")
        colours = None
        size = TEST_IMAGE_SIZE

    title = factory.Sequence(lambda n: f"Photo {n}")
    caption = factory.LazyAttribute(lambda image: f"{image.title}.")
    credit = "reuters.com"
    file = factory.LazyAttribute(
        lambda image: ImageFile(
            io.BytesIO(draw_image(image.label, colours=image.colours, size=image.size)),
            name=f"{slugify(image.label)[:80] or 'photo'}.jpg",
        )
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        image = model_class(*args, **kwargs)
        image._set_image_file_metadata()  # file size and hash, as Wagtail's upload form does
        image.save()
        return image


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda section: slugify(section.name))
    description = factory.LazyAttribute(lambda section: f"The latest from {section.name}.")


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    role = "Correspondent"


class PageFactory(DjangoModelFactory):
    """Base for page factories: ``Factory(parent=page)`` adds the page under ``parent`` and
    publishes a first revision; ``live=False`` leaves it as an unpublished draft."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda page: slugify(page.title)[:255])

    @classmethod
    def _build(cls, model_class, *args, parent=None, **kwargs):
        return model_class(*args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, parent=None, live=True, **kwargs):
        if parent is None:
            raise TypeError(f"{cls.__name__} needs parent=<the page to add it under>.")
        page = cls._build(model_class, *args, **kwargs)
        # Added as a draft first, as the admin does; publishing sets live, live_revision and
        # first_published_at (kept if given).
        page.live = False
        page.has_unpublished_changes = True
        parent.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
        return model_class.objects.get(pk=page.pk)


class NewsIndexPageFactory(PageFactory):
    class Meta:
        model = NewsIndexPage

    title = "News"
    slug = "news"
    intro = "Every story, newest first."


def paragraphs(*texts):
    """A body stream of plain-text paragraphs, in the raw form a StreamField accepts."""
    return [{"type": "paragraph", "value": f"<p>{escape(text)}</p>"} for text in texts]


class ArticlePageFactory(PageFactory):
    """A published article. Extra keyword arguments: ``authors=[...]``, ``tags=[...]`` and
    ``related=[page, ...]`` (the editor-picked related posts, in that order)."""

    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Ministers meet in Brussels for talks, round {n}")
    summary = factory.LazyAttribute(
        lambda page: f"{page.title}: what was agreed and what happens next."
    )
    date = factory.LazyFunction(datetime.date.today)
    section = factory.SubFactory(SectionFactory)
    lead_image = factory.SubFactory(CaptionedImageFactory, title=factory.SelfAttribute("..title"))
    body = factory.LazyAttribute(
        lambda page: paragraphs(
            page.summary,
            "Officials said more details would follow later in the week.",
        )
    )

    @classmethod
    def _build(cls, model_class, *args, parent=None, authors=(), tags=(), related=(), **kwargs):
        page = model_class(*args, **kwargs)
        page.authors = list(authors)
        if tags:
            page.tags.add(*tags)
        page.related_posts = [
            ArticleRelatedPost(post=post, sort_order=order) for order, post in enumerate(related)
        ]
        return page
