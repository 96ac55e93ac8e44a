"""Wagtail's ``picture`` tag, made cheaper for pages that show many pictures.

- Its filters are parsed once per template instead of on every render. Wagtail's tag builds a
  ``Filter`` for every size and format each time, and each one inspects its operations'
  signatures again (``inspect.getcallargs``) to work out its cache key: on the home page's
  ten cards that was about a fifth of the page's CPU. Templates are compiled once per process
  (the cached loader), so the node keeps its filters; a ``Filter`` holds only its spec and
  parsed operations.
- Its HTML is the same as Wagtail's ``Picture`` (a test compares them), built asking the
  storage for each rendition's URL once instead of twice, with a plain attribute writer.
- Each picture's HTML (by photo, sizes and attributes) is kept until the content generation
  changes (``news.models.kept``): a photo's renditions and their URLs change only with it
  (an edited photo, a new focal point or file, bumps it). Missing renditions are made on the
  first render, as by Wagtail's tag. Media links are public and unsigned (config/storage.py),
  so a kept URL doesn't expire.

Use it like Wagtail's: ``{% load news_images %}{% picture image fill-{480x270,960x540} ... %}``.
"""

from django import template
from django.apps import apps
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail.images.models import Filter, Picture
from wagtail.images.shortcuts import get_renditions_or_not_found
from wagtail.images.templatetags.wagtailimages_tags import PictureNode, image

from news.models.kept import KEPT_PICTURES, kept

register = template.Library()


def attributes(attrs):
    """Django's ``flatatt``: sorted ``name="value"`` pairs (escaped), then the true booleans."""
    pairs = sorted(
        (name, value)
        for name, value in attrs.items()
        if value is not None and not isinstance(value, bool)
    )
    flags = sorted(name for name, value in attrs.items() if value is True)
    return "".join(f' {name}="{conditional_escape(value)}"' for name, value in pairs) + "".join(
        f" {name}" for name in flags
    )


def picture_html(renditions, attrs):
    """What ``Picture(renditions, attrs).__html__()`` returns."""
    picture = Picture(renditions)
    if not picture.formats:
        return Picture(renditions, attrs).__html__()
    urls = {id(rendition): rendition.url for rendition in picture.renditions}

    def srcset(group):
        if len(group) == 1:
            return urls[id(group[0])]
        return ", ".join(f"{urls[id(r)]} {r.width}w" for r in group)

    fallback_format = picture.get_fallback_format()
    sources = [
        "<source{}>".format(
            attributes(
                {
                    "srcset": srcset(picture.formats[fmt.name]),
                    "sizes": attrs.get("sizes"),
                    "type": fmt.mime_type,
                }
            )
        )
        for fmt in Picture.source_format_order
        if fmt.name != fallback_format and fmt.name in picture.formats
    ]
    fallback = picture.formats[fallback_format]
    base = fallback[0]
    img = {
        "src": urls[id(base)],
        "width": base.width,
        "height": base.height,
        "alt": base.alt,
        **apps.get_app_config("wagtailimages").default_attrs,
        **attrs,
    }
    if len(fallback) > 1:
        img["srcset"] = srcset(fallback)
    # Every value went through conditional_escape in attributes().
    return mark_safe(f"<picture>{''.join(sources)}<img{attributes(img)}></picture>")


class ParsedPictureNode(PictureNode):
    @cached_property
    def filters(self):
        return tuple(Filter(spec=spec) for spec in Filter.expand_spec(self.filter_specs))

    def get_filters(self):
        return list(self.filters)

    def render(self, context):
        if self.output_var_name:
            return super().render(context)
        image = self.validate_image(context)
        if not image:
            return ""
        attrs = {key: value.resolve(context) for key, value in self.attrs.items()}

        def html():
            return picture_html(get_renditions_or_not_found(image, self.filters), attrs)

        key = (image.pk, tuple(self.filter_specs), tuple(sorted(attrs.items())))
        try:
            hash(key)
        except TypeError:  # an attribute that isn't a plain value: write it afresh
            return html()
        return kept("pictures", key, html, KEPT_PICTURES) if image.pk else html()


@register.tag
def picture(parser, token):
    node = image(parser, token)
    return ParsedPictureNode(
        node.image_expr, node.filter_specs, output_var_name=node.output_var_name, attrs=node.attrs
    )
