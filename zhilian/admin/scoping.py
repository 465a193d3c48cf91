"""Store scoping shared by every ModelAdmin and inline: what a user may see and pick (``for_user``)."""

from __future__ import annotations

from django.contrib import admin


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


class ScopedTabularInline(StoreScopedFormfieldsMixin, admin.TabularInline):
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)


class ScopedStackedInline(StoreScopedFormfieldsMixin, admin.StackedInline):
    extra = 0

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)


class ReadOnlyAdminMixin:
    """Rows written by services only: viewable, never changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
