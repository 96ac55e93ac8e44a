"""What invalidates the page cache (``core.pagecache``): anything a reader page could show.

After each such change the content generation is bumped, and a CDN in front of the site
(``core.pagecache.purge``) is asked to purge the pages that list other pages: the home page,
the news index and its sections, the issue archive, the feeds and the sitemap.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.pagecache.generation import bump_generation
from core.pagecache.purge import purge_after_commit
from home.models import HomePage, PublicationSettings
from news.models import Author, CaptionedImage, NewsIndexPage, Section
from newsletter.models import IssueIndexPage, IssueSnapshot, NewsletterSettings

# Draft saves and autosaves change nothing readers see, so page saves don't count; publishing,
# unpublishing, moving and deleting do (for every page type: lists show other pages).
PAGE_SIGNALS = (page_published, page_unpublished, post_page_move)
CHANGED_MODELS = (
    CaptionedImage,
    Section,
    Author,
    PublicationSettings,
    NewsletterSettings,
    IssueSnapshot,
    Site,
    Redirect,
    PageViewRestriction,
)
# A new row of these shows nowhere until a page uses it (settings rows are made with their
# defaults on the first page view, which already showed those defaults).
SHOWN_ONLY_WHEN_USED = (
    CaptionedImage,
    Section,
    Author,
    PublicationSettings,
    NewsletterSettings,
    Redirect,
)
# The pages that list other pages, and the named routes that do.
LISTING_PAGE_TYPES = (HomePage, NewsIndexPage, IssueIndexPage)
LISTING_ROUTES = ("feed", "feed-atom", "sitemap")


def changed(**kwargs):
    """Readers could see a change: forget cached pages here and on a CDN's listing pages."""
    bump_generation()
    purge_after_commit(LISTING_PAGE_TYPES, LISTING_ROUTES)


def changed_unless_new(sender, created=False, **kwargs):
    if created and sender in SHOWN_ONLY_WHEN_USED:
        return
    changed()


def connect():
    for signal in PAGE_SIGNALS:
        signal.connect(changed, dispatch_uid=f"page-cache-{signal!r}")
    post_delete.connect(changed, sender=Page, dispatch_uid="page-cache-page-delete")
    for model in CHANGED_MODELS:
        post_save.connect(changed_unless_new, sender=model, dispatch_uid=f"page-cache-{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"page-cache-d-{model}")
