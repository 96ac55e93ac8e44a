"""A CDN or caching proxy in front of the site, purged when what readers see changes.

Wagtail's ``frontend_cache`` purges a page when it is published or unpublished. A change also
shows on the pages that list other pages (for this site: the home page, the news index and its
sections, the issue archive, the feeds and the sitemap), so the site's signal receivers
(``home.signals``) purge those after every change that bumps the content generation. Other
pages that mention a changed page (an article's Related Posts) are kept by the shared cache
for at most ``PAGE_CACHE_SHARED_SECONDS``.

Nothing happens unless ``WAGTAILFRONTENDCACHE`` has a backend (``FRONTEND_CACHE_URL`` or the
Cloudflare settings); the purge itself runs on the task worker.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Site


def enabled():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge_batch(page_types, routes):
    """Every live page of the ``page_types`` (with the paths each page says it has) and the
    named ``routes`` on every site."""
    batch = PurgeBatch()
    for model in page_types:
        batch.add_pages(model.objects.live())
    for site in Site.objects.all():
        batch.add_urls(site.root_url + reverse(name) for name in routes)
    return batch


def purge_after_commit(page_types, routes):
    """Purge ``purge_batch(page_types, routes)`` once the current transaction commits."""
    if enabled():
        transaction.on_commit(lambda: purge_batch(page_types, routes).purge())
