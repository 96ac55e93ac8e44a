"""The issue's "Review and send" step: the inbox view, the date, the recipients and every
problem, then Send now or Schedule. (Skeleton: filled in by the review work.)"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from newsletter.models import IssuePage


class ReviewView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "newsletter/admin/review.html"
    header_icon = "mail"
    page_title = "Review and send"

    def dispatch(self, request, *args, **kwargs):
        self.issue = get_object_or_404(IssuePage, pk=kwargs["pk"]).specific
        if not self.issue.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(issue=self.issue, **kwargs)


class ReviewViewSet(ViewSet):
    """``reverse("newsletter_review:review", args=[issue.pk])``: no menu item."""

    name = "newsletter_review"
    url_prefix = "newsletter/review"

    def get_urlpatterns(self):
        return [path("<int:pk>/", ReviewView.as_view(), name="review")]
