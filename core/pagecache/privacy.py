"""Page privacy without a query per page view when no page is private.

Wagtail checks a page's view restrictions (two queries) on every serve, and ``.public()``
looks them up again for every list. Most publications restrict nothing, so whether any
restriction exists is kept per process until the content generation changes (adding or
removing a restriction changes it).
"""

from wagtail.models import PageViewRestriction

from core.pagecache.generation import memoize


def any_view_restrictions():
    return memoize("any-view-restrictions", PageViewRestriction.objects.exists)


def public(pages):
    """``pages.public()``, skipping its query when no page anywhere is restricted."""
    return pages.public() if any_view_restrictions() else pages


class FastPrivacyMixin:
    """For page models: no restriction lookups while no page is private."""

    def get_view_restrictions(self):
        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
