"""Changelists at a million rows: planner-estimated counts, store filters that name only visible
stores, and row links built once per page."""

from __future__ import annotations

import json
from urllib.parse import quote as url_quote

from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _

from zhilian.admin.scoping import _scoped


class EstimatedCountPaginator(Paginator):
    """Exact counts, except where PostgreSQL's planner expects more than ESTIMATE_ABOVE rows:
    there its estimate stands in for a COUNT(*) that would read most of a million-row table on
    every changelist page (unfiltered, or filtered by a whole year). Small and selective results
    (a store's day, a search by phone) are counted exactly; the estimate costs one EXPLAIN."""

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and connections[qs.db].vendor == "postgresql":
            estimate = _planner_rows(qs)
            if estimate is not None and estimate > self.ESTIMATE_ABOVE:
                return estimate
        return super().count


def _planner_rows(qs: QuerySet) -> int | None:
    """The planner's row estimate for the queryset (no ORDER BY, no LIMIT), or None."""
    try:
        sql, params = qs.order_by().query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connections[qs.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (LookupError, TypeError, ValueError):
        return None


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A foreign-key filter offering only what the user may see: no other store's names."""

    def field_choices(self, field, request, model_admin):
        queryset = _scoped(field.related_model._default_manager.all(), request)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class FastRowLinksChangeList(ChangeList):
    """Django's changelist, with each row's link built from one template per page.

    Django reverses the change URL for every row and then merges the preserved filters into it,
    resolving the URL again to do so (a tenth of a filtered 50-row page). Here both happen once,
    with a placeholder for the primary key; the rows then get an identical link by substitution.
    `row_link_parts` goes one step further for `RowRenderer` (zhilian/admin/results.py): the link
    as items_for_result finishes it, split around the primary key.
    """

    ROW_PK = "0zhilian-row-pk0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._row_url = None
        # The filters are already in the row template: nothing left for items_for_result to merge.
        self._row_filters, self.preserved_filters = self.preserved_filters, ""

    def get_results(self, request):
        super().get_results(request)
        # The page's rows load only the columns the admin says they show (`list_only_fields`):
        # fewer timestamps and JSON documents parsed per row. The count, the date hierarchy and
        # the actions use the full queryset, and list_editable rows (forms) are left whole.
        only = getattr(self.model_admin, "list_only_fields", None)
        if only and not self.list_editable and isinstance(self.result_list, QuerySet):
            self.result_list = self.result_list.only(*only)

    def _row_template(self) -> str:
        if self._row_url is None:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(self.ROW_PK,),
                current_app=self.model_admin.admin_site.name,
            )
            self._row_url = add_preserved_filters({"preserved_filters": self._row_filters, "opts": self.opts}, url)
        return self._row_url

    def row_pk(self, result) -> str:
        """The primary key as it stands in the row's change URL."""
        return url_quote(str(admin_quote(getattr(result, self.pk_attname))), safe=RFC3986_SUBDELIMS + "/~:@")

    def url_for_result(self, result) -> str:
        return self._row_template().replace(self.ROW_PK, self.row_pk(result), 1)

    def row_link_parts(self) -> tuple[str, str]:
        """The row link before and after the primary key, after the add_preserved_filters pass that
        items_for_result makes over url_for_result (it re-encodes the query string, which holds no
        primary key: done once, it gives each row's result). Raises NoReverseMatch as
        url_for_result does."""
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        url = add_preserved_filters(context, self._row_template())
        prefix, _, suffix = url.partition(self.ROW_PK)
        return prefix, suffix


class RegionListFilter(admin.SimpleListFilter):
    """The region of the row's store (`?region=<code>`), beside every store filter.

    Offered only to someone who sees stores of more than one region (admins, finance, an area
    manager of several regions); the choices are the regions of the stores they see. `store_path`
    is the path from the model to its store (``"store"``, ``"schedule__store"``); `for_path`
    makes the class for one.
    """

    title = _("region")
    parameter_name = "region"
    store_path = "store"

    @classmethod
    def for_path(cls, store_path: str) -> type[RegionListFilter]:
        if store_path == cls.store_path:
            return cls
        return type(f"RegionListFilter_{store_path}", (cls,), {"store_path": store_path})

    def lookups(self, request, model_admin):
        from stores.models import Region, Store

        stores = Store.objects.for_user(request.user).values("region_id")
        regions = list(Region.objects.filter(pk__in=stores).order_by("name").values_list("code", "name"))
        return regions if len(regions) > 1 else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        region_field = "region__code" if self.store_path == "pk" else f"{self.store_path}__region__code"
        return queryset.filter(**{region_field: value})
