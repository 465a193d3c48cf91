"""Admin building blocks: store scoping for every ModelAdmin and inline, money in yuan,
and domain errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

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


class ScopedModelAdmin(StoreScopedFormfieldsMixin, admin.ModelAdmin):
    """A manager sees and picks only their own store's rows; admins see everything.

    Opening another store's object by URL finds nothing (Django then says it does not exist),
    because the change view looks the object up through ``get_queryset``.
    """

    list_per_page = 50
    # Counting a million-row table on every page is the slowest part of a changelist.
    show_full_result_count = False

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

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
