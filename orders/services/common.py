"""What every order service shares: bounds, field sets, validation, the row lock and the totals."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from orders.models import Order, OrderItem
from orders.workflow import is_editable
from stores.models import Employee
from zhilian.errors import InvalidInput, Locked

S = Order.Status

# Bounds that keep every total far inside a 64-bit integer (and SQLite's INTEGER).
MAX_ITEMS = 200
MAX_QUANTITY = 10_000
MAX_UNIT_PRICE_CENTS = 10_000_000_000  # ¥100,000,000.00
MAX_DISCOUNT_CENTS = MAX_ITEMS * MAX_QUANTITY * MAX_UNIT_PRICE_CENTS

ITEM_FIELDS = ("item_code", "item_name", "quantity", "unit_price_cents", "notes", "customizations")
CREATE_FIELDS = frozenset(
    {
        "table",
        "waiter",
        "order_type",
        "sales_channel",
        "customer_name",
        "customer_phone",
        "guest_count",
        "discount_cents",
        "order_time",
        "notes",
        "metadata",
    }
)
# What order_update may change, and the part of it that touches money or the kitchen ticket
# (locked once the order leaves pending/confirmed); the rest can change until the order closes.
UPDATE_FIELDS = frozenset(CREATE_FIELDS - {"order_time"})
UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED = frozenset({"discount_cents", "order_type", "sales_channel"})


def order_event_data(order: Order) -> dict[str, Any]:
    """The compact order payload carried by live events (no extra queries)."""
    return {
        "id": order.pk,
        "store": order.store_id,
        "status": order.status,
        "order_type": order.order_type,
        "sales_channel": order.sales_channel,
        "table": str(order.table_id) if order.table_id else None,
        "waiter": order.waiter_id,
        "customer_name": order.customer_name,
        "guest_count": order.guest_count,
        "subtotal_cents": order.subtotal_cents,
        "discount_cents": order.discount_cents,
        "total_cents": order.total_cents,
        "order_time": order.order_time,
    }


def _lock_order(order_id: str) -> Order:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return Order.objects.select_for_update().get(pk=order_id)


def _ensure_items_editable(order: Order) -> None:
    if not is_editable(order.status):
        raise Locked(
            f"Order {order.pk} is {order.status}; items and the discount can change only while it is "
            "pending or confirmed.",
            status=order.status,
        )


def _check_int(errors: dict, field: str, value: Any, *, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = "Must be a whole number."
    elif not low <= value <= high:
        errors[field] = f"Must be between {low} and {high}."


def _clean_item(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate one item's fields (InvalidInput naming the field); returns the known fields only."""
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown order item fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    for field in ("item_code", "item_name"):
        if (field in data or not partial) and not data.get(field):
            errors[field] = "This field is required."
    for field, limit in (("item_code", 40), ("item_name", 120), ("notes", 255)):
        value = data.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errors[field] = f"Must be text of at most {limit} characters."
    if "quantity" in data or not partial:
        _check_int(errors, "quantity", data.get("quantity", 1), low=1, high=MAX_QUANTITY)
    if "unit_price_cents" in data or not partial:
        _check_int(errors, "unit_price_cents", data.get("unit_price_cents"), low=0, high=MAX_UNIT_PRICE_CENTS)
    if data.get("customizations") is not None and not isinstance(data["customizations"], dict | list):
        errors["customizations"] = "Must be an object."
    if errors:
        raise InvalidInput(errors)
    cleaned = dict(data)
    if not partial:
        cleaned.setdefault("quantity", 1)
        cleaned.setdefault("notes", "")
        cleaned.setdefault("customizations", {})
    for field, empty in (("customizations", {}), ("notes", "")):
        if field in cleaned and cleaned[field] is None:
            cleaned[field] = empty
    return cleaned


def _check_relations(store_id: str, fields: dict[str, Any]) -> None:
    """A table or waiter of another store (or out of service) is refused, naming the field."""
    errors: dict[str, str] = {}
    table = fields.get("table")
    if table is not None:
        if table.store_id != store_id:
            errors["table"] = "The table belongs to another store."
        elif not table.is_active:
            errors["table"] = "The table is out of service."
    waiter = fields.get("waiter")
    if waiter is not None:
        if waiter.store_id != store_id:
            errors["waiter"] = "The waiter works in another store."
        elif not waiter.is_active:
            errors["waiter"] = "The waiter is no longer active."
        elif waiter.position not in Employee.SERVICE_POSITIONS:
            errors["waiter"] = (
                f"{waiter.name} works as {waiter.get_position_display()}; a waiter, host, cashier or manager "
                "serves orders."
            )
    if "discount_cents" in fields:
        _check_int(errors, "discount_cents", fields["discount_cents"], low=0, high=MAX_DISCOUNT_CENTS)
    for field, choices in (("order_type", Order.Type), ("sales_channel", Order.Channel)):
        if field in fields and fields[field] not in choices.values:
            errors[field] = f"One of: {', '.join(choices.values)}."
    if "guest_count" in fields:
        _check_int(errors, "guest_count", fields["guest_count"], low=1, high=32_767)
    if errors:
        raise InvalidInput(errors)


def _discount_error(discount: int, subtotal: int) -> InvalidInput:
    return InvalidInput(
        {"discount_cents": f"The discount ({discount} cents) cannot exceed the subtotal ({subtotal} cents)."}
    )


def _apply_totals(order: Order, *, discount_cents: int | None = None) -> list[str]:
    """Recompute the locked order's totals from its items in the database; returns changed fields."""
    subtotal = OrderItem.objects.filter(order_id=order.pk).aggregate(s=Sum("subtotal_cents"))["s"] or 0
    discount = order.discount_cents if discount_cents is None else discount_cents
    if discount > subtotal:
        raise _discount_error(discount, subtotal)
    order.subtotal_cents = subtotal
    order.discount_cents = discount
    order.total_cents = subtotal - discount
    return ["subtotal_cents", "discount_cents", "total_cents"]
