"""Template helpers for reader pages: structured data and social images."""

import json

from django import template
from django.utils.safestring import mark_safe
from wagtail.images.models import Filter, SourceImageIOError

from news.models.images import SOCIAL_SPEC

register = template.Library()

# Characters that could end a <script> element or open a comment inside it.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# Parsed once: a Filter inspects its operations again each time one is made.
SOCIAL_FILTER = Filter(SOCIAL_SPEC)


def _absolute(request, url):
    return request.build_absolute_uri(url) if request else url


@register.simple_tag(takes_context=True)
def social_image_url(context, image):
    """Absolute URL of the 1200x630 rendition used by OpenGraph and Twitter cards."""
    if not image:
        return ""
    try:
        # get_renditions, not get_rendition: that one stores the rendition in the renditions
        # cache again on every call, even one it found among the photo's prefetched ones.
        rendition = image.get_renditions(SOCIAL_FILTER)[SOCIAL_SPEC]
    except SourceImageIOError:
        return ""  # the original file is gone; the page still renders, without a card image
    return _absolute(context.get("request"), rendition.url)


@register.simple_tag(takes_context=True)
def article_json_ld(context, page, publisher_name, image_url=None, authors=None):
    """A schema.org NewsArticle for search engines, with the image's caption and credit.
    ``image_url`` and ``authors``: what the template already has, so it isn't fetched twice."""
    authors = page.authors.all() if authors is None else authors
    request = context.get("request")
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "description": page.summary,
        "datePublished": page.published_at.isoformat(),
        "dateModified": (page.last_published_at or page.published_at).isoformat(),
        "mainEntityOfPage": page.get_full_url(request),
        "publisher": {"@type": "NewsMediaOrganization", "name": publisher_name},
        "author": [{"@type": "Person", "name": a.name} for a in authors]
        or [{"@type": "Organization", "name": publisher_name}],
    }
    if page.section:
        data["articleSection"] = page.section.name
    if page.lead_image:
        data["image"] = {
            "@type": "ImageObject",
            "url": image_url or social_image_url(context, page.lead_image),
            "caption": page.image_caption,
            "creditText": page.image_credit,
        }
    if page.source_url:
        data["isBasedOn"] = page.source_url
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')
