"""Admin building blocks: store scoping for every ModelAdmin and inline, money in yuan,
and domain errors shown as messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote as url_quote

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.errors import DomainError
from zhilian.models import format_yuan

admin.site.site_header = _("Zhilian OS")
admin.site.site_title = _("Zhilian OS")
admin.site.index_title = _("Store operations")


def _scoped(queryset, request):
    return queryset.for_user(request.user) if hasattr(queryset, "for_user") else queryset


class StoreScopedFormfieldsMixin:
    """Foreign-key and many-to-many choices limited to what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        kwargs["queryset"] = _scoped(queryset, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        kwargs["queryset"] = _scoped(queryset, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
    """

    ROW_PK = "0zhilian-row-pk0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._row_url = None
        # The filters are already in the row template: nothing left for items_for_result to merge.
        self._row_filters, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result) -> str:
        if self._row_url is None:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(self.ROW_PK,),
                current_app=self.model_admin.admin_site.name,
            )
            self._row_url = add_preserved_filters({"preserved_filters": self._row_filters, "opts": self.opts}, url)
        pk = url_quote(str(admin_quote(getattr(result, self.pk_attname))), safe=RFC3986_SUBDELIMS + "/~:@")
        return self._row_url.replace(self.ROW_PK, pk, 1)


class ScopedModelAdmin(StoreScopedFormfieldsMixin, admin.ModelAdmin):
    """A manager sees and picks only their own store's rows; admins see everything.

    Opening another store's object by URL finds nothing (Django then says it does not exist),
    because the change view looks the object up through ``get_queryset``.
    """

    list_per_page = 50
    # Counting a million-row table on every page is the slowest part of a changelist.
    show_full_result_count = False
    # ...and where the planner expects a huge result, its estimate stands in for the count.
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

    def get_changelist(self, request, **kwargs):
        return FastRowLinksChangeList

    def get_list_filter(self, request):
        """Foreign-key filters list only visible choices; a one-store user gets no store filter."""
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                field = get_fields_from_path(self.model, entry)[-1]
                if field.is_relation:
                    if field.related_model._meta.label == "stores.Store" and not roles.is_admin(request.user):
                        continue
                    entry = (entry, ScopedRelatedFieldListFilter)
            filters.append(entry)
        return filters

    def action_checkbox(self, obj):
        """Django's row checkbox, same HTML, without rendering a form widget through the template
        engine for every row (a sixth of a 50-row changelist's CPU)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        store_field = next((f for f in self.model._meta.fields if f.name == "store"), None)
        if store_field is not None and request.user.store_id and "store" not in initial:
            initial["store"] = request.user.store_id
        return initial

    def call_service(self, request, func: Callable, *args, success: str | None = None, **kwargs):
        """Run a service; a refused business rule becomes an error message, not a 500."""
        try:
            result = func(*args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return None
        if success:
            self.message_user(request, success, level=messages.SUCCESS)
        return result


class ScopedTabularInline(StoreScopedFormfieldsMixin, admin.TabularInline):
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)


class ScopedStackedInline(StoreScopedFormfieldsMixin, admin.StackedInline):
    extra = 0

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)


def yuan(field: str, description: str | None = None, ordering: bool = True):
    """A changelist column showing a cents field in yuan (¥1,234.50)."""

    def display(obj):
        return format_yuan(getattr(obj, field))

    display.short_description = description or field.removesuffix("_cents").replace("_", " ")
    if ordering:
        display.admin_order_field = field
    display.__name__ = f"{field}_yuan"
    return display


class ReadOnlyAdminMixin:
    """Rows written by services only: viewable, never changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
