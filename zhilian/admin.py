"""Admin building blocks: store scoping for every ModelAdmin and inline, money in yuan, writes
through each admin's named services with domain errors shown as form errors, bulk transitions,
and the audit trail as every object's History page."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import quote as url_quote

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.audit import audit_entries
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


def _status_label(model, status: str) -> str:
    choices = getattr(model, "Status", None)
    return str(choices(status).label) if choices is not None else status


def transition_action(
    service: str | Callable,
    status: str | None,
    description,
    *,
    permission: str = "transition",
    done=None,
    with_user: bool = True,
    **extra: Any,
):
    """A bulk action moving each selected object with `service` (to `status`, when given):
    `service(<model>=obj, status=status, user=request.user, **extra)`, one object at a time;
    successes and each refusal are reported as messages. `with_user=False` for a service that
    takes no actor."""

    def action(modeladmin: ScopedModelAdmin, request, queryset):
        kwargs = {**extra, "user": request.user} if with_user else dict(extra)
        if status is not None:
            kwargs["status"] = status
        name = modeladmin.service_object_kwarg()
        label = done or (_("moved to %s") % _status_label(modeladmin.model, status) if status else _("done"))
        func = modeladmin.service(service)
        modeladmin.run_per_object(request, queryset, lambda obj: func(**{name: obj}, **kwargs), label)

    action.__name__ = f"mark_{status}" if status is not None else getattr(service, "__name__", str(service))
    return admin.action(description=description, permissions=[permission])(action)


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
