from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_editor_js")
def editor_saves_without_racing_autosave():
    """The editor's own Save stops autosave first (core/editing.py says why)."""
    return format_html('<script src="{}"></script>', static("core/admin/autosave.js"))
