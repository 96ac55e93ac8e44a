"""The links of an issue's email, as the templates get them: direct, or tracked placeholders.

The Newsletter preview and the archive page link directly (``DIRECT``). When an issue is
frozen for a send or a test send, a ``Collector`` hands the templates a placeholder for each
link (``[[LINK:7]]``, 7 being its position, counted in the email's order and then the plain
text's) and keeps an unsaved ``TrackedLink`` for it: which story (rank), which article, which
role, where it goes, what it said. ``build_snapshot`` saves them with the snapshot;
``newsletter.sending.message`` puts each reader's ``/r/<token>/`` (or, for a test send, the
target itself) where the placeholders are.

The unsubscribe and preferences links are never tracked: they keep their own placeholders.
"""

import re

from newsletter.models import TrackedLink

LINK_PLACEHOLDER = "[[LINK:{}]]"
LINK_PATTERN = re.compile(r"\[\[LINK:(\d+)\]\]")
Role = TrackedLink.Role


def placeholders_in(*texts):
    """Every link placeholder in ``texts``, once each, in position order."""
    positions = {int(found) for text in texts for found in LINK_PATTERN.findall(text or "")}
    return [LINK_PLACEHOLDER.format(position) for position in sorted(positions)]


class Direct:
    """Links as they are: the preview, the archive page."""

    tracked = False

    def __call__(self, url, role, *, rank=None, article_id=None, label=""):
        return url


DIRECT = Direct()


class Collector:
    """Links as placeholders, each remembered as an unsaved ``TrackedLink`` (``links``)."""

    tracked = True

    def __init__(self):
        self.links = []

    def __call__(self, url, role, *, rank=None, article_id=None, label=""):
        if not url:
            return url
        link = TrackedLink(
            position=len(self.links) + 1,
            role=role,
            url=url,
            rank=rank,
            article_id=article_id,
            label=" ".join(str(label).split())[:300],
        )
        self.links.append(link)
        return LINK_PLACEHOLDER.format(link.position)


def story_links(story, link):
    """The email's and the plain text's links of one story (a ``story_data`` dict)."""
    at = {"rank": story["rank"], "article_id": story["article_id"]}
    url, headline = story["url"], story["headline"]
    html = {
        "headline": link(url, Role.HEADLINE, label=headline, **at),
        "image": link(url, Role.IMAGE, label=story.get("caption") or headline, **at)
        if story.get("image_url")
        else "",
        "read_more": link(url, Role.READ_MORE, label="Read the story", **at),
        "source": link(story.get("source_url", ""), Role.SOURCE, label=_source(story), **at),
        "related": link(
            story.get("related_url", ""), Role.RELATED, label=story.get("related_title"), **at
        ),
    }
    return html


def text_links(story, link):
    """The plain text's links of one story: the story, its source, its related story."""
    at = {"rank": story["rank"], "article_id": story["article_id"]}
    return {
        "story": link(story["url"], Role.TEXT, label=story["headline"], **at),
        "source": link(story.get("source_url", ""), Role.TEXT, label=_source(story), **at),
        "related": link(
            story.get("related_url", ""), Role.TEXT, label=story.get("related_title"), **at
        ),
    }


def _source(story):
    return f"Source: {story.get('source_name') or story.get('source_url')}"


def email_links(context, stories, link):
    """Put the links of the email and the text into ``context`` (from ``issue_email_context``)
    in the order readers meet them: the masthead, each story, the footer, the canary, then
    the plain text's. ``context["stories"]`` becomes copies of ``stories`` with ``links``
    (the email's) and ``text_links``; ``stories`` themselves are left as they are."""
    archive, home = context["archive_url"], context["site_url"]
    context["masthead_archive_href"] = link(archive, Role.MASTHEAD, label="View in browser")
    context["masthead_home_href"] = link(home, Role.MASTHEAD, label=context["publication_name"])
    context["stories"] = [dict(story, links=story_links(story, link)) for story in stories]
    context["footer_archive_href"] = link(archive, Role.FOOTER, label="View in your browser")
    # A link nobody sees (hidden, skipped by screen readers): only machines follow it.
    context["canary_href"] = link(home, Role.CANARY, label="") if link.tracked else ""
    context["text_archive_href"] = link(archive, Role.TEXT, label="View in browser")
    for story in context["stories"]:
        story["text_links"] = text_links(story, link)
    return context
