"""Anonymous reader pages served from Django's cache, invalidated whenever the site changes.

Every anonymous GET of a reader page (home, articles, sections, the archive, feeds, sitemap)
is kept in the ``pages`` cache after its first render, and later requests skip the whole of
Django below this middleware. That cache is this process's memory by default, a folder or
Redis by setting (``PAGE_CACHE_URL``, config/caches.py). Correctness rests on one
*generation* (``core.pagecache.generation``): a number every process reads on each request
and that is part of every key, kept in a file on one machine or in Redis across machines.
Anything that could change what a page shows (publishing, unpublishing, moving or deleting a
page, a new sent issue, a changed image, snippet or setting) bumps it after the transaction
commits, and every process then stops finding what was stored before. While the generation
or the cache itself can't be reached (Redis down), readers get pages rendered afresh.

A page that changes at a set time with nothing published (the home page at midnight: which
issue is "the latest") sets ``response.page_cache_until``, an aware datetime: it is kept no
longer than that, here and by shared caches.

Cacheable responses say so to shared caches (``public, s-maxage``) and not to browsers
(``max-age=0``); a CDN in front is purged by ``core.pagecache.purge``, as the site's
signal receivers ask (``home.signals``).

Never cached: logged-in users and anyone with a session (editors), previews and the admin,
the sign-up, confirm, unsubscribe and preference pages, search results, form posts, and any
response that sets a cookie or says ``private``/``no-store``.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from wagtail.models import Site

from core.conf import setting
from core.pagecache.generation import current_generation, memoize, shared_cache_failed

logger = logging.getLogger(__name__)

CACHEABLE_TYPES = (
    "text/html",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "text/plain",
)
# The site's URLs (config/urls.py) for editors, one reader's subscription, queries and files,
# and the click redirect of sent issues (each click must reach the view to be counted).
SKIPPED_PREFIXES = (
    "/admin/",
    "/newsletter/",
    "/search/",
    "/documents/",
    "/django-admin/",
    "/r/",
)


def site_for(request):
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page.specific  # noqa: B018  (loaded once, with the site)
    return site


def page_key(request):
    """The generation, host and full path (hashed: some caches limit key length)."""
    address = f"{request.get_host()}{request.get_full_path()}".encode()
    return f"{current_generation()}:{hashlib.blake2b(address, digest_size=16).hexdigest()}"


def seconds_left(response):
    """Whole seconds until the response's ``page_cache_until`` (an aware datetime a view may
    set), or None when it set none."""
    until = getattr(response, "page_cache_until", None)
    if until is None:
        return None
    return max(0, int((until - timezone.now()).total_seconds()))


class PageCacheMiddleware:
    """Serve anonymous reader pages from the ``pages`` cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            # Wagtail looks the site up on every request; readers share one per process.
            request._wagtail_site = memoize(
                ("site", request.get_host(), request.get_port()), lambda: site_for(request)
            )
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        store = caches["pages"] if setting("PAGE_CACHE_ENABLED") else None
        if store is not None and current_generation() is None:
            store = None  # unknown generation (Redis unreachable): render, keep nothing
        key = page_key(request) if store is not None else None
        entry = None
        if store is not None:
            try:
                entry = store.get(key)
            except Exception as error:  # any cache backend's failure: render instead
                self.failed(error)
                store = None
        if entry is not None:
            status, headers, body = entry
            response = HttpResponse(body, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self.is_cacheable_response(response):
            shared, kept = setting("PAGE_CACHE_SHARED_SECONDS"), {}
            left = seconds_left(response)
            if left is not None:
                # A page that changes at a set time (the home page at midnight) is kept no
                # longer than that, here and in a shared cache.
                shared, kept = min(shared, left), {"timeout": left}
            patch_cache_control(response, public=True, max_age=0, s_maxage=shared)
            if store is not None and kept.get("timeout", 1) > 0:
                headers = {k: v for k, v in response.items() if k.lower() != "x-page-cache"}
                try:
                    store.set(key, (response.status_code, headers, response.content), **kept)
                except Exception as error:  # the page is still served, just not kept
                    self.failed(error)
                else:
                    response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def failed(error):
        logger.warning("The page cache failed (%s): serving the page uncached", error)
        shared_cache_failed(error)

    @staticmethod
    def is_cacheable_request(request):
        if request.method not in ("GET", "HEAD"):
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        return not request.path.startswith(SKIPPED_PREFIXES)

    @staticmethod
    def is_cacheable_response(response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if getattr(response, "is_preview", False):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if "private" in cache_control or "no-store" in cache_control:
            return False
        return response.get("Content-Type", "").split(";")[0].strip() in CACHEABLE_TYPES
