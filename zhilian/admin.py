"""Admin building blocks: store scoping for every ModelAdmin and inline, money in yuan,
and domain errors shown as messages."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
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


# --- The audit trail (zhilian.audit): django-auditlog's table, our admin ---------------------------

# auditlog's own admin registers itself on import; import it first so that replacing it below does
# not depend on which of the two admin modules autodiscover reaches first.
from auditlog import admin as _auditlog_admin  # noqa: E402, F401
from auditlog.mixins import LogEntryAdminMixin  # noqa: E402
from auditlog.models import LogEntry  # noqa: E402


class AuditEventFilter(admin.SimpleListFilter):
    """The service's event name (`order.transition`, `stock.adjust`), kept in additional_data."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        events = (
            LogEntry.objects.filter(additional_data__has_key="event")
            .values_list("additional_data__event", flat=True)
            .order_by("additional_data__event")
            .distinct()
        )
        return [(event, event) for event in events if event]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(additional_data__event=self.value())
        return queryset


@admin.display(description=_("event"))
def audit_event(entry: LogEntry) -> str:
    return (entry.additional_data or {}).get("event", "") if isinstance(entry.additional_data, dict) else ""


class AuditEntryAdmin(ReadOnlyAdminMixin, LogEntryAdminMixin, admin.ModelAdmin):
    """Who changed what (written by the services, zhilian.audit): read-only, admins only
    (the role matrix gives no other role `auditlog.logentry`)."""

    date_hierarchy = "timestamp"
    list_select_related = ["content_type", "actor"]
    list_display = ["created", "resource_url", "action", audit_event, "msg_short", "user_url"]
    list_filter = ["action", AuditEventFilter]
    search_fields = ["object_repr", "object_pk", "changes", "actor__username", "actor__full_name"]
    readonly_fields = ["created", "user_url", "resource_url", "action", audit_event, "msg", "additional_data"]
    fieldsets = [
        (None, {"fields": ["created", "user_url", "resource_url"]}),
        (_("Changes"), {"fields": ["action", audit_event, "msg", "additional_data"]}),
    ]
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        # LogEntryAdminMixin's links read the request.
        self.request = request
        return super().get_queryset(request)


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditEntryAdmin)
