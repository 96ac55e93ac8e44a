"""The admin's Help menu: this project's editor's guide (``home.guide``) in place of Wagtail's
generic one."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from home.guide import GuideView, guide_picture


# Wagtail's own items that lead to guide.wagtail.org: its "Editor Guide" and "What's new in
# Wagtail 8.0" (release notes, for developers). Its keyboard "Shortcuts" stay.
def is_wagtails_guide(item):
    return item.name == "editor-guide" or item.name.startswith("whats-new-in-wagtail")


@hooks.register("register_admin_urls")
def register_guide_urls():
    return [
        path("guide/", GuideView.as_view(), name="editor_guide"),
        # The guide's pictures, where its Markdown points (editor-guide/01-sign-in.png).
        path("guide/editor-guide/<str:name>", guide_picture, name="editor_guide_picture"),
    ]


@hooks.register("register_help_menu_item")
def register_guide_menu_item():
    return MenuItem(
        "Editor's guide", reverse("editor_guide"), icon_name="help", order=900, name="our-guide"
    )


@hooks.register("construct_help_menu")
def without_wagtails_guide(request, menu_items):
    menu_items[:] = [item for item in menu_items if not is_wagtails_guide(item)]
