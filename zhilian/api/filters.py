"""Date and time filters for every FilterSet, parsed and bounded by zhilian.dates.

django-filter's own date filters accept year 1 and year 9999; turning such a value into a local
day range or a UTC timestamp overflows (a 500). These parse through the shared bounded form fields,
so an out-of-range value is a 400 naming the parameter.
"""

from __future__ import annotations

import copy
import datetime as dt

import django_filters
from django.http import QueryDict
from django_filters.fields import DateRangeField, IsoDateTimeField, IsoDateTimeRangeField, RangeField
from django_filters.filters import QuerySetRequestMixin

from zhilian.dates import EARLIEST_RECORD_DATE, DayFormField, MomentFormField, local_day_bounds


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, without rebuilding its filters and form class on every request.

    django-filter deep-copies every filter for each request and then makes a new form class whose
    fields are made anew from them: about a third of the filtering cost of a list request. The
    filters hold no per-request state but their parent, so a shallow copy does; and the form class
    is built once per FilterSet unless a filter's field depends on the request (a ModelChoiceFilter
    with a callable queryset scoped to the user), where it is still built per request.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    @classmethod
    def get_filters(cls):
        """The declared and Meta filters, and `region` (a region code) wherever there is a `store`
        filter: one rule, so that no list with a store filter lacks the region one."""
        filters = super().get_filters()
        store = filters.get("store")
        if store is not None and "region" not in filters:
            filters["region"] = RegionFilter.beside(store)
        return filters

    def get_form_class(self):
        cls = type(self)
        if any(isinstance(filter_, QuerySetRequestMixin) for filter_ in self.filters.values()):
            return super().get_form_class()
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class


class BoundedIsoDateTimeField(MomentFormField, IsoDateTimeField):
    """ISO 8601 date-time (django-filter's parsing) on a business day."""


class BoundedDateRangeField(DateRangeField):
    def __init__(self, *args, **kwargs):
        # RangeField's own __init__, with bounded halves instead of DateRangeField's plain ones.
        RangeField.__init__(self, (DayFormField(), DayFormField()), *args, **kwargs)


class BoundedIsoDateTimeRangeField(IsoDateTimeRangeField):
    def __init__(self, *args, **kwargs):
        RangeField.__init__(self, (BoundedIsoDateTimeField(), BoundedIsoDateTimeField()), *args, **kwargs)


class DateFilter(django_filters.DateFilter):
    """A business day (2000..2099)."""

    field_class = DayFormField


class RecordDateFilter(django_filters.DateFilter):
    """A date of record (an opening, a hire), back to 1900."""

    field_class = DayFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("earliest", EARLIEST_RECORD_DATE)
        super().__init__(*args, **kwargs)


class DateFromToRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = BoundedDateRangeField


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class IsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    field_class = BoundedIsoDateTimeRangeField


class LocalDayFilter(DateFilter):
    """The local business day of a date-time column, filtered as a half-open range so that an
    index on the column (usually led by the store) serves it."""

    def filter(self, qs, value: dt.date | None):
        if value is None:
            return qs
        start, end = local_day_bounds(value)
        return self.get_method(qs)(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class RegionFilter(django_filters.CharFilter):
    """Rows of the stores of a region, by the region's code (``?region=east-china``). Only rows
    the user sees are filtered (scoping comes first), so it reveals nothing of other stores."""

    @classmethod
    def beside(cls, store_filter: django_filters.Filter) -> RegionFilter:
        path = store_filter.field_name.removesuffix("_id")  # "store_id", "order__store", …
        return cls(
            field_name=f"{path}__region__code",
            lookup_expr="iexact",
            max_length=40,
            help_text="Region code (e.g. east-china): the rows of that region's stores.",
        )
