"""Inventory items as files: the columns of their exports and imports (zhilian/admin/imports.py).
Stock on hand is exported, never imported: it moves only through the ledger."""

from __future__ import annotations

from typing import Any

from import_export import fields

from inventory import services
from inventory.models import InventoryItem
from zhilian.admin.exports import store_name_field
from zhilian.admin.imports import ImportResource, store_field

ITEM_FIELDS = [
    "id",
    "store",
    "store_name",
    "name",
    "sku",
    "category",
    "unit",
    "current_quantity",
    "min_quantity",
    "max_quantity",
    "unit_cost_cents",
    "supplier_name",
    "supplier_contact",
    "is_active",
]


class InventoryItemResource(ImportResource):
    store = store_field()
    store_name = store_name_field()
    export_select_related = ("store",)

    class Meta(ImportResource.Meta):
        model = InventoryItem
        name = InventoryItem._meta.verbose_name_plural
        fields = ITEM_FIELDS
        export_order = ITEM_FIELDS
        import_id_fields = ["id"]
        readonly_fields = ["current_quantity"]

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field: fields.Field = super().field_from_django_field(field_name, django_field, readonly)
        if field_name == "current_quantity":
            field.readonly = True
        return field

    def create(self, instance: InventoryItem, fields: dict[str, Any]) -> InventoryItem:
        return services.inventory_item_create(user=self.user, **fields)

    def update(self, instance: InventoryItem, changes: dict[str, Any]) -> InventoryItem:
        return services.inventory_item_update(item=instance, changes=changes, user=self.user)
