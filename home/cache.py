"""Anonymous reader pages served from memory, invalidated whenever the site changes.

Every anonymous GET of a reader page (home, articles, sections, the archive, feeds, sitemap)
is kept in a small in-process LRU store after its first render, and later requests skip the
whole of Django below this middleware. Correctness rests on one *generation*: a number kept
in a file (``PAGE_CACHE_GENERATION_FILE``) that every worker process reads on each request
(one ``stat``). Anything that could change what a page shows (publishing, unpublishing,
moving or deleting a page, a new sent issue, a changed image, snippet or setting) bumps it
after the transaction commits, and every process then ignores what it stored before. The
file must be shared by all processes serving the site (one machine, or a shared volume).

Never cached: logged-in users and anyone with a session (editors), previews and the admin,
the sign-up, confirm, unsubscribe and preference pages, search results, form posts, and any
response that sets a cookie or says ``private``/``no-store``.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.http import HttpResponse
from wagtail.models import Site

from news.generation import current_generation, memoize

CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml",
                   "application/xml", "text/xml", "text/plain")
SKIPPED_PREFIXES = ("/admin/", "/newsletter/", "/search/", "/documents/", "/django-admin/")


def site_for(request):
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page.specific  # noqa: B018  (loaded once, with the site)
    return site


class PageStore:
    """A bounded, thread-safe LRU of (status, headers, body) by request key."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def set(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


class PageCacheMiddleware:
    """Serve anonymous reader pages from the page store (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.store = PageStore(getattr(settings, "PAGE_CACHE_MAX_ENTRIES", 2000))

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            # Wagtail looks the site up on every request; readers share one per process.
            request._wagtail_site = memoize(
                ("site", request.get_host(), request.get_port()), lambda: site_for(request)
            )
        if not settings.PAGE_CACHE_ENABLED or not self.is_cacheable_request(request):
            return self.get_response(request)
        key = (current_generation(), request.get_host(), request.get_full_path())
        entry = self.store.get(key)
        if entry is not None:
            status, headers, body = entry
            response = HttpResponse(body, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self.is_cacheable_response(response):
            headers = {k: v for k, v in response.items() if k.lower() != "x-page-cache"}
            self.store.set(key, (response.status_code, headers, response.content))
            response["X-Page-Cache"] = "miss"
        return response

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
