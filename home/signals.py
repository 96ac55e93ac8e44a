"""What invalidates the page cache: anything a reader page could show."""

from django.db.models.signals import post_delete, post_save
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from home.frontend import purge_listings_after_commit
from home.models import PublicationSettings
from news.generation import bump_generation
from news.models import Author, CaptionedImage, Section
from newsletter.models import IssueSnapshot, NewsletterSettings

# Draft saves and autosaves change nothing readers see, so page saves don't count; publishing,
# unpublishing, moving and deleting do (for every page type: lists show other pages).
PAGE_SIGNALS = (page_published, page_unpublished, post_page_move)
CHANGED_MODELS = (CaptionedImage, Section, Author, PublicationSettings, NewsletterSettings,
                  IssueSnapshot, Site, Redirect, PageViewRestriction)
# A new row of these shows nowhere until a page uses it (settings rows are made with their
# defaults on the first page view, which already showed those defaults).
SHOWN_ONLY_WHEN_USED = (CaptionedImage, Section, Author, PublicationSettings,
                        NewsletterSettings, Redirect)


def changed(**kwargs):
    """Readers could see a change: forget cached pages here and on a CDN's listing pages."""
    bump_generation()
    purge_listings_after_commit()


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
