from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from inventory import reports, selectors, services
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from inventory.resources import InventoryItemResource
from stores.models import Store
from zhilian import roles
from zhilian.admin import ReadOnlyAdminMixin, ScopedModelAdmin, ScopedTabularInline, yuan
from zhilian.admin.exports import requested_format, table_response
from zhilian.admin.imports import ImportAdminMixin
from zhilian.db import replica_reads
from zhilian.errors import DomainError
from zhilian.models import YuanFormField, format_yuan

RECENT_ROWS = 10
# Sort key of the stock status: the worst first.
STATUS_SEVERITY = Case(
    When(status=InventoryItem.Status.OUT_OF_STOCK, then=Value(0)),
    When(status=InventoryItem.Status.CRITICAL, then=Value(1)),
    When(status=InventoryItem.Status.LOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


@admin.register(InventoryItem)
class InventoryItemAdmin(ImportAdminMixin, ScopedModelAdmin):
    resource_classes = import_resource_classes = [InventoryItemResource]
    list_display = [
        "id",
        "name",
        "store",
        "category",
        "current_quantity",
        "unit",
        "min_quantity",
        "max_quantity",
        "status_badge",
        yuan("unit_cost_cents", _("unit cost")),
        "supplier_name",
        "is_active",
    ]
    list_display_links = ["id", "name"]
    list_filter = ["status", "category", "is_active", "store"]
    search_fields = ["id", "name", "supplier_name"]
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    # The worst first: out of stock, critical, low, then normal (not the labels' alphabet).
    ordering = ["store", STATUS_SEVERITY.asc(), "name"]

    class Media:
        css = {"all": ["inventory/stock_status.css"]}

    def get_urls(self):
        reorder = self.admin_site.admin_view(self.reorder_view)
        return [
            path("reorder-suggestions/", reorder, name="inventory_inventoryitem_reorder"),
            *super().get_urls(),
        ]

    def reorder_view(self, request):
        """What to order per supplier for one store (the API's reorder suggestions)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        stores = list(Store.objects.for_user(request.user).order_by("pk"))
        wanted = request.GET.get("store") or (stores[0].pk if stores else None)
        store = next((s for s in stores if s.pk == wanted), None)
        if store is None:
            raise Http404
        groups = selectors.stock_reorder_suggestions(store=store)
        for group in groups:
            group["total"] = format_yuan(group["total_cost_cents"])
            for item in group["items"]:
                item["status_label"] = InventoryItem.Status(item["status"]).label
                item["unit_cost"] = format_yuan(item["unit_cost_cents"])
                item["cost"] = format_yuan(item["cost_cents"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reorder suggestions"),
            "store": store,
            "stores": stores,
            "groups": groups,
            "item_count": sum(g["item_count"] for g in groups),
            "total": format_yuan(sum(g["total_cost_cents"] for g in groups)),
        }
        return TemplateResponse(request, "admin/inventory/inventoryitem/reorder_suggestions.html", context)

    @admin.display(description=_("status"), ordering=STATUS_SEVERITY)
    def status_badge(self, obj: InventoryItem) -> str:
        return format_html('<span class="stock-status stock-status-{}">{}</span>', obj.status, obj.get_status_display())

    actions = ["recompute_status"]
    fieldsets = [
        (None, {"fields": ["id", "store", "name", "sku", "category", "unit", "is_active"]}),
        (_("Stock"), {"fields": ["current_quantity", "status", "min_quantity", "max_quantity", "unit_cost_cents"]}),
        (_("Supplier"), {"fields": ["supplier_name", "supplier_contact"]}),
        (_("Ledger"), {"fields": ["recent_transactions"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["current_quantity", "status", "recent_transactions"]
        # A changed primary key would save a copy of the item, not rename it.
        return [*readonly, "id", "store"] if obj is not None else readonly

    @admin.display(description=_("latest transactions"))
    def recent_transactions(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        rows = list(obj.transactions.select_related("performed_by").order_by("-transaction_time")[:RECENT_ROWS])
        link = format_html(
            '<a href="{}?item__id__exact={}">{}</a>',
            reverse("admin:inventory_inventorytransaction_changelist"),
            obj.pk,
            _("All transactions of this item"),
        )
        if not rows:
            return link
        table = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    # The store's local time, as the ledger's changelist shows it.
                    timezone.localtime(r.transaction_time).strftime("%Y-%m-%d %H:%M"),
                    r.get_transaction_type_display(),
                    r.quantity,
                    r.quantity_after,
                    format_yuan(r.total_cost_cents),
                    r.performed_by or "",
                )
                for r in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>{}",
            _("time"),
            _("type"),
            _("quantity"),
            _("after"),
            _("total cost"),
            _("by"),
            table,
            link,
        )

    # Through the services: a plain save() would write back a stale current_quantity.
    services = services
    create_service = "inventory_item_create"
    update_service = "inventory_item_update"
    service_fields = services.ITEM_EDITABLE_FIELDS

    def create_kwargs(self, request, form, formsets):
        data = form.cleaned_data
        return {**super().create_kwargs(request, form, formsets), "store": data["store"], "id": data["id"]}

    def update_kwargs(self, request, obj, form, formsets):
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        return {"item": obj, "changes": self.service_data(form, changed), "user": request.user}

    @admin.action(description=_("Recompute status from quantity and reorder point"), permissions=["change"])
    def recompute_status(self, request, queryset):
        changed = self.call_service(
            request, services.inventory_item_refresh_status, items=list(queryset.select_related(None).only("pk"))
        )
        if changed is not None:
            self.message_user(request, _("%(n)d item(s) changed status.") % {"n": changed}, messages.SUCCESS)


class RecordTransactionForm(forms.Form):
    """Recording a movement in the admin: the same fields and rules as the API, saved by the services."""

    # Labels as the ledger's own fields name them, so the form reads in the user's language.
    item = forms.ModelChoiceField(queryset=InventoryItem.objects.none(), label=_("item"))
    transaction_type = forms.ChoiceField(choices=InventoryTransaction.Type.choices, label=_("type"))
    quantity = forms.DecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=0.001,
        required=False,
        label=_("quantity"),
        help_text=_("Not for adjustments."),
    )
    counted_quantity = forms.DecimalField(
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=False,
        label=_("counted quantity"),
        help_text=_("Adjustments: the counted stock."),
    )
    waste_reason = forms.ChoiceField(
        choices=[("", "---"), *InventoryTransaction.WasteReason.choices], required=False, label=_("waste reason")
    )
    to_store = forms.ModelChoiceField(
        queryset=Store.objects.all(), required=False, label=_("to store"), help_text=_("Transfers only.")
    )
    unit_cost = YuanFormField(required=False, min_value=0, label=_("unit cost (yuan)"), help_text=_("Purchases only."))
    reference_id = forms.CharField(max_length=80, required=False, label=_("reference"))
    notes = forms.CharField(max_length=255, required=False, label=_("notes"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["item"].queryset = InventoryItem.objects.for_user(user).select_related("store")
        allowed = [
            (value, label)
            for value, label in InventoryTransaction.Type.choices
            if roles.can(user, f"record_{value}", InventoryTransaction._meta.label_lower)
        ]
        self.fields["transaction_type"].choices = allowed

    def clean(self):
        data = super().clean()
        kind = data.get("transaction_type")
        if kind == InventoryTransaction.Type.ADJUSTMENT:
            if data.get("counted_quantity") is None:
                self.add_error("counted_quantity", _("Give the counted quantity."))
        elif kind and data.get("quantity") is None:
            self.add_error("quantity", _("Give the quantity."))
        if kind == InventoryTransaction.Type.WASTE and not data.get("waste_reason"):
            self.add_error("waste_reason", _("Give a reason for waste."))
        if kind == InventoryTransaction.Type.TRANSFER and not data.get("to_store"):
            self.add_error("to_store", _("Give the receiving store."))
        unit_cost = data.get("unit_cost")
        if unit_cost is not None and unit_cost < 0:
            self.add_error("unit_cost", _("Must be zero or more."))
        return data

    def record(self):
        data = self.cleaned_data
        common = {
            "item": data["item"],
            "user": self.user,
            "reference_id": data["reference_id"],
            "notes": data["notes"],
        }
        kind = data["transaction_type"]
        if kind == InventoryTransaction.Type.PURCHASE:
            return services.stock_record_purchase(
                quantity=data["quantity"], unit_cost_cents=data["unit_cost"], **common
            )
        if kind == InventoryTransaction.Type.USAGE:
            return services.stock_record_usage(quantity=data["quantity"], **common)
        if kind == InventoryTransaction.Type.WASTE:
            return services.stock_record_waste(quantity=data["quantity"], reason=data["waste_reason"], **common)
        if kind == InventoryTransaction.Type.ADJUSTMENT:
            return services.stock_record_adjustment(counted_quantity=data["counted_quantity"], **common)
        return services.stock_transfer(to_store=data["to_store"], quantity=data["quantity"], **common)[0]


@admin.register(InventoryTransaction)
class InventoryTransactionAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """The ledger: viewable, never changed or deleted. "Add" records a movement through the services."""

    # Eight columns that fit 1440 px beside the admin's sidebar (zhilian/tests/test_admin_browser.py):
    # the item by name (its store is the store column), the stock before and after in one.
    list_display = [
        "transaction_time",
        "item_name",
        "store",
        "transaction_type",
        "quantity",
        "stock_change",
        yuan("unit_cost_cents", _("unit cost")),
        yuan("total_cost_cents", _("total cost")),
        "waste_reason",
        "performed_by",
    ]
    list_filter = ["transaction_type", "waste_reason", "store"]
    search_fields = ["item__id", "item__name", "reference_id", "notes"]
    date_hierarchy = "transaction_time"
    list_select_related = ["item", "store", "performed_by"]
    ordering = ["-transaction_time"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("inventory.add_inventorytransaction")

    @admin.display(description=_("item"), ordering="item__name")
    def item_name(self, obj) -> str:
        return obj.item.name

    @admin.display(description=_("stock before → after"))
    def stock_change(self, obj) -> str:
        return f"{obj.quantity_before} → {obj.quantity_after}"

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)  # Django answers 403
        form = RecordTransactionForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            entry = self.call_service(request, form.record)
            if entry is not None:
                self.message_user(request, _("Recorded: %(row)s.") % {"row": entry}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:inventory_inventorytransaction_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a stock movement"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/inventory/inventorytransaction/record.html", context)


# --- stock counts (盘点) --------------------------------------------------------------------------


class StockCountLineForm(forms.ModelForm):
    counted_quantity = forms.DecimalField(
        label=_("counted quantity"), max_digits=12, decimal_places=3, min_value=0, required=False
    )

    class Meta:
        model = StockCountLine
        fields = ["counted_quantity"]


class StockCountLineInline(ScopedTabularInline):
    """The count sheet: one row per item, the counted quantity the only field to fill in."""

    model = StockCountLine
    form = StockCountLineForm
    fields = ["item_name", "unit", "expected_quantity", "counted_quantity"]
    readonly_fields = ["item_name", "unit", "expected_quantity"]
    can_delete = False
    show_change_link = False
    max_num = 0  # no rows added by hand: the sheet lists the items active at opening

    def get_queryset(self, request):
        # By category, then name: the order a counter walks the storeroom in.
        return super().get_queryset(request).select_related("item").order_by("item__category", "item__name", "item_id")

    @admin.display(description=_("item"))
    def item_name(self, obj):
        return obj.item.name

    @admin.display(description=_("unit"))
    def unit(self, obj):
        return obj.item.unit

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        open_ = obj is None or obj.status == StockCount.Status.OPEN
        return open_ and roles.can(request.user, roles.COUNT_RECORD, StockCount._meta.label_lower)


# Columns of the variance page: key -> (heading, numeric).
VARIANCE_COLUMNS = {
    "name": (_("item"), False),
    "opening_quantity": (_("opening count"), True),
    "purchases": (_("purchases"), True),
    "transfers_in": (_("transfers in"), True),
    "transfers_out": (_("transfers out"), True),
    "closing_quantity": (_("closing count"), True),
    "actual_usage": (_("actual usage"), True),
    "theoretical_usage": (_("theoretical usage"), True),
    "waste": (_("waste"), True),
    "variance_quantity": (_("unexplained variance"), True),
    "variance_cents": (_("variance cost"), True),
    "variance_pct": (_("variance %"), True),
}


@admin.register(StockCount)
class StockCountAdmin(ScopedModelAdmin):
    """Counts in the admin: open one (add), fill in the sheet (the lines inline), close it with
    the "Close count" button; a closed count links to its variance report."""

    change_form_template = "admin/inventory/stockcount/change_form.html"

    class Media:
        css = {"all": ["inventory/stockcount.css"]}

    list_display = [
        "count_date",
        "store",
        "status",
        "counted_progress",
        "opened_by",
        "closed_by",
        "closed_at",
        "variance_link",
    ]
    list_display_links = ["count_date"]
    list_filter = ["status", "store"]
    date_hierarchy = "count_date"
    list_select_related = ["store", "opened_by", "closed_by"]
    ordering = ["-count_date", "-id"]
    search_fields = ["notes"]
    inlines = [StockCountLineInline]
    services = services
    create_service = "stock_count_open"
    update_service = "stock_count_update"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                line_total=Count("lines"),
                line_counted=Count("lines", filter=Q(lines__counted_quantity__isnull=False)),
            )
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["store", "count_date", "notes"]
        return ["store", "count_date", "status", "notes", "opened_by", "closed_by", "closed_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["store", "count_date", "status", "opened_by", "closed_by", "closed_at"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != StockCount.Status.OPEN:
            return False  # a closed count is read-only
        return super().has_change_permission(request, obj) or (
            obj is not None and roles.can(request.user, roles.COUNT_RECORD, StockCount._meta.label_lower)
        )

    def has_delete_permission(self, request, obj=None):
        return False  # counts are history

    def service_object_kwarg(self) -> str:
        return "count"

    def create_kwargs(self, request, form, formsets):
        data = form.cleaned_data
        return {"store": data["store"], "count_date": data["count_date"], "notes": data["notes"], "user": request.user}

    def update_kwargs(self, request, obj, form, formsets):
        return {"count": obj, "notes": form.cleaned_data.get("notes", obj.notes), "user": request.user}

    def save_formset(self, request, form, formset, change):
        # The sheet is saved through the service (all lines at once, validated, audited).
        if formset.model is not StockCountLine:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        entries = [
            {"item": line.item_id, "counted_quantity": line.counted_quantity}
            for line, changed in formset.changed_objects
            if "counted_quantity" in changed
        ]
        if entries:
            services.stock_count_record(count=form.instance, quantities=entries, user=request.user)
        return None

    def response_change(self, request, obj):
        if "_close_count" in request.POST:
            if not roles.can(request.user, roles.COUNT_CLOSE, StockCount._meta.label_lower):
                raise PermissionDenied
            closed = self.call_service(
                request, services.stock_count_close, count=obj, user=request.user, success=_("The count is closed.")
            )
            return HttpResponseRedirect(
                reverse("admin:inventory_stockcount_change", args=[obj.pk])
                if closed is None
                else reverse("admin:inventory_stockcount_changelist")
            )
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["show_save_and_add_another"] = False  # one open count per store
        context["can_close_count"] = (
            obj is not None
            and obj.status == StockCount.Status.OPEN
            and roles.can(request.user, roles.COUNT_CLOSE, StockCount._meta.label_lower)
        )
        context["variance_url"] = (
            reverse("admin:inventory_stockcount_variance", args=[obj.pk])
            if obj is not None and obj.status == StockCount.Status.CLOSED
            else None
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("counted"))
    def counted_progress(self, obj):
        return f"{obj.line_counted} / {obj.line_total}"

    @admin.display(description=_("variance"))
    def variance_link(self, obj):
        if obj.status != StockCount.Status.CLOSED:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:inventory_stockcount_variance", args=[obj.pk]), _("report")
        )

    def get_urls(self):
        extra = [
            path(
                "<path:object_id>/variance/",
                self.admin_site.admin_view(self.variance_view),
                name="inventory_stockcount_variance",
            )
        ]
        return extra + super().get_urls()

    @replica_reads
    def variance_view(self, request, object_id):
        count = self.get_object(request, object_id)
        if count is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, count):
            raise PermissionDenied
        try:
            report = reports.stock_variance_for_count(count)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:inventory_stockcount_change", args=[count.pk]))
        key = request.GET.get("sort", "-variance_cents")
        column = key.lstrip("-")
        if column not in VARIANCE_COLUMNS:
            key, column = "-variance_cents", "variance_cents"
        descending = key.startswith("-")
        numeric = VARIANCE_COLUMNS[column][1]
        lines = sorted(
            report["lines"],
            key=lambda line: (
                (line[column] is None, line[column] if line[column] is not None else 0)
                if numeric
                else str(line[column])
            ),
            reverse=descending,
        )
        headers = [
            {
                "key": name,
                "label": label,
                "numeric": is_numeric,
                "sorted": "desc" if key == f"-{name}" else "asc" if key == name else "",
                # A click sorts by the column, largest first; a second click flips it.
                "url": f"?sort={name if key == f'-{name}' else f'-{name}'}",
            }
            for name, (label, is_numeric) in VARIANCE_COLUMNS.items()
        ]
        rows = [
            {
                "line": line,
                "cells": [
                    format_yuan(line[name])
                    if name == "variance_cents"
                    else ("-" if line[name] is None else f"{line[name]} %")
                    if name == "variance_pct"
                    else line[name]
                    for name in VARIANCE_COLUMNS
                ],
                "loss": line["variance_cents"] > 0,
            }
            for line in lines
        ]
        fmt = requested_format(request)
        if fmt is not None:
            return _variance_file(count, lines, fmt)
        totals = report["totals"]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Theoretical vs actual usage: %(count)s") % {"count": count},
            "opts": self.opts,
            "original": count,
            "report": report,
            "sort": key,
            "headers": headers,
            "rows": rows,
            "totals": [
                (_("Revenue"), format_yuan(totals["revenue_cents"])),
                (_("Theoretical food cost"), format_yuan(totals["theoretical_cost_cents"])),
                (_("Actual usage cost"), format_yuan(totals["actual_usage_cost_cents"])),
                (_("Recorded waste"), format_yuan(totals["waste_cost_cents"])),
                (_("Unexplained variance"), format_yuan(totals["unexplained_cost_cents"])),
                (_("Theoretical food cost %"), _pct_label(totals["theoretical_food_cost_pct"])),
                (_("Actual food cost %"), _pct_label(totals["actual_food_cost_pct"])),
                (_("Gap (points)"), _pct_label(totals["food_cost_gap_pct"], suffix="")),
            ],
        }
        return TemplateResponse(request, "admin/inventory/stockcount/variance.html", context)


def _variance_file(count: StockCount, lines: list[dict], fmt: str):
    """The variance table as the page sorts it, numbers as numbers (cost in yuan), for Excel."""
    headers = [label for label, _numeric in VARIANCE_COLUMNS.values()] + [_("unit")]
    rows = [
        [
            (Decimal(line[name]) / 100).quantize(Decimal("0.01")) if name == "variance_cents" else line[name]
            for name in VARIANCE_COLUMNS
        ]
        + [line["unit"]]
        for line in lines
    ]
    return table_response(
        headers=headers,
        rows=rows,
        fmt=fmt,
        filename=f"variance-{count.store_id}-{count.count_date:%Y-%m-%d}",
        title=_("Variance report"),
    )


def _pct_label(value, suffix=" %") -> str:
    return "-" if value is None else f"{value}{suffix}"
