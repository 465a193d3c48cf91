"""Exports of every changelist as CSV and XLSX (django-import-export), and of report tables.

`ExportAdminMixin` is part of `ScopedModelAdmin`: its Export button exports the changelist's own
queryset (``get_queryset`` → ``for_user``, then the active filters, search and ordering), so a
manager never exports another store's rows. The columns come from the admin's `resource_classes`
or else from `default_resource(model)`: the model's fields, headed by their translated verbose
names, money in yuan (not cents), choices as their labels, a store column with the store's name
(docs/architecture.md, "Exports and imports").
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import cache
from typing import Any

import tablib
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm

from zhilian import roles
from zhilian.db import replica_reads

# What the Export (and Import) forms offer: what operators open in Excel or WPS.
FORMATS = [base_formats.CSV, base_formats.XLSX]
# Never leaves the system, whichever admin exports the model.
NEVER_EXPORTED = frozenset({"password"})
CENTS = Decimal("0.01")


class YuanWidget(widgets.Widget):
    """An amount in cents, written and read as yuan with two decimals (12.50, not 1250)."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        try:
            yuan = Decimal(str(value).strip().replace(",", "").lstrip("¥"))
        except ArithmeticError as exc:
            raise ValueError(_("Enter an amount in yuan, e.g. 12.50.")) from exc
        if not yuan.is_finite() or yuan != yuan.quantize(CENTS):
            raise ValueError(_("Enter an amount in yuan, e.g. 12.50."))
        return int(yuan * 100)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return "" if not kwargs.get("force_native_type") else None
        yuan = (Decimal(value) / 100).quantize(CENTS)
        return yuan if kwargs.get("force_native_type") else str(yuan)


class ChoiceWidget(widgets.Widget):
    """A choice written as its label (in the user's language); read back from the label, in
    either language, or from the stored value."""

    def __init__(self, choices, **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if text == "":
            return ""
        for stored, label in self.choices:
            if text in (str(stored), force_str(label), _english(label)):
                return stored
        raise ValueError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(force_str(label) for _s, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return force_str(dict(self.choices).get(value, value if value is not None else ""))


class LocalDateTimeWidget(widgets.DateTimeWidget):
    """Times in the business's time zone, without a zone (Excel has none), to the second."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        local = timezone.localtime(value).replace(tzinfo=None, microsecond=0)
        return local if kwargs.get("force_native_type") else local.isoformat(sep=" ")


def _english(label) -> str:
    from django.utils import translation

    with translation.override("en"):
        return force_str(label)


class ZhilianResource(resources.ModelResource):
    """Columns headed by the fields' translated verbose names; money in yuan, choices as labels.

    `export_select_related`: the relations the columns read (one join instead of a query per
    row). The headers of an uploaded file may be the translated names (either language) or the
    field names.
    """

    export_select_related: tuple[str, ...] = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        from zhilian.models import CentsField

        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = capfirst(django_field.verbose_name)
        if isinstance(django_field, CentsField):
            field.widget = YuanWidget()
        elif django_field.choices and not django_field.is_relation:
            field.widget = ChoiceWidget(django_field.flatchoices)
        elif isinstance(django_field, models.DateTimeField):
            field.widget = LocalDateTimeWidget()
        return field

    def export_field(self, field, instance, **kwargs):
        return defuse_formula(super().export_field(field, instance, **kwargs))

    def filter_export(self, queryset, **kwargs):
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        return queryset

    def before_import(self, dataset, **kwargs):
        """Headers as exported (translated, either language) or as field names → our columns."""
        names: dict[str, str] = {}
        for name, field in self.fields.items():
            canonical = force_str(field.column_name)
            for alias in (name, canonical, _english(field.column_name)):
                names.setdefault(alias.strip().lower(), canonical)
        dataset.headers = [names.get(str(h or "").strip().lower(), h) for h in dataset.headers]
        super().before_import(dataset, **kwargs)


def defuse_formula(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (a customer named "=HYPERLINK(...)") gets a
    leading apostrophe, so Excel and WPS show it as text; numbers, "-12.50" included, stay."""
    if not isinstance(value, str) or not value or value[0] not in "=+-@\t\r":
        return value
    if value[0] in "+-":
        try:
            Decimal(value)
        except ArithmeticError:
            return "'" + value
        return value
    return "'" + value


def store_name_field() -> fields.Field:
    return fields.Field(attribute="store__name", column_name=capfirst(_("store name")), readonly=True)


@cache
def default_resource(model: type[models.Model]) -> type[ZhilianResource]:
    """Every concrete field of `model` (less NEVER_EXPORTED), foreign keys as their ids, plus
    the store's name where the model has a store."""
    names = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in NEVER_EXPORTED and not isinstance(f, models.BinaryField)
    ]
    custom: dict[str, fields.Field] = {}
    select: tuple[str, ...] = ()
    store = next((f for f in model._meta.concrete_fields if f.name == "store"), None)
    if store is not None and store.related_model._meta.label == "stores.Store":
        custom["store_name"] = store_name_field()
        names.insert(names.index("store") + 1, "store_name")
        select = ("store",)
    resource = resources.modelresource_factory(
        model,
        resource_class=ZhilianResource,
        meta_options={"fields": names, "export_order": names, "name": capfirst(model._meta.verbose_name_plural)},
        custom_fields=custom,
    )
    resource.export_select_related = select
    return resource


class ExportForm(SelectableFieldsExportForm):
    """The export form with each column's translated header as its label (the library writes
    the English field name beside it)."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return force_str(field.column_name) if field is not None else field_name


class ExportAdminMixin(ExportMixin):
    """Export what the changelist shows, as CSV or XLSX, for whoever may view it (roles.py)."""

    export_form_class = ExportForm
    # A BOM, so that Excel opens Chinese text in a CSV as UTF-8.
    to_encoding = "utf-8-sig"
    ie_base_change_list_template = None  # unused: see init_change_list_template

    def init_change_list_template(self):
        # The buttons are in templates/admin/change_list_object_tools.html, so that each model's
        # own change_list.html stays the changelist's template.
        pass

    @property
    def export_formats(self):
        return FORMATS

    def has_export_permission(self, request) -> bool:
        return roles.can(request.user, roles.VIEW, self.opts.label_lower)

    def get_export_resource_classes(self, request):
        classes = list(getattr(self, "resource_classes", None) or [])
        return classes or [default_resource(self.model)]

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_filename(self, request, queryset, file_format):
        return f"{self.opts.model_name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    @replica_reads  # exports read from the read replica when one is configured (zhilian/db.py)
    def export_action(self, request):
        return super().export_action(request)


# --- report tables (pages that are not changelists) ---------------------------------------------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(
    *, headers: list[Any], rows: list[list[Any]], fmt: str, filename: str, title: str = ""
) -> HttpResponse:
    """A report's table as a CSV (UTF-8 with BOM, for Excel) or XLSX download."""
    data = tablib.Dataset(
        *[tuple(defuse_formula(_cell(v)) for v in row) for row in rows], headers=[force_str(h) for h in headers]
    )
    if fmt == "xlsx":
        data.title = force_str(title)[:31] or None
        body: bytes = data.export("xlsx")
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")
        buffer.write(data.export("csv"))
        body = buffer.getvalue().encode("utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (str, int, float, Decimal, dt.date)) or value is None:
        return value
    return force_str(value)


# The format a report page's ?format= asks for, or None for the page itself.
def requested_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in CONTENT_TYPES else None


__all__ = [
    "ChoiceWidget",
    "ExportAdminMixin",
    "YuanWidget",
    "ZhilianResource",
    "default_resource",
    "requested_format",
    "store_name_field",
    "table_response",
]
