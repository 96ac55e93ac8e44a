"""The reader's search page."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse

from news.models import ArticlePage, as_cards, with_card_renditions
from news.privacy import public

MAX_QUERY_LENGTH = 200
PER_PAGE = 10


def search(request):
    """Search live articles by headline, summary and body."""
    # PostgreSQL refuses NUL characters in text; nobody searches for them.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        matches = as_cards(public(ArticlePage.objects.live())).search(query)
        paginator = Paginator(matches, PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            results = paginator.page(1)
        results.object_list = with_card_renditions(results.object_list)
    return TemplateResponse(request, "search.html", {"query": query, "results": results})
