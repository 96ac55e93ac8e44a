"""The admin's subscriber views: Wagtail's generic views plus counts, CSV import and export,
and the data-protection actions. Thin: the work is in ``newsletter.subscriptions`` (``importing``,
``exporting``, ``gdpr`` and ``service``)."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import Button, HeaderButton

from newsletter.models import Subscriber
from newsletter.subscriptions import exporting, gdpr, importing, service
from newsletter.subscriptions.forms import ImportForm

MAX_ERRORS_SHOWN = 200


class SubscriberIndexView(generic.IndexView):
    """The list, with counts per status above it and Import/Export buttons."""

    template_name = "newsletter/admin/subscriber_index.html"
    import_url_name = None
    # Our own CSV export (streamed, round-trips through the import) replaces Wagtail's.
    show_export_buttons = False

    def status_counts(self):
        counts = dict(Subscriber.objects.values_list("status").annotate(Count("pk")))
        receiving = Subscriber.objects.receiving().count()
        return {
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in Subscriber.Status.choices
            ],
            "total": sum(counts.values()),
            "receiving": receiving,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_export and not self.results_only:
            context["status_counts"] = self.status_counts()
        return context

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.import_url_name and self.user_has_permission("import"):
            buttons.append(
                HeaderButton(
                    "Import CSV", url=reverse(self.import_url_name), icon_name="upload", priority=20
                )
            )
        return buttons

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.user_has_permission("export"):
            buttons.append(
                Button(
                    "Download CSV (filtered list)",
                    url=self.get_export_url("csv"),
                    icon_name="download",
                    priority=100,
                )
            )
        return buttons

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if spreadsheet_format != "csv" or not self.user_has_permission("export"):
            raise PermissionDenied
        response = StreamingHttpResponse(
            exporting.csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        return response


class SubscriberCreateView(generic.CreateView):
    def save_instance(self):
        subscriber = super().save_instance()
        if service.invite(subscriber):
            messages.info(self.request, f"We've emailed {subscriber} a link to confirm.")
        return subscriber


class SubscriberEditView(generic.EditView):
    delete_item_label = "Erase all their data"
    personal_data_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.personal_data_url_name:
            buttons.append(
                Button(
                    "Download their data (JSON)",
                    url=reverse(self.personal_data_url_name, args=[self.object.pk]),
                    icon_name="download",
                    priority=15,
                )
            )
        return buttons


class SubscriberEraseView(generic.DeleteView):
    """Wagtail's delete, made a data-protection erasure (``gdpr.erase``)."""

    page_title = "Erase"
    success_message = "Erased everything held about '%(object)s'."

    @property
    def confirmation_message(self):
        return (
            f"Erase {self.object}? This deletes the subscriber, their consent record, "
            "their history and the clicks and opens of the issues they were sent, for good. "
            "Only a one-way hash of the address is kept, so an old list can't be imported "
            "with them in it again."
        )

    def delete_action(self):
        gdpr.erase(self.object)


def personal_data(request, pk, permission_policy):
    """A subscriber's data as a JSON download (a subject-access request)."""
    if not permission_policy.user_has_permission(request.user, "view"):
        raise PermissionDenied
    subscriber = get_object_or_404(Subscriber, pk=pk)
    response = JsonResponse(gdpr.personal_data(subscriber), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="subscriber-{subscriber.pk}.json"'
    return response


class SubscriberImportView(PermissionCheckedMixin, generic.WagtailAdminTemplateMixin, FormView):
    """Upload a CSV; show what was imported, or why nothing was."""

    model = Subscriber
    permission_required = "import"
    template_name = "newsletter/admin/import.html"
    form_class = ImportForm
    page_title = "Import subscribers"
    header_icon = "upload"
    index_url_name = None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Subscribers"},
            {"url": "", "label": self.page_title},
        ]

    def form_valid(self, form):
        data = form.cleaned_data
        text = importing.decode(data["file"].read())
        try:
            report = importing.import_subscribers(
                io.StringIO(text, newline=""),
                mailing_lists=[data["mailing_list"]] if data["mailing_list"] else [],
                skip_invalid=data["skip_invalid"],
                dry_run=data["dry_run"],
            )
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        if report.imported:
            messages.success(self.request, f"Import finished: {report.summary()}")
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=report,
                errors_shown=report.errors[:MAX_ERRORS_SHOWN],
                index_url=reverse(self.index_url_name),
            )
        )
