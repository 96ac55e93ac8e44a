"""Routing through the site's fixed sections without two queries a request.

Wagtail finds each URL segment's page with a query for the child and another for its specific
type. Below the home page those children are a handful of section pages (the news index, the
issue archive) that every reader request walks through, so the home page keeps them per
process until the content generation changes (any publish, move or delete bumps it).
"""

from core.pagecache.generation import memoize


class MemoizedChildRoutingMixin:
    """For a page with few children that readers pass through on their way to most pages.
    The children are shared by requests and only read while routing."""

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        slug = path_components[0]
        child = memoize(("route", self.pk, slug), lambda: self._specific_child(slug))
        if child is None:
            return super().route(request, path_components)  # Wagtail's 404
        return child.route(request, path_components[1:])

    def _specific_child(self, slug):
        child = self.get_children().filter(slug=slug).first()
        if child is None:
            return None
        child = child.specific
        child._cached_parent_obj = self
        return child
