"""The Newsletter menu in the admin: the issues, subscribers, lists, segments (Wagtail
viewsets) and the engagement reports."""

from functools import partial

from django.urls import path
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail_newsletter.viewsets import audience_chooser_viewset, audience_segment_chooser_viewset

from newsletter.filters import SubscriberFilterSet
from newsletter.models import MailingList, ReaderGroup, Segment, Subscriber
from newsletter.subscriptions.forms import SubscriberAdminForm
from newsletter.views import admin
from newsletter.views.issues import IssuesViewSet
from newsletter.views.reports import ReportsViewSet


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    name = "subscribers"
    url_prefix = "newsletter/subscribers"
    icon = "user"
    menu_label = "Subscribers"
    menu_order = 100
    add_to_reference_index = False  # 100,000 rows; nothing references a subscriber
    copy_view_enabled = False
    index_view_class = admin.SubscriberIndexView
    add_view_class = admin.SubscriberCreateView
    edit_view_class = admin.SubscriberEditView
    delete_view_class = admin.SubscriberEraseView
    list_display = ["email", "status", "source", "created_at", "confirmed_at"]
    list_per_page = 50
    search_fields = ["email"]
    filterset_class = SubscriberFilterSet
    # Status changes go through the consent rules (``newsletter.subscriptions.consent``).
    edit_handler = ObjectList(Subscriber.panels, base_form_class=SubscriberAdminForm)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(import_url_name=self.get_url_name("import"), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            personal_data_url_name=self.get_url_name("personal_data"), **kwargs
        )

    @property
    def import_view(self):
        return self.construct_view(admin.SubscriberImportView, **self.get_common_view_kwargs())

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", self.import_view, name="import"),
            path(
                "personal-data/<int:pk>/",
                partial(admin.personal_data, permission_policy=self.permission_policy),
                name="personal_data",
            ),
        ]


class MailingListViewSet(ModelViewSet):
    model = MailingList
    name = "mailing_lists"
    url_prefix = "newsletter/lists"
    icon = "list-ul"
    menu_label = "Lists"
    menu_order = 200
    list_display = ["name", "slug", "join_on_signup", "member_count"]
    copy_view_enabled = False


class SegmentViewSet(ModelViewSet):
    model = Segment
    name = "segments"
    url_prefix = "newsletter/segments"
    icon = "filter"
    menu_label = "Segments"
    menu_order = 300
    list_display = ["name", "mailing_list", "member_count"]
    list_filter = ["mailing_list"]


class NewsletterViewSetGroup(ModelViewSetGroup):
    items = (IssuesViewSet, SubscriberViewSet, MailingListViewSet, SegmentViewSet, ReportsViewSet)
    menu_label = "Newsletter"
    menu_icon = "mail"
    menu_order = 250


class ReaderGroupViewSet(ModelViewSet):
    """Settings › Groups of readers: who an issue may go to (a list, or a segment of it), as
    wagtail-newsletter's own recipients page had it, in the admin's words."""

    model = ReaderGroup
    name = "reader_groups"
    url_prefix = "newsletter/reader-groups"
    icon = "group"
    menu_label = "Groups of readers"
    add_to_settings_menu = True
    list_display = ["name"]
    copy_view_enabled = False
    panels = [
        FieldPanel("name", help_text='What editors see on an issue, e.g. "Daily readers".'),
        FieldPanel(
            "audience",
            heading="List",
            help_text="The list whose readers get the issue, e.g. Daily.",
            widget=audience_chooser_viewset.widget_class,
        ),
        FieldPanel(
            "segment",
            help_text="Leave empty to send to the whole list, or choose one of its segments.",
            widget=audience_segment_chooser_viewset.widget_class(
                linked_fields={"audience": "#id_audience"}
            ),
        ),
    ]
