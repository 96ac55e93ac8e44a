"""Site-wide answers that are no page: the favicon at the address browsers ask for."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

FAVICON_SECONDS = 7 * 24 * 3600


@lru_cache(maxsize=1)
def favicon_bytes():
    return (Path(settings.BASE_DIR) / "static" / "favicon.ico").read_bytes()


def favicon(request):
    """``/favicon.ico``: browsers ask for it on every site whatever the page links to."""
    response = HttpResponse(favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_SECONDS}"
    return response
