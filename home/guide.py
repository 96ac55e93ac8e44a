"""The project's own editor's guide (``docs/editor-guide.md``) inside the admin, at
``/admin/guide/``, with its pictures (``docs/editor-guide/*.png``): the admin's Help menu
points here rather than to Wagtail's generic guide. Both are for signed-in staff only (they
sit under the admin's URLs, which Wagtail keeps behind its sign-in).

The Markdown is turned into HTML once per process and again only when the file changes;
raw HTML in it is shown as text, never run.
"""

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from markdown_it import MarkdownIt
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

PICTURE_NAME = re.compile(r"^[\w-]+\.png$")


def guide_file():
    return Path(settings.BASE_DIR) / "docs" / "editor-guide.md"


def pictures_dir():
    return Path(settings.BASE_DIR) / "docs" / "editor-guide"


@lru_cache(maxsize=2)
def _rendered(path, mtime_ns):
    text = path.read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    return title.lstrip("# ").strip(), MarkdownIt("commonmark", {"html": False}).render(body)


def rendered_guide():
    """``(title, html)`` of the guide; Http404 if the file is missing."""
    path = guide_file()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise Http404("The editor's guide is not installed.") from None
    return _rendered(path, mtime)


class GuideView(WagtailAdminTemplateMixin, TemplateView):
    """The guide, in the admin's frame, for anyone who may use the admin."""

    template_name = "home/admin/guide.html"
    header_icon = "help"

    def get_context_data(self, **kwargs):
        title, body = rendered_guide()
        self.page_title = title
        return super().get_context_data(guide=mark_safe(body), **kwargs)  # the guide, raw HTML off


def guide_picture(request, name):
    """One of the guide's pictures, by its plain file name (no folders)."""
    if not PICTURE_NAME.match(name):
        raise Http404("No such picture.")
    path = pictures_dir() / name
    if not path.is_file():
        raise Http404("No such picture.")
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
