"""The daily issue as an email, as plain text and as the archive page, and its frozen snapshot.

One set of story data feeds all three renderings: ``issue_email_context(issue)`` reads the
issue's ten stories, their articles, lead images and related stories in five queries. The
email is MJML (the ``{% mrml %}`` tag of wagtail-newsletter) in ``newsletter/email/issue.html``;
the plain text is ``newsletter/email/issue.txt``; the archive page's body is
``newsletter/issue_body.html``.

Every link and image in the email is absolute (``settings.SITE_URL``). Frozen for a send,
the email's links are placeholders with a ``TrackedLink`` each (``newsletter.issues.links``);
the preview and the archive link directly. The personal links
(unsubscribe, preferences) are left as placeholders: one email serves every reader, and
``newsletter.sending.message`` puts each reader's own links into the bytes of the message
built once from the snapshot.

Images: the email shows each lead image as the ``EMAIL_IMAGE_SPEC`` rendition. When an issue
is sent, ``build_snapshot()`` copies those renditions to ``MEDIA_ROOT/issues/<date>/`` and the
snapshot points at the copies: Wagtail deletes renditions when a photo is replaced, edited or
deleted, and a sent email must keep its pictures. Nothing in Wagtail touches ``issues/``;
don't purge it either.
"""

import logging
import re

from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.dateformat import format as format_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, slugify

from core.pagecache.privacy import public
from news.models import ArticlePage, CaptionedImage
from newsletter.conf import setting
from newsletter.issues.links import DIRECT, Collector, email_links
from newsletter.mailformat import absolute_url
from newsletter.models import IssueIndexPage, IssueSnapshot, NewsletterSettings, TrackedLink

logger = logging.getLogger(__name__)

UNSUBSCRIBE_PLACEHOLDER = "[[UNSUBSCRIBE_URL]]"
PREFERENCES_PLACEHOLDER = "[[PREFERENCES_URL]]"
OPEN_PLACEHOLDER = "[[OPEN]]"

# Twice the width the email shows it at (552 px), for sharp pictures on high-density screens.
EMAIL_IMAGE_SPEC = "fill-1200x675|format-jpeg|jpegquality-70"
EMAIL_IMAGE_WIDTH = 552
FROZEN_IMAGE_DIR = "issues"

EMAIL_TEMPLATE = "newsletter/email/issue.html"
TEXT_TEMPLATE = "newsletter/email/issue.txt"
WEB_TEMPLATE = "newsletter/issue_body.html"

PREHEADER_LENGTH = 200
# Invisible characters after the preheader, so inboxes don't fill the preview line with the
# start of the body ("View this issue in your browser").
PREHEADER_FILLER = mark_safe("&#847;&zwnj;&nbsp;" * 40)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def absolute(url):
    """``url`` on the public site (``SITE_URL``) unless it is already absolute."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return absolute_url(url)


def archive_path(issue_date, request=None):
    """The site path of a sent issue's archive page, e.g. ``/issues/2026-11-23/``."""
    day = issue_date.isoformat()
    index = IssueIndexPage.objects.order_by("path").first()
    parts = index.get_url_parts(request) if index is not None else None
    if not parts or parts[2] is None:
        return f"/issues/{day}/"  # where seed_demo and the README put the archive
    return parts[2] + index.reverse_subpage("issue", args=[day])


def intro_paragraphs(text):
    """The editor's intro split at blank lines into paragraphs."""
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text or "") if part.strip()]


def default_preheader(headlines):
    """The first three headlines, for an issue whose editor left the preheader blank."""
    return Truncator(" · ".join(headlines[:3])).chars(PREHEADER_LENGTH)


# Stories


def load_stories(issue):
    """``[(story, article), ...]`` in the editor's order, skipping stories with no article.

    Works for a saved issue, a revision and an unsaved preview alike (stories in memory).
    Articles come with their section, lead image and email rendition, and each its Related
    Story if that is live and public (``article.email_related``): four queries.
    """
    stories = [story for story in issue.stories.all() if story.article_id]
    images = CaptionedImage.objects.prefetch_renditions(EMAIL_IMAGE_SPEC)
    articles = (
        ArticlePage.objects.filter(pk__in=[story.article_id for story in stories])
        .select_related("section")
        .prefetch_related(Prefetch("lead_image", queryset=images))
    )
    by_pk = {article.pk: article for article in articles}
    related_ids = {a.related_story_id for a in by_pk.values() if a.related_story_id}
    related = (
        {
            page.pk: page
            for page in public(ArticlePage.objects.live())
            .filter(pk__in=related_ids)
            .only("title", "url_path", "path", "depth")
        }
        if related_ids
        else {}
    )
    for article in by_pk.values():
        found = related.get(article.related_story_id)
        article.email_related = found if found is not None and found.pk != article.pk else None
    return [(story, by_pk[story.article_id]) for story in stories if story.article_id in by_pk]


def email_rendition(image):
    """The email's rendition of ``image`` (made on first use), or None without an image."""
    if image is None:
        return None
    try:
        return image.get_rendition(EMAIL_IMAGE_SPEC)
    except Exception:  # a missing or unreadable file must not stop the issue
        logger.exception("No email rendition for image %s", image.pk)
        return None


def story_data(rank, story, article, request=None):
    """One story as plain data: what the email, the text and the archive show."""
    parts = article.get_url_parts(request)
    path = parts[2] if parts and parts[2] else article.url_path
    data = {
        "rank": rank,
        "article_id": article.pk,
        "headline": story.headline or article.title,
        "blurb": story.blurb or article.summary,
        "section": article.section.name if article.section else "",
        "url": absolute(path),
        "path": path,
        "image_url": "",
        "image_path": "",
        "image_file": "",
        "image_width": 0,
        "image_height": 0,
        "caption": article.image_caption,
        "credit": article.image_credit,
        "credit_url": article.image_credit_url,
        "source_url": article.source_url,
        "source_name": article.source_name,
        "related_title": "",
        "related_url": "",
    }
    related = getattr(article, "email_related", None)
    if related is not None:
        related_parts = related.get_url_parts(request)
        related_path = related_parts[2] if related_parts and related_parts[2] else related.url_path
        data.update(related_title=related.title, related_url=absolute(related_path))
    rendition = email_rendition(article.lead_image)
    if rendition is not None:
        data.update(
            image_url=absolute(rendition.url),
            image_path=rendition.url,
            image_width=rendition.width,
            image_height=rendition.height,
            rendition=rendition,
        )
    return data


def _stored(storage, name):
    with storage.open(name, "rb") as stored:
        return stored.read()


def freeze_image(data, issue_date):
    """Copy the story's rendition to ``issues/<date>/`` and point the story at the copy.

    Later rendition clean-ups (a photo replaced, its focal point moved, the photo deleted)
    then leave sent emails and the archive untouched. If the copy fails, the story keeps the
    rendition's own address.
    """
    rendition = data.pop("rendition", None)
    if rendition is None:
        return data
    name = f"{FROZEN_IMAGE_DIR}/{issue_date.isoformat()}/{data['rank']:02d}-"
    name += f"{slugify(data['headline'])[:60] or 'photo'}.jpg"
    storage = rendition.file.storage
    try:
        with rendition.file.open("rb") as source:
            content = source.read()
        if storage.exists(name) and _stored(storage, name) == content:
            saved = name  # a test send of this issue copied it already: the same address
        else:
            saved = storage.save(name, ContentFile(content))
    except OSError:
        logger.exception("Could not copy %s for the issue of %s", rendition.file.name, issue_date)
        return data
    url = storage.url(saved)
    data.update(image_file=saved, image_path=url, image_url=absolute(url))
    return data


# Rendering


def issue_email_context(issue, *, stories=None, request=None, links=DIRECT):
    """Everything the email, plain text and archive templates need, from one set of data.

    ``stories`` (a list of ``story_data`` dicts) replaces the issue's live story data, as
    ``build_snapshot`` does with its frozen images. ``links`` makes the email's and the
    text's links (``newsletter.issues.links``): direct, or a ``Collector``'s placeholders.
    """
    if stories is None:
        stories = [
            story_data(rank, story, article, request)
            for rank, (story, article) in enumerate(load_stories(issue), start=1)
        ]
    newsletter = NewsletterSettings.load()
    issue_date = issue.issue_date
    archive = archive_path(issue_date, request) if issue_date else ""
    preheader = issue.preheader or default_preheader([s["headline"] for s in stories])
    context = {
        "page": issue,
        "issue": issue,
        "rendering_newsletter": True,
        "subject": issue.get_newsletter_subject(),
        "preheader": preheader,
        "preheader_filler": PREHEADER_FILLER,
        "publication_name": newsletter.from_name,
        "postal_address": newsletter.postal_address,
        "issue_date": issue_date,
        "issue_day": format_date(issue_date, "l j F Y") if issue_date else "",
        "intro_paragraphs": intro_paragraphs(issue.intro),
        "stories": stories,
        "archive_path": archive,
        "archive_url": absolute(archive),
        "site_url": absolute_url("/"),
        "image_width": EMAIL_IMAGE_WIDTH,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        # The tracking pixel, only in an email frozen to be sent, and only when it is on.
        "open_pixel": OPEN_PLACEHOLDER
        if links.tracked and setting("NEWSLETTER_OPEN_TRACKING")
        else "",
    }
    return email_links(context, stories, links)


def render_email(context):
    return render_to_string(EMAIL_TEMPLATE, context)


def render_text(context):
    return render_to_string(TEXT_TEMPLATE, context)


def render_web(context):
    return render_to_string(WEB_TEMPLATE, context)


def render_issue_html(issue):
    """The email's HTML, with the personal links as placeholders: the Newsletter preview and
    a saved campaign's HTML (``newsletter/email/issue_page.html``)."""
    return render_email(issue_email_context(issue))


def render_issue_text(issue):
    """The plain-text part: the ten stories numbered 1 to 10, with placeholders."""
    return render_text(issue_email_context(issue))


# Snapshot


def freeze_issue(issue, *, user=None):
    """``issue`` as it is now, frozen into an unsaved ``IssueSnapshot``: subject, preheader,
    the email's HTML and text (with placeholders), the archive body and the stories as data.

    Images are copied so the snapshot keeps them (see ``freeze_image``). A test send mails
    this unsaved snapshot, so the editor checks the very message readers will get.

    Every link of the email and the text is a placeholder (``newsletter.issues.links``); the
    snapshot's ``tracked_links`` are the unsaved ``TrackedLink`` rows behind them, which
    ``build_snapshot`` saves (a test send links straight to their targets).
    """
    stories = [
        freeze_image(story_data(rank, story, article), issue.issue_date)
        for rank, (story, article) in enumerate(load_stories(issue), start=1)
    ]
    collector = Collector()
    context = issue_email_context(issue, stories=stories, links=collector)
    snapshot = IssueSnapshot(
        issue=issue,
        issue_date=issue.issue_date,
        subject=context["subject"],
        preheader=context["preheader"],
        html=render_email(context),
        text=render_text(context),
        web_html=render_web(context),
        stories=stories,
        revision_id=issue.live_revision_id,
        sent_by=user if user is not None and user.is_authenticated else None,
    )
    snapshot.tracked_links = collector.links
    return snapshot


def build_snapshot(issue, *, user=None):
    """Freeze ``issue`` (``freeze_issue``) and save the snapshot.

    Call it for a published issue that may be sent (``newsletter.rules.sending_problems``
    is empty): the page's own row is then its live revision.
    """
    snapshot = freeze_issue(issue, user=user)
    snapshot.save()
    for link in snapshot.tracked_links:
        link.snapshot = snapshot
    TrackedLink.objects.bulk_create(snapshot.tracked_links)
    return snapshot
