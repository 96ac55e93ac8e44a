"""Filters on the admin's subscriber list."""

import django_filters
from django import forms
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from newsletter.models import MailingList, Subscriber


class SubscriberFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=Subscriber.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    lists = django_filters.ModelChoiceFilter(
        label="List",
        queryset=MailingList.objects.all(),
        widget=forms.RadioSelect,
        empty_label="All",
    )
    source = django_filters.ChoiceFilter(
        label="Source",
        choices=Subscriber.Source.choices,
        widget=forms.RadioSelect,
        empty_label="All",
    )
    created_at = django_filters.DateFromToRangeFilter(
        label="Signed up", widget=DateRangePickerWidget
    )

    class Meta:
        model = Subscriber
        fields = ["status", "lists", "source", "created_at"]
