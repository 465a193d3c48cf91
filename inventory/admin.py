from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from stores.models import Store
from zhilian import roles
from zhilian.admin import ReadOnlyAdminMixin, ScopedModelAdmin, yuan
from zhilian.models import YuanFormField, format_yuan

RECENT_ROWS = 10


@admin.register(InventoryItem)
class InventoryItemAdmin(ScopedModelAdmin):
    list_display = [
        "id",
        "name",
        "store",
        "category",
        "current_quantity",
        "unit",
        "min_quantity",
        "max_quantity",
        "status",
        yuan("unit_cost_cents", _("unit cost")),
        "supplier_name",
        "is_active",
    ]
    list_display_links = ["id", "name"]
    list_filter = ["status", "category", "is_active", "store"]
    search_fields = ["id", "name", "supplier_name"]
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    ordering = ["store", "name"]
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
                    r.transaction_time.strftime("%Y-%m-%d %H:%M"),
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

    item = forms.ModelChoiceField(queryset=InventoryItem.objects.none())
    transaction_type = forms.ChoiceField(choices=InventoryTransaction.Type.choices)
    quantity = forms.DecimalField(
        max_digits=12, decimal_places=3, min_value=0.001, required=False, help_text=_("Not for adjustments.")
    )
    counted_quantity = forms.DecimalField(
        max_digits=12, decimal_places=3, min_value=0, required=False, help_text=_("Adjustments: the counted stock.")
    )
    waste_reason = forms.ChoiceField(choices=[("", "---"), *InventoryTransaction.WasteReason.choices], required=False)
    to_store = forms.ModelChoiceField(queryset=Store.objects.all(), required=False, help_text=_("Transfers only."))
    unit_cost = YuanFormField(required=False, min_value=0, label=_("unit cost (yuan)"), help_text=_("Purchases only."))
    reference_id = forms.CharField(max_length=80, required=False)
    notes = forms.CharField(max_length=255, required=False)

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

    list_display = [
        "transaction_time",
        "item",
        "store",
        "transaction_type",
        "quantity",
        "quantity_before",
        "quantity_after",
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
