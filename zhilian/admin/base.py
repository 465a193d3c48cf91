"""The one base ModelAdmin: store scoping, writes through the admin's named services with domain
errors shown as form errors, and the audit trail as every object's History page."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.admin.changelist import (
    EstimatedCountPaginator,
    FastRowLinksChangeList,
    RegionListFilter,
    ScopedRelatedFieldListFilter,
)
from zhilian.admin.exports import ExportAdminMixin
from zhilian.admin.scoping import StoreScopedFormfieldsMixin, _scoped
from zhilian.audit import audit_entries
from zhilian.errors import DomainError


class ScopedModelAdmin(ExportAdminMixin, StoreScopedFormfieldsMixin, admin.ModelAdmin):
    """A manager sees and picks only their own store's rows; admins see everything.

    Every changelist exports what it shows as CSV and XLSX (ExportAdminMixin, zhilian/admin/exports.py).

    Opening another store's object by URL finds nothing (Django then says it does not exist),
    because the change view looks the object up through ``get_queryset``.
    """

    list_per_page = 50
    # Counting a million-row table on every page is the slowest part of a changelist.
    show_full_result_count = False
    # ...and where the planner expects a huge result, its estimate stands in for the count.
    paginator = EstimatedCountPaginator
    # The fields a changelist page's rows read (QuerySet.only names, select_related ones
    # included): the columns, the `__str__` of the object and of its related objects shown.
    # None loads every column. A field missing here costs a query per row, which the admins'
    # query-count guards catch.
    list_only_fields: Sequence[str] | None = None

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

    def get_changelist(self, request, **kwargs):
        return FastRowLinksChangeList

    def get_list_display(self, request):
        """A one-store user's changelists leave out the store column (every row is theirs)."""
        columns = super().get_list_display(request)
        if _one_store(request.user):
            columns = [c for c in columns if c not in ("store", "store__name")]
        return columns

    def get_list_filter(self, request):
        """Foreign-key filters list only visible choices; a one-store user gets no store filter.
        Beside a store filter, a region filter (shown to whoever sees more than one region)."""
        filters = []
        several = roles.sees_several_stores(request.user)
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                field = get_fields_from_path(self.model, entry)[-1]
                if field.is_relation:
                    if field.related_model._meta.label == "stores.Store":
                        if not several:
                            continue
                        filters.append(RegionListFilter.for_path(entry))
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

    def changelist_values(self, name: str) -> Callable[[Any], Any] | None:
        """For RowRenderer (zhilian/admin/results.py): a function giving column `name`'s value for
        each row of one page, when work done once per page makes it cheaper than the admin's own
        method; None otherwise. Here the row checkbox (action_checkbox's HTML, unless a subclass
        overrides it), its label translated once per page instead of once per row."""
        if name != "action_checkbox" or type(self).action_checkbox is not ScopedModelAdmin.action_checkbox:
            return None
        head = format_html('<input type="checkbox" name="{}" value="', helpers.ACTION_CHECKBOX_NAME)
        label = gettext("Select this object for an action - {}")

        def checkbox(obj) -> SafeString:
            aria = label.format(conditional_escape(str(obj)))  # format_html(label, str(obj))
            return mark_safe(f'{head}{conditional_escape(str(obj.pk))}" class="action-select" aria-label="{aria}">')

        return checkbox

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        store_field = next((f for f in self.model._meta.fields if f.name == "store"), None)
        if store_field is not None and request.user.store_id and "store" not in initial:
            initial["store"] = request.user.store_id
        return initial

    # --- writes through the services ----------------------------------------------------------
    # An admin names its services; the base maps the form to their keyword arguments and turns a
    # refused business rule (DomainError) into form errors: the whole save is rolled back and the
    # form is shown again with the error. Without a service, Django saves the model as usual.
    # A service is a name in `services` (the app's services module, looked up at call time) or
    # a callable (an admin method composing several services).
    services: Any = None
    create_service: str | Callable | None = None
    update_service: str | Callable | None = None
    delete_service: str | Callable | None = None
    # The create/update service takes the inlines' rows itself (from `service_kwargs`); Django
    # then saves no formset.
    service_saves_inlines = False
    # The form fields the create/update services take (default: every model field on the form).
    service_fields: Collection[str] | None = None

    def service_object_kwarg(self) -> str:
        """The keyword naming the object in the update/delete services (`order=`, `schedule=`)."""
        return self.model._meta.model_name

    def create_kwargs(self, request, form, formsets) -> dict[str, Any]:
        return {**self.service_data(form, form.cleaned_data), "user": request.user}

    def update_kwargs(self, request, obj, form, formsets) -> dict[str, Any]:
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        return {self.service_object_kwarg(): obj, "user": request.user, **self.service_data(form, changed)}

    def delete_kwargs(self, request, obj) -> dict[str, Any]:
        return {self.service_object_kwarg(): obj, "user": request.user}

    def service_data(self, form, data: dict[str, Any]) -> dict[str, Any]:
        """The part of `data` the services take: `service_fields`, or the model's fields (a form
        may carry others, e.g. a password pair)."""
        names = self.service_fields
        if names is None:
            names = {f.name for f in form._meta.model._meta.get_fields()}
        return {name: value for name, value in data.items() if name in names}

    def _write_service(self, change: bool) -> Callable | None:
        return self.service(self.update_service if change else self.create_service)

    def service(self, name: str | Callable | None) -> Callable | None:
        return getattr(self.services, name) if isinstance(name, str) else name

    def save_model(self, request, obj, form, change):
        if self._write_service(change) is None:
            super().save_model(request, obj, form, change)
        # Otherwise nothing here: save_related runs the service once the inlines are known.

    def save_related(self, request, form, formsets, change):
        service = self._write_service(change)
        if service is None:
            return super().save_related(request, form, formsets, change)
        obj = form.instance
        kwargs = (
            self.update_kwargs(request, obj, form, formsets) if change else self.create_kwargs(request, form, formsets)
        )
        result = service(**kwargs)
        if isinstance(result, self.model):
            _adopt(obj, result)
        if self.service_saves_inlines:
            for formset in formsets:
                # What Django's change message reads; the service wrote the rows.
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        else:
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
        return None

    def delete_model(self, request, obj):
        if self.delete_service is None:
            return super().delete_model(request, obj)
        return self.service(self.delete_service)(**self.delete_kwargs(request, obj))

    def delete_queryset(self, request, queryset):
        if self.delete_service is None:
            return super().delete_queryset(request, queryset)
        return self.run_per_object(request, queryset, lambda obj: self.delete_model(request, obj), _("deleted"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            # Django's own atomic block is inside; this one rolls back whatever ran before the refusal.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            # Validate the same POST again, this time with the refusal as a form error: the form
            # is shown again, nothing saved (and the message says why above it).
            request._admin_refusal = exc
            self.message_user(request, exc.message, level=messages.ERROR)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.path)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        store = form.base_fields.get("store")
        if store is not None and _one_store(request.user):
            # A one-store user's records are all of that store: preset, not a choice to make.
            store.initial = request.user.store_id
            store.disabled = True
            store.widget = forms.HiddenInput()
        refusal = getattr(request, "_admin_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned = super().clean()
                add_domain_error(self, refusal)
                return cleaned

        RefusedForm.__name__ = form.__name__
        return RefusedForm

    # --- actions ------------------------------------------------------------------------------------

    def run_per_object(self, request, queryset, func: Callable, done: str) -> int:
        """Call `func(obj)` for each selected object (stable order, each its own transaction);
        report how many were `done` and each refusal with its reason."""
        succeeded = refused = 0
        for obj in queryset.order_by("pk"):
            try:
                with transaction.atomic(using=router.db_for_write(self.model)):
                    func(obj)
            except DomainError as exc:
                refused += 1
                self.message_user(request, f"{obj.pk}: {exc.message}", level=messages.WARNING)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(
                request,
                _("%(count)d %(name)s %(done)s.")
                % {
                    "count": succeeded,
                    "name": self.opts.verbose_name_plural if succeeded > 1 else self.opts.verbose_name,
                    "done": done,
                },
                level=messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext("%(count)d %(name)s was refused.", "%(count)d %(name)s were refused.", refused)
                % {"count": refused, "name": _name(self.opts, refused)},
                level=messages.WARNING,
            )
        return succeeded

    def call_service(self, request, func: Callable, *args, success: str | None = None, **kwargs):
        """Run a service from an action; a refused business rule becomes an error message, not a 500."""
        try:
            result = func(*args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return None
        if success:
            self.message_user(request, success, level=messages.SUCCESS)
        return result

    # --- history: the audit trail -------------------------------------------------------------------
    audit_history_template = "admin/zhilian/audit_history.html"
    audit_history_per_page = 50

    def history_view(self, request, object_id, extra_context=None):
        """The object's audit trail (zhilian.audit): who did which event, with the changes."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        page = Paginator(audit_entries(obj), self.audit_history_per_page).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "entries": page,
            "page_obj": page,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.audit_history_template, context)


def _name(opts, count: int) -> str:
    return str(opts.verbose_name if count == 1 else opts.verbose_name_plural)


def _adopt(obj, result) -> None:
    """Make the admin's in-memory object the row the service wrote (pk, computed fields), so
    Django's redirect and the inlines use it."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(result, field.attname))
    obj._state.adding = False
    obj._state.db = result._state.db


def add_domain_error(form, exc: DomainError) -> None:
    """A refused business rule on the form: per field where the error names a field of the form."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        for field, messages_ in errors.items():
            form.add_error(field if field in form.fields else None, messages_)
        return
    field = (exc.extra or {}).get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _one_store(user) -> bool:
    """A user who works in exactly one store (managers and staff): the store goes without saying."""
    return bool(user.is_authenticated and not roles.sees_several_stores(user) and getattr(user, "store_id", None))
