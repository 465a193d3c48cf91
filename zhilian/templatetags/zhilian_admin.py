"""Admin template tags: the changelist date hierarchy with queries that stay cheap at millions of
rows, and the changelist's rows rendered from a per-page plan (`fast_result_list`, at the end).

Django's `date_hierarchy` tag asks the changelist queryset for MIN/MAX of the field and then for the
DISTINCT years, months or days of every matching row. On a table of a million orders, the DISTINCT
reads the whole table (about a second), and with a selective search PostgreSQL answers MIN/MAX by
walking the time index from both ends, filtering row by row (also about a second). This tag runs
Django's own code (same links, titles and levels) against a stand-in queryset that answers the same
questions more cheaply:

- a small result (the changelist has counted it already): fetch the matching timestamps once and
  derive first/last and the periods in Python;
- a large result: MIN/MAX (dense matches, so the index walk stops at once) and one EXISTS probe per
  candidate year, month or day between them, each an index range probe.

Use it by overriding `{% block date_hierarchy %}` in the model's change_list.html with
`{% load zhilian_admin %}{% cheap_date_hierarchy cl %}`.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db.models import Max, Min
from django.utils import timezone

from zhilian.admin.results import RowRenderer

register = template.Library()

# At most this many matching rows: read their timestamps instead of probing periods.
FETCH_AT_MOST = 5000


class _Periods:
    """Stands in for `cl.queryset` inside Django's date_hierarchy(): aggregate(first=Min, last=Max),
    and datetimes()/dates() of a kind, with the same answers."""

    def __init__(self, queryset, field: str, result_count: int | None):
        self.queryset = queryset.order_by()
        self.field = field
        self._small = result_count is not None and result_count <= FETCH_AT_MOST
        self._fetched: list | None = None

    @property
    def _values(self) -> list | None:
        """A small result's timestamps (None for a large one), fetched when first asked: a day's
        page (year, month and day chosen) asks nothing."""
        if self._small and self._fetched is None:
            self._fetched = [v for v in self.queryset.values_list(self.field, flat=True) if v is not None]
        return self._fetched

    def _local(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return value

    def _bounds(self) -> tuple:
        if self._values is not None:
            return min(self._values, default=None), max(self._values, default=None)
        found = self.queryset.aggregate(first=Min(self.field), last=Max(self.field))
        return found["first"], found["last"]

    def aggregate(self, **aggregates):
        # Django's tag asks for exactly first=Min(field), last=Max(field).
        return dict(zip(aggregates, self._bounds(), strict=True))

    def _truncate(self, value, kind: str) -> dt.date:
        day = self._local(value)
        day = day.date() if isinstance(day, dt.datetime) else day
        if kind == "year":
            return day.replace(month=1, day=1)
        if kind == "month":
            return day.replace(day=1)
        return day

    def _candidates(self, kind: str) -> list[dt.date]:
        first, last = self._bounds()
        if first is None:
            return []
        first, last = self._truncate(first, kind), self._truncate(last, kind)
        periods, current = [], first
        while current <= last:
            periods.append(current)
            current = _next(current, kind)
        return periods

    def _dates(self, kind: str) -> list[dt.date]:
        if self._values is not None:
            return sorted({self._truncate(v, kind) for v in self._values})
        found = []
        for start in self._candidates(kind):
            lo, hi = _start(start), _start(_next(start, kind))
            if self.queryset.filter(**{f"{self.field}__gte": lo, f"{self.field}__lt": hi}).exists():
                found.append(start)
        return found

    def datetimes(self, field_name: str, kind: str) -> list[dt.datetime]:
        return [_start(d) for d in self._dates(kind)]

    def dates(self, field_name: str, kind: str) -> list[dt.date]:
        return self._dates(kind)


def _next(day: dt.date, kind: str) -> dt.date:
    if kind == "year":
        return day.replace(year=day.year + 1)
    if kind == "month":
        return (day.replace(day=1) + dt.timedelta(days=calendar.monthrange(day.year, day.month)[1])).replace(day=1)
    return day + dt.timedelta(days=1)


def _start(day: dt.date):
    # The start of a local day, as the changelist's own date filters compute it.
    start = dt.datetime.combine(day, dt.time.min)
    return timezone.make_aware(start) if timezone.is_aware(timezone.now()) else start


def cheap_date_hierarchy(cl):
    if not cl.date_hierarchy:
        return None
    return admin_list.date_hierarchy(_ChangeListView(cl))


class _ChangeListView:
    """The changelist as date_hierarchy() sees it, with the stand-in queryset."""

    def __init__(self, cl):
        self._cl = cl
        self.queryset = _Periods(cl.queryset, cl.date_hierarchy, getattr(cl, "result_count", None))

    def __getattr__(self, name):
        return getattr(self._cl, name)


@register.tag(name="cheap_date_hierarchy")
def cheap_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=cheap_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


def fast_result_list(cl) -> dict:
    """Django's `result_list` context (same template, headers and hidden fields), with each row
    rendered by RowRenderer as one piece of HTML: the template's `{% for item in result %}` then
    writes one item per row instead of one per cell, the same text. A list_editable changelist
    (rows with form fields) is Django's own."""
    if getattr(cl, "formset", None):  # set by changelist_view
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    renderer = RowRenderer(cl)
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [admin_list.ResultList(None, [renderer.row(result)]) for result in cl.result_list],
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=fast_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
