"""Inventory items' own fields (name, unit, thresholds, supplier); their stock moves only through
the ledger (inventory.services.stock)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from inventory.models import InventoryItem
from inventory.quantities import clean_quantity
from inventory.services.stock import _alert_if_worse, _lock, stock_record_adjustment
from stores.models import Store
from zhilian.audit import CREATE, audit_record
from zhilian.errors import InvalidInput

ITEM_EDITABLE_FIELDS = (
    "name",
    "sku",
    "category",
    "unit",
    "min_quantity",
    "max_quantity",
    "unit_cost_cents",
    "supplier_name",
    "supplier_contact",
    "is_active",
)


def inventory_item_create(
    *,
    store: Store,
    id: str,
    name: str,
    unit: str,
    initial_quantity: Decimal | int | str = 0,
    user: User | None = None,
    **fields: Any,
) -> InventoryItem:
    """Create an item; an opening stock is written as an adjustment so the ledger sums to it."""
    unknown = set(fields) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: "Not an editable field." for name in sorted(unknown)})
    opening = clean_quantity(initial_quantity, "initial_quantity", allow_zero=True)
    # Without a chain-wide key the name is the key (what transfers match stores' items by).
    fields["sku"] = fields.get("sku") or name
    with transaction.atomic():
        item = InventoryItem(store=store, id=id, name=name, unit=unit, **fields)
        item.current_quantity = Decimal("0")
        item.status = InventoryItem.status_for(item.current_quantity, item.min_quantity)
        item.save(force_insert=True)
        audit_record(actor=user, instance=item, event="inventory_item.create", action=CREATE)
        if opening:
            stock_record_adjustment(item=item, counted_quantity=opening, user=user, notes="Opening stock")
    return item


def inventory_item_update(*, item: InventoryItem, changes: dict[str, Any], user: User | None = None) -> InventoryItem:
    """Edit an item's own fields (never its stock); the status follows a new reorder point.

    Saves only the edited fields under the row lock: a plain `save()` would write back a stale
    `current_quantity` and lose a concurrent ledger write.
    """
    unknown = set(changes) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: "Not an editable field." for name in sorted(unknown)})
    if "sku" in changes and not changes["sku"]:
        changes = {**changes, "sku": changes.get("name") or item.name}
    with transaction.atomic():
        row = _lock(item.pk)
        old_status = row.status
        before = {field: getattr(row, field) for field in changes}
        for field, value in changes.items():
            setattr(row, field, value)
        row.status = InventoryItem.status_for(row.current_quantity, row.min_quantity)
        row.save(update_fields=[*changes, "status", "updated_at"])
        edited = {
            field: (before[field], getattr(row, field)) for field in changes if before[field] != getattr(row, field)
        }
        if edited:
            audit_record(actor=user, instance=row, event="inventory_item.update", changes=edited)
        _alert_if_worse(row, old_status)
    for field in (*changes, "current_quantity", "status", "updated_at"):
        setattr(item, field, getattr(row, field))
    return item


def inventory_item_refresh_status(*, items) -> int:
    """Recompute the status of the given items from their stock; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for row in InventoryItem.objects.select_for_update().filter(pk__in=[i.pk for i in items]).order_by("pk"):
            status = InventoryItem.status_for(row.current_quantity, row.min_quantity)
            if status != row.status:
                old_status, row.status = row.status, status
                row.save(update_fields=["status", "updated_at"])
                _alert_if_worse(row, old_status)
                changed += 1
    return changed
