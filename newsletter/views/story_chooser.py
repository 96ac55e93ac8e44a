"""The story chooser: the modal an editor picks an issue's stories from.

The newest live articles first (by the article's date, then when it first went live), each
with its headline, date, section and photo, marked "In this issue" (the articles the edit form
already holds: the modal's address carries them, see ``newsletter/storypanel.py``) and "In
yesterday's issue" (the last issue sent before this one's date). Choosing several at once, the
modal says how many more fit and adds them in the order they were ticked
(``newsletter/static/newsletter/admin/stories.js``).

``reverse("newsletter_story_chooser:choose")``, with ``multiple=1``, ``issue_date`` and
``in_issue`` (comma-separated article ids) as the widget sends them.
"""

import datetime

from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from wagtail.admin.forms.choosers import BaseFilterForm, SearchFilterMixin
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.search.backends import get_search_backend

from news.models import ArticlePage
from news.models.article import attach_renditions
from news.models.images import CARD_SPECS
from newsletter.models import IssueSnapshot
from newsletter.rules import STORIES_PER_ISSUE
from newsletter.storypanel import STORY_CHOOSER_URL_NAME

# The card's small picture: the reader pages already made it, so the chooser makes none.
THUMBNAIL_SPEC = CARD_SPECS[0]
SEARCH_LIMIT = 200
LIST_FIELDS = ("title", "date", "first_published_at", "live", "section", "lead_image")


def parse_ids(values):
    """Article ids from the address (``in_issue=3,5`` or repeated ``id=3``), bad ones dropped."""
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit() and int(part) not in ids:
                ids.append(int(part))
    return ids


class StorySearchForm(SearchFilterMixin, BaseFilterForm):
    """Search by headline; the matches stay newest first (the best 200 of them)."""

    def filter(self, objects):
        objects = super(SearchFilterMixin, self).filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            matches = get_search_backend().autocomplete(
                query, objects.select_related(None).only("pk")
            )[:SEARCH_LIMIT]
            objects = objects.filter(pk__in=[match.pk for match in matches])
            self.is_searching = True
            self.search_query = query
        return objects


class StoryColumn(Column):
    """A column whose cell template also gets the view's ``story_marks``."""

    def __init__(self, name, *, cell_template_name, marks, **kwargs):
        super().__init__(name, **kwargs)
        self.cell_template_name = cell_template_name
        self.marks = marks

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["story_marks"] = self.marks
        return context


class StoryChooseMixin:
    """What the chooser's modal and its results (search, pages) have in common."""

    per_page = 20
    ordering = ("-date", "-first_published_at", "-pk")
    filter_form_class = StorySearchForm
    results_template_name = "newsletter/admin/story_chooser/results.html"

    def get_object_list(self):
        return ArticlePage.objects.live().only(*LIST_FIELDS).select_related("section", "lead_image")

    def get_results_page(self, request):
        page = super().get_results_page(request)
        page.object_list = list(page.object_list)
        attach_renditions(
            [article.lead_image for article in page.object_list if article.lead_image_id],
            [THUMBNAIL_SPEC],
        )
        return page

    @cached_property
    def issue_date(self):
        try:
            return datetime.date.fromisoformat(self.request.GET.get("issue_date", ""))
        except ValueError:
            return datetime.date.today() + datetime.timedelta(days=1)

    @cached_property
    def in_issue(self):
        return parse_ids(self.request.GET.getlist("in_issue"))

    @cached_property
    def previous_issue(self):
        """``(its date, the ids of its articles)``: the last issue sent before this one's."""
        found = (
            IssueSnapshot.objects.filter(issue_date__lt=self.issue_date)
            .order_by("-issue_date")
            .values_list("issue_date", "stories")
            .first()
        )
        if found is None:
            return None, set()
        day, stories = found
        return day, {story.get("article_id") for story in stories}

    def previous_issue_label(self):
        day = self.previous_issue[0]
        if day is None:
            return ""
        if day == self.issue_date - datetime.timedelta(days=1):
            return "In yesterday's issue"
        return f"In the issue of {format_date(day, 'l j F')}"

    @property
    def columns(self):
        return [
            StoryColumn(
                "thumbnail",
                label="Photo",
                accessor=self.thumbnail,
                width="1%",
                cell_template_name="newsletter/admin/story_chooser/thumbnail_cell.html",
                marks=self.story_marks,
            ),
            StoryColumn(
                "title",
                label="Headline",
                accessor=lambda article: article,
                cell_template_name="newsletter/admin/story_chooser/title_cell.html",
                marks=self.story_marks,
            ),
            Column("date", label="Date", accessor=lambda a: format_date(a.date, "D j M Y")),
            Column(
                "section",
                label="Section",
                accessor=lambda a: a.section.name if a.section_id else "",
            ),
        ]

    @property
    def checkbox_column(self):
        return StoryColumn(
            "select",
            label="Select",
            width="1%",
            accessor="pk",
            cell_template_name="newsletter/admin/story_chooser/checkbox_cell.html",
            marks=self.story_marks,
        )

    @staticmethod
    def thumbnail(article):
        if not article.lead_image_id:
            return None
        return article.lead_image.get_rendition(THUMBNAIL_SPEC)

    @cached_property
    def story_marks(self):
        return {
            "in_issue": set(self.in_issue),
            "previous": self.previous_issue[1],
            "previous_label": self.previous_issue_label(),
            "chosen_url_name": self.chosen_url_name,
            "multiple": self.is_multiple_choice,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["remaining"] = max(STORIES_PER_ISSUE - len(self.in_issue), 0)
        context["stories_per_issue"] = STORIES_PER_ISSUE
        return context


class StoryChooseView(StoryChooseMixin, chooser_views.ChooseView):
    template_name = "newsletter/admin/story_chooser/chooser.html"


class StoryChooseResultsView(StoryChooseMixin, chooser_views.ChooseResultsView):
    pass


class StoryChosenMultipleView(chooser_views.ChosenMultipleView):
    """The ticked articles, in the order they were ticked (``ticked``, sent by the modal's
    script), else in the order of the ``id`` checkboxes."""

    def get_objects(self, pks):
        order = parse_ids(self.request.GET.getlist("ticked")) or parse_ids(pks)
        found = ArticlePage.objects.filter(pk__in=order).only("title", "live").in_bulk()
        return [found[pk] for pk in order if pk in found]


class StoryChooserViewSet(ChooserViewSet):
    """The story chooser; the issue's story rows name it (``StoryChooserWidget``)."""

    model = ArticlePage
    name = STORY_CHOOSER_URL_NAME.split(":")[0]
    url_prefix = "newsletter/story-chooser"
    icon = "doc-full"
    choose_one_text = "Choose stories"
    page_title = "Choose stories"
    choose_another_text = "Choose another article"
    register_widget = False  # the issue's rows use StoryChooserWidget; articles keep theirs
    preserve_url_parameters = ["multiple", "issue_date", "in_issue"]
    choose_view_class = StoryChooseView
    choose_results_view_class = StoryChooseResultsView
    chosen_multiple_view_class = StoryChosenMultipleView
