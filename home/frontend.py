"""A CDN or caching proxy in front of the site, purged when what readers see changes.

Wagtail's ``frontend_cache`` purges a page when it is published or unpublished. A change also
shows on the pages that list other pages: the home page, the news index and its sections, the
issue archive, the feeds and the sitemap. Those are purged after every change that bumps the
content generation (``home.signals``). Other pages that mention a changed page (an article's
Related Posts) are kept by the shared cache for at most ``PAGE_CACHE_SHARED_SECONDS``.

Nothing happens unless ``WAGTAILFRONTENDCACHE`` has a backend (``FRONTEND_CACHE_URL`` or the
Cloudflare settings); the purge itself runs on the task worker.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Site

from home.models import HomePage
from news.models import NewsIndexPage
from newsletter.models import IssueIndexPage

LISTING_PAGE_TYPES = (HomePage, NewsIndexPage, IssueIndexPage)
LISTING_ROUTES = ("feed", "feed-atom", "sitemap")


def enabled():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def listing_urls():
    batch = PurgeBatch()
    for model in LISTING_PAGE_TYPES:
        batch.add_pages(model.objects.live())
    for site in Site.objects.all():
        batch.add_urls(site.root_url + reverse(name) for name in LISTING_ROUTES)
    return batch


def purge_listings():
    listing_urls().purge()


def purge_listings_after_commit():
    if enabled():
        transaction.on_commit(purge_listings)
