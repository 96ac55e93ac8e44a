"""The reader's search page."""

import logging

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import DatabaseError
from django.template.response import TemplateResponse

from core.pagecache.privacy import public
from news.models import ArticlePage, as_cards, with_card_renditions
from news.search_query import clean_query, search_query

logger = logging.getLogger(__name__)

PER_PAGE = 10


def search(request):
    """Search live articles by headline, summary and body."""
    query = clean_query(request.GET.get("q", ""))
    results = None
    terms = search_query(query) if query else None
    if terms is not None:
        matches = as_cards(public(ArticlePage.objects.live())).search(terms)
        paginator = Paginator(matches, PER_PAGE)
        try:
            try:
                results = paginator.page(request.GET.get("page", 1))
            except (PageNotAnInteger, EmptyPage):
                results = paginator.page(1)
            results.object_list = with_card_renditions(results.object_list)
        except DatabaseError:
            # search_query() lets only words through; should the database still refuse the
            # search, the reader sees "No stories found", not an error page.
            logger.exception("The search for %r failed", query)
            results = None
    return TemplateResponse(request, "search.html", {"query": query, "results": results})
