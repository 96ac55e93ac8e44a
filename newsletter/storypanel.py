"""The issue's stories on its edit page: compact ranked rows and the story chooser's widget.

``StoriesPanel`` is Wagtail's ``MultipleChooserPanel`` with rows that show their rank and the
article's headline while collapsed (saved rows start collapsed), a Draft badge on a story whose
article is not live, a "Move to top" button beside Wagtail's move up/down and drag handle, and a
note once ten stories are in. ``StoryChooserWidget`` opens the story chooser
(``newsletter.views.story_chooser``) and tells it the issue's date and the articles already in
the form, so the chooser can mark them and say how many more fit.

It sits beside ``editing``: the page model names it, so it imports no higher layer (the
chooser's address is a URL name, resolved when the widget renders).
"""

from django import forms
from django.utils.functional import cached_property
from wagtail.admin.panels import MultipleChooserPanel
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.telepath import register as register_telepath_adapter
from wagtail.admin.widgets.chooser import BaseChooser, BaseChooserAdapter

from newsletter.rules import STORIES_PER_ISSUE

STORY_CHOOSER_URL_NAME = "newsletter_story_chooser:choose"
DRAFT_BADGE = "Draft: publish the article before sending"
FULL_NOTE = "Ten stories are in. Remove one to add another."

ADMIN_JS = "newsletter/admin/stories.js"
ADMIN_CSS = "newsletter/admin/stories.css"


class StoryChooserWidget(BaseChooser):
    """Chooses one article for a story, from the newest live articles first."""

    choose_one_text = "Choose an article"
    choose_another_text = "Choose another article"
    link_to_chosen_text = "Edit the article"
    chooser_modal_url_name = STORY_CHOOSER_URL_NAME
    icon = "doc-full"
    # The chooser marks what was in the issue before this one's date.
    linked_fields = {"issue_date": "#id_issue_date"}

    model = "news.ArticlePage"


class StoryChooserAdapter(BaseChooserAdapter):
    """The widget in the browser: Wagtail's chooser, which also sends the form's stories."""

    js_constructor = "newsletter.StoryChooser"

    @cached_property
    def media(self):
        return super().media + forms.Media(js=[versioned_static(ADMIN_JS)])


register_telepath_adapter(StoryChooserAdapter(), StoryChooserWidget)


class StoriesPanel(MultipleChooserPanel):
    """The issue's ranked stories, as compact rows (see the module's docstring)."""

    class BoundPanel(MultipleChooserPanel.BoundPanel):
        template_name = "newsletter/admin/stories_panel.html"
        # Wagtail 8's MultipleChooserPanel, unpacked again by the editor's telepath, binds the
        # rows' move and drag controls a second time (its constructor drops initControls=False):
        # one press of "Move up" moved a story two places. stories.js gives this name Wagtail's
        # InlinePanel, which binds nothing when unpacked.
        telepath_adapter_name = "newsletter.panels.StoriesPanel"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.form is None:
                return
            # Each row's headline and live state, for all rows in one query.
            attname = f"{self.panel.chooser_field_name}_id"
            ids = {getattr(child.form.instance, attname) for child in self.children}
            model = self.panel.db_field.related_model._meta.get_field(
                self.panel.chooser_field_name
            ).related_model
            articles = model.objects.filter(pk__in=ids - {None}).only("title", "live").in_bulk()
            for child in self.children:
                child.story_article = articles.get(getattr(child.form.instance, attname))

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(
                {
                    "draft_badge": DRAFT_BADGE,
                    "full_note": FULL_NOTE,
                    "stories_per_issue": STORIES_PER_ISSUE,
                }
            )
            return context

        @property
        def media(self):
            return super().media + forms.Media(
                js=[versioned_static(ADMIN_JS)],
                css={"all": [versioned_static(ADMIN_CSS)]},
            )
