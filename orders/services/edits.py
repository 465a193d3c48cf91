"""Changes to an existing order: its own fields, its discount and its items.

Every change locks the order row first, recomputes the totals from the items in the database and
records who did it in the audit trail, in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderItem, OrderItemModifier
from orders.services.common import (
    MAX_ITEMS,
    UPDATE_FIELDS,
    UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED,
    _apply_totals,
    _check_relations,
    _clean_item,
    _ensure_items_editable,
    _lock_order,
)
from orders.workflow import CLOSED_STATUSES
from zhilian.audit import audit_record
from zhilian.errors import DomainError, InvalidInput, Locked

TOTALS = ("subtotal_cents", "discount_cents", "total_cents")


def _totals(order: Order) -> dict[str, int]:
    return {field: getattr(order, field) for field in TOTALS}


def _moved(before: dict[str, Any], order: Order) -> dict[str, tuple[Any, Any]]:
    """The totals that changed since `before`, as (old, new) pairs for the audit trail."""
    return {field: (old, getattr(order, field)) for field, old in before.items() if old != getattr(order, field)}


def order_update(*, order: Order, user=None, **changes: Any) -> Order:
    """Change an order's own fields; totals follow a new discount.

    Discount, order type and sales channel change only while pending/confirmed; the customer,
    table, waiter, guests, notes and metadata until the order is completed or cancelled (Locked
    otherwise). The caller's instance is updated too.
    """
    unknown = set(changes) - UPDATE_FIELDS
    if unknown:
        raise TypeError(f"order_update got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_order(order.pk)
        # Only real changes count: resending the current value of a locked field is harmless.
        changes = {k: v for k, v in changes.items() if _current(locked, k) != _value(v)}
        if not changes:
            return locked
        if locked.status in CLOSED_STATUSES:
            raise Locked(f"Order {locked.pk} is {locked.status} and can no longer change.", status=locked.status)
        if UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED & set(changes):
            _ensure_items_editable(locked)
        _check_relations(locked.store_id, changes)
        discount = changes.pop("discount_cents", None)
        if "metadata" in changes and changes["metadata"] is None:
            changes["metadata"] = {}
        audited = {field: (_current(locked, field), _value(value)) for field, value in changes.items()}
        totals = _totals(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        update_fields = list(changes)
        if discount is not None:
            update_fields += _apply_totals(locked, discount_cents=discount)
        locked.save(update_fields=[*update_fields, "updated_at"])
        audit_record(actor=user, instance=locked, event="order.update", changes={**audited, **_moved(totals, locked)})
    for field in [*update_fields, "updated_at"]:
        setattr(order, field, getattr(locked, field))
    return locked


def _current(order: Order, field: str) -> Any:
    if field in ("table", "waiter"):
        return getattr(order, f"{field}_id")
    return getattr(order, field)


def _value(value: Any) -> Any:
    return value.pk if hasattr(value, "_meta") else value


def order_recompute_totals(*, order: Order, discount_cents: int | None = None, user=None) -> Order:
    """Recompute an order's totals from its items (after items were saved elsewhere, e.g. the admin).

    A new discount is accepted only while the order is editable; the discount never exceeds the
    subtotal (InvalidInput on discount_cents).
    """
    with transaction.atomic():
        locked = _lock_order(order.pk)
        if discount_cents is not None and discount_cents != locked.discount_cents:
            _ensure_items_editable(locked)
            _check_relations(locked.store_id, {"discount_cents": discount_cents})
        totals = _totals(locked)
        fields = _apply_totals(locked, discount_cents=discount_cents)
        locked.save(update_fields=[*fields, "updated_at"])
        if moved := _moved(totals, locked):
            event = "order.discount" if "discount_cents" in moved else "order.totals"
            audit_record(actor=user, instance=locked, event=event, changes=moved)
    for field in (*fields, "updated_at"):
        setattr(order, field, getattr(locked, field))
    return locked


def order_item_add(
    *,
    order: Order,
    item_code: str,
    item_name: str = "",
    unit_price_cents: int | None = None,
    quantity: int = 1,
    notes: str = "",
    customizations: dict | None = None,
    is_open_item: bool = False,
    modifiers: list[str] | None = None,
    user=None,
) -> OrderItem:
    """Add an item to a pending/confirmed order (Locked otherwise) and recompute its totals.

    A dish code is priced from the store's menu like at creation (menu.services); anything else
    must be flagged `is_open_item`."""
    from menu.services import order_item_modifier_rows, order_lines_from_menu

    try:
        (priced,) = order_lines_from_menu(
            store=order.store,
            items=[
                {
                    "item_code": item_code,
                    "item_name": item_name,
                    "quantity": quantity,
                    "unit_price_cents": unit_price_cents,
                    "notes": notes,
                    "customizations": customizations if customizations is not None else {},
                    "is_open_item": is_open_item,
                    "modifiers": modifiers or [],
                }
            ],
            day=timezone.localdate(order.order_time),
            user=user,
        )
    except InvalidInput as exc:
        raise InvalidInput({k.removeprefix("items[0]."): v for k, v in exc.errors.items()}) from exc
    menu_link = {"dish_id": priced.pop("dish_id"), "is_open_item": priced.pop("is_open_item")}
    chosen = priced.pop("chosen_modifiers")
    try:
        data = {**_clean_item(priced), **menu_link}
    except InvalidInput as exc:
        raise InvalidInput({k.removeprefix("items[0]."): v for k, v in exc.errors.items()}) from exc
    with transaction.atomic():
        locked = _lock_order(order.pk)
        _ensure_items_editable(locked)
        if OrderItem.objects.filter(order_id=locked.pk).count() >= MAX_ITEMS:
            raise InvalidInput({"order": f"An order holds at most {MAX_ITEMS} items."})
        item = OrderItem.objects.create(order=locked, **data)
        if chosen:
            OrderItemModifier.objects.bulk_create(order_item_modifier_rows(item, chosen))
        totals = _totals(locked)
        fields = _apply_totals(locked)
        locked.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=user,
            instance=locked,
            event="order.item_add",
            changes=_moved(totals, locked),
            item=str(item.pk),
            item_code=item.item_code,
            quantity=item.quantity,
            unit_price_cents=item.unit_price_cents,
        )
    return item


def order_item_update(*, item: OrderItem, user=None, **changes: Any) -> OrderItem:
    """Change an item (code, name, quantity, unit price, notes, customizations) of an editable order."""
    if "order" in changes:
        raise InvalidInput({"order": "An item cannot move to another order."})
    changes = _clean_item(changes, partial=True)
    with transaction.atomic():
        # Lock order first, then the item: the same order every other writer uses.
        locked = _lock_order(item.order_id)
        _ensure_items_editable(locked)
        row = OrderItem.objects.select_for_update().get(pk=item.pk)
        if row.dish_id is not None and changes.get("item_code", row.item_code) != row.item_code:
            # The line sold that dish (its recipe leaves stock); another dish is another line.
            raise InvalidInput({"item_code": "A dish line keeps its dish: remove it and add the other dish."})
        before = {field: getattr(row, field) for field in changes}
        for field, value in changes.items():
            setattr(row, field, value)
        row.subtotal_cents = row.quantity * row.unit_price_cents
        row.save(update_fields=[*changes, "subtotal_cents", "updated_at"])
        totals = _totals(locked)
        fields = _apply_totals(locked)
        locked.save(update_fields=[*fields, "updated_at"])
        edited = {
            f"item.{field}": (old, getattr(row, field)) for field, old in before.items() if old != getattr(row, field)
        }
        audit_record(
            actor=user,
            instance=locked,
            event="order.item_update",
            changes={**edited, **_moved(totals, locked)},
            item=str(row.pk),
            item_code=row.item_code,
        )
    for field in (*changes, "subtotal_cents", "updated_at"):
        setattr(item, field, getattr(row, field))
    return row


def order_item_remove(*, item: OrderItem, user=None) -> None:
    """Remove an item from an editable order. The last item stays: cancel the order instead."""
    with transaction.atomic():
        locked = _lock_order(item.order_id)
        _ensure_items_editable(locked)
        if not OrderItem.objects.filter(order_id=locked.pk).exclude(pk=item.pk).exists():
            raise DomainError(
                f"Order {locked.pk} must keep at least one item; cancel the order instead.", code="last_item"
            )
        deleted, _ = OrderItem.objects.filter(pk=item.pk, order_id=locked.pk).delete()
        if not deleted:
            return
        totals = _totals(locked)
        fields = _apply_totals(locked)
        locked.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=user,
            instance=locked,
            event="order.item_remove",
            changes=_moved(totals, locked),
            item=str(item.pk),
            item_code=item.item_code,
            quantity=item.quantity,
        )
