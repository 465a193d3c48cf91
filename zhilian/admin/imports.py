"""Imports of a changelist's rows from CSV or XLSX (django-import-export), for the models where
operators need them (docs/architecture.md, "Exports and imports").

- Row by row: each row is validated like a form (the model's ``full_clean``) and written through
  the app's services (their business rules, their audit entries); a refused row is a row error.
- Scoped: a user updates only rows they may see (``for_user``), and a store column naming a store
  they may not see is a row error ("No such store"), never a silent write elsewhere.
- A preview first (the library's dry run, rolled back), then all or nothing: the confirmed
  import runs in one transaction, and any row error rolls every row back.
- Audited: each row's service records its own entry, and the import itself one more, on the
  importing user, naming the model, the file and the counts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets
from import_export.admin import ImportMixin
from import_export.results import RowResult
from import_export.tmp_storages import CacheStorage

from zhilian import roles
from zhilian.admin.exports import FORMATS, ZhilianResource
from zhilian.audit import audit_record
from zhilian.errors import DomainError

IMPORT = "import"


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related row named by `field` among those the importing user may see; any other value
    (another store's, or none at all) is the row's error, the same for both."""

    def __init__(self, model, field="pk", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.user = None  # set by ImportResource for the importing user

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = self.model._default_manager.all()
        return queryset.for_user(self.user) if hasattr(queryset, "for_user") else queryset

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist as exc:
            raise ValueError(
                gettext("No such %(name)s: %(value)s.") % {"name": self.model._meta.verbose_name, "value": value}
            ) from exc


def store_field() -> fields.Field:
    """The store column of an importable row: the store's ID (what the store name cannot be:
    unique), one the user may see."""
    from stores.models import Store

    return fields.Field(
        attribute="store_id",
        column_name=capfirst(_("store ID")),
        widget=ScopedForeignKeyWidget(Store, field="pk", key_is_id=True),
    )


class ImportResource(ZhilianResource):
    """Base of the importable resources. Subclasses write rows through their services:
    `create(fields)` and `update(instance, changes)`, each returning the saved instance and
    raising the services' DomainError for a refused row."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        # Diffs of the preview need the row as it was; the library keeps a copy for that.
        skip_diff = False

    # The fields a store-owned row may not change once it exists.
    fixed_on_update: tuple[str, ...] = ("store",)

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.user = user

    def get_user_visible_fields(self):
        # The import page lists the columns it reads, not the export-only ones (the store name).
        return [f for f in super().get_user_visible_fields() if not f.readonly]

    def get_queryset(self):
        queryset = self._meta.model._default_manager.all()
        return queryset.for_user(self.user) if self.user is not None else queryset.none()

    def get_or_init_instance(self, instance_loader, row):
        try:
            return super().get_or_init_instance(instance_loader, row)
        except ValueError as exc:
            # A key column (the store of a table, a dish code) that names nothing visible.
            field = next((f for f in self.get_import_id_fields()), None)
            raise ValidationError({field or "__all__": force_str(exc)}) from exc

    def after_init_instance(self, instance, new, row, **kwargs):
        # What the row was before this import: the services take the changed fields only.
        instance._import_before = (
            None if new else {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
        )

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            # Keyed by the model field ("store", not "store_id"), so that full_clean skips it
            # instead of adding "cannot be null" for the value that was refused.
            by_attname = {f.attname: f.name for f in instance._meta.concrete_fields}
            raise ValidationError({by_attname.get(k, k): v for k, v in exc.error_dict.items()}) from exc
        before = getattr(instance, "_import_before", None)
        if before is None:
            return
        for name in self.fixed_on_update:
            attname = instance._meta.get_field(name).attname
            if getattr(instance, attname) != before[attname]:
                raise ValidationError({name: gettext("An existing record cannot move to another store.")})

    def changed_fields(self, instance) -> dict[str, Any]:
        before = instance._import_before or {}
        return {
            f.name: getattr(instance, f.name)
            for f in instance._meta.concrete_fields
            if f.editable
            and not f.primary_key
            and f.name not in ("created_at", "updated_at")
            and getattr(instance, f.attname) != before.get(f.attname)
        }

    def model_fields(self, instance) -> dict[str, Any]:
        """The editable fields this resource imports, as the row set them."""
        names = {f.attribute.split("__")[0] for f in self.get_import_fields() if f.attribute and not f.readonly}
        return {
            f.name: getattr(instance, f.name)
            for f in instance._meta.concrete_fields
            if (f.name in names or f.attname in names) and f.editable and f.name not in ("created_at", "updated_at")
        }

    def create(self, instance, fields: dict[str, Any]):
        raise NotImplementedError

    def update(self, instance, changes: dict[str, Any]):
        raise NotImplementedError

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            with transaction.atomic():
                if is_create:
                    saved = self.create(instance, self.model_fields(instance))
                else:
                    changes = self.changed_fields(instance)
                    saved = self.update(instance, changes) if changes else instance
        except DomainError as exc:
            errors = getattr(exc, "errors", None)
            if isinstance(errors, dict):
                fields = {f.attribute for f in self.get_import_fields()}
                raise ValidationError({(k if k in fields else "__all__"): v for k, v in errors.items()}) from exc
            raise ValidationError(exc.message) from exc
        except IntegrityError as exc:
            # A concurrent writer took the key between the validation and the insert.
            raise ValidationError(gettext("This row conflicts with an existing record.")) from exc
        if saved is not None and saved is not instance:
            for field in instance._meta.concrete_fields:
                setattr(instance, field.attname, getattr(saved, field.attname))
            instance._state.adding = False

    def after_import(self, dataset, result, **kwargs):
        """One audit entry for the whole import (the rows have their own): who imported which
        file into which table, and how many rows it added and changed. Written in the import's
        transaction, so an import rolled back leaves none."""
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        if self.user is None or not getattr(self.user, "pk", None):
            return
        totals = result.totals
        audit_record(
            actor=self.user,
            instance=self.user,
            event="import",
            model=self._meta.model._meta.label_lower,
            file=kwargs.get("file_name") or "",
            rows=result.total_rows,
            new=totals[RowResult.IMPORT_TYPE_NEW],
            updated=totals[RowResult.IMPORT_TYPE_UPDATE],
            skipped=totals[RowResult.IMPORT_TYPE_SKIP],
        )


class ImportAdminMixin(ImportMixin):
    """The Import button, preview (dry run with each row's errors) and confirmed import, for
    users whose role has the model's `import` action (zhilian/roles.py)."""

    # The changes are in our audit trail (the services' entries and the import's own).
    skip_admin_log = True
    # The uploaded file waits for the confirmation in the cache (Redis in production), so that
    # whichever web process gets the confirmation reads it.
    tmp_storage_class = CacheStorage
    ie_base_change_list_template = None  # unused: see init_change_list_template
    import_error_display = ("message",)

    def init_change_list_template(self):
        pass  # the buttons: templates/admin/change_list_object_tools.html

    @property
    def import_formats(self):
        return FORMATS

    def has_import_permission(self, request) -> bool:
        return roles.can(request.user, IMPORT, self.opts.label_lower)

    def get_import_resource_classes(self, request):
        return list(self.import_resource_classes)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # All or nothing: an invalid row rolls back the valid ones too.
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The file changed between preview and confirmation, or a row lost a race: the
            # transaction was rolled back, nothing is written.
            messages.error(
                request,
                _("The import was refused and nothing was written: a row has errors. Preview the file again."),
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import", current_app=self.admin_site.name)
            )
        return super().process_result(result, request)
