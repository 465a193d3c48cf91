"""The order workflow and every change to an order's items and totals (DESIGN §4 Orders).

Totals are always computed here from the items, never taken from a caller. Every change to an
existing order locks its row first (``select_for_update``), so two terminals editing the same
order serialize instead of losing an update. Events and notifications go out after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_create, store_managers
from orders.models import Order, OrderItem
from orders.workflow import (
    CLOSED_STATUSES,
    STATUS_TIMESTAMP,
    allowed_moves,
    is_editable,
)
from zhilian import events
from zhilian.errors import DomainError, InvalidInput, InvalidTransition, Locked
from zhilian.models import next_daily_value

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


# --- helpers ---------------------------------------------------------------------------------


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


# --- creation --------------------------------------------------------------------------------


def order_next_id(*, store_id: str, day: dt.date) -> str:
    """The next order ID of a store and day: ``<store>-<YYYYMMDD>-<NNNN>`` (one atomic upsert)."""
    number = next_daily_value(f"order:{store_id}", day)
    return f"{store_id}-{day:%Y%m%d}-{number:04d}"


# An order time outside this window is a client's clock or a typo, not an order; it would also
# name a day nobody can find (and years before 1900 render with a local-mean-time offset).
EARLIEST_ORDER_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ORDER_TIME_LEEWAY = dt.timedelta(days=1)


def _check_order_time(order_time: dt.datetime) -> None:
    latest = timezone.now() + ORDER_TIME_LEEWAY
    if not EARLIEST_ORDER_TIME <= order_time <= latest:
        raise InvalidInput(
            {"order_time": f"Must lie between {EARLIEST_ORDER_TIME:%Y-%m-%d} and a day from now ({latest:%Y-%m-%d})."}
        )


def order_create(*, store, items: list[dict[str, Any]], user=None, **fields: Any) -> Order:
    """Create a pending order with its items; the ID and the totals are the server's.

    `fields` are the order's own fields (table, waiter, order_type, sales_channel, customer_name,
    customer_phone, guest_count, discount_cents, order_time, notes, metadata). ID day = the local
    date of `order_time` (now when omitted).
    """
    unknown = set(fields) - CREATE_FIELDS
    if unknown:
        raise TypeError(f"order_create got unknown fields: {sorted(unknown)}")
    if not items:
        raise InvalidInput({"items": "An order needs at least one item."})
    if len(items) > MAX_ITEMS:
        raise InvalidInput({"items": f"An order holds at most {MAX_ITEMS} items."})
    rows_data = []
    for index, item in enumerate(items):
        try:
            rows_data.append(_clean_item(item))
        except InvalidInput as exc:
            raise InvalidInput({f"items[{index}].{k}": v for k, v in exc.errors.items()}) from exc
    _check_relations(store.pk, fields)

    fields.setdefault("order_time", timezone.now())
    _check_order_time(fields["order_time"])
    if fields.get("metadata") is None:
        fields["metadata"] = {}
    subtotal = sum(r["quantity"] * r["unit_price_cents"] for r in rows_data)
    discount = fields.pop("discount_cents", 0) or 0
    if discount > subtotal:
        raise _discount_error(discount, subtotal)

    with transaction.atomic():
        order = Order(
            store=store,
            status=S.PENDING,
            subtotal_cents=subtotal,
            discount_cents=discount,
            total_cents=subtotal - discount,
            **fields,
        )
        order.id = order_next_id(store_id=store.pk, day=timezone.localdate(order.order_time))
        order.save(force_insert=True)
        rows = [OrderItem(order=order, subtotal_cents=r["quantity"] * r["unit_price_cents"], **r) for r in rows_data]
        OrderItem.objects.bulk_create(rows)
        events.publish(
            "order.created",
            store_id=store.pk,
            data={**order_event_data(order), "item_count": sum(r.quantity for r in rows)},
        )
    return order


# --- the workflow ----------------------------------------------------------------------------


def order_transition(*, order: Order, status: str, reason: str = "", user=None, at: dt.datetime | None = None) -> Order:
    """Move the order one step along the workflow, stamping the time of the move.

    A forbidden move raises InvalidTransition (409) naming the allowed moves. Cancelling needs a
    reason. `at` stamps a given time instead of now (imports, demo data). The caller's instance
    is updated too.
    """
    if status not in S.values:
        raise InvalidInput({"status": f"Unknown status {status!r}; one of: {', '.join(S.values)}."})
    reason = (reason or "").strip()
    if status == S.CANCELLED and not reason:
        raise InvalidInput({"reason": "Say why the order is cancelled."})
    if len(reason) > 255:
        raise InvalidInput({"reason": "At most 255 characters."})

    with transaction.atomic():
        locked = _lock_order(order.pk)
        previous = locked.status
        allowed = allowed_moves(previous)
        if status not in allowed:
            raise InvalidTransition(
                f"Order {locked.pk} cannot move from {previous} to {status}.",
                allowed=allowed,
                status=previous,
            )
        stamp_field = STATUS_TIMESTAMP[status]
        stamp = at or timezone.now()
        locked.status = status
        setattr(locked, stamp_field, stamp)
        update_fields = ["status", stamp_field, "updated_at"]
        if status == S.CANCELLED:
            locked.cancel_reason = reason
            update_fields.append("cancel_reason")
        locked.save(update_fields=update_fields)

        events.publish(
            "order.status_changed",
            store_id=locked.store_id,
            data={
                **order_event_data(locked),
                "from": previous,
                "to": status,
                "reason": reason,
                "changed_at": stamp,
                "by": str(user.pk) if user is not None and user.pk else None,
            },
        )
        if status == S.CANCELLED:
            # The people who answer for the store hear about cancellations (not the one who did it).
            recipients = [m for m in store_managers(locked.store_id) if user is None or m.pk != user.pk]
            notification_create(
                recipients=recipients,
                kind=Notification.Kind.ORDER_STATUS,
                level=Notification.Level.WARNING,
                title=f"Order {locked.pk} cancelled",
                body=reason,
                store_id=locked.store_id,
                data={"order": locked.pk, "from": previous, "to": status, "total_cents": locked.total_cents},
            )

    for field in update_fields:
        setattr(order, field, getattr(locked, field))
    return locked


# --- edits -----------------------------------------------------------------------------------


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
        for field, value in changes.items():
            setattr(locked, field, value)
        update_fields = list(changes)
        if discount is not None:
            update_fields += _apply_totals(locked, discount_cents=discount)
        locked.save(update_fields=[*update_fields, "updated_at"])
    for field in [*update_fields, "updated_at"]:
        setattr(order, field, getattr(locked, field))
    return locked


def _current(order: Order, field: str) -> Any:
    if field in ("table", "waiter"):
        return getattr(order, f"{field}_id")
    return getattr(order, field)


def _value(value: Any) -> Any:
    return value.pk if hasattr(value, "_meta") else value


def order_recompute_totals(*, order: Order, discount_cents: int | None = None) -> Order:
    """Recompute an order's totals from its items (after items were saved elsewhere, e.g. the admin).

    A new discount is accepted only while the order is editable; the discount never exceeds the
    subtotal (InvalidInput on discount_cents).
    """
    with transaction.atomic():
        locked = _lock_order(order.pk)
        if discount_cents is not None and discount_cents != locked.discount_cents:
            _ensure_items_editable(locked)
            _check_relations(locked.store_id, {"discount_cents": discount_cents})
        fields = _apply_totals(locked, discount_cents=discount_cents)
        locked.save(update_fields=[*fields, "updated_at"])
    for field in (*fields, "updated_at"):
        setattr(order, field, getattr(locked, field))
    return locked


def order_item_add(
    *,
    order: Order,
    item_code: str,
    item_name: str,
    unit_price_cents: int,
    quantity: int = 1,
    notes: str = "",
    customizations: dict | None = None,
    user=None,
) -> OrderItem:
    """Add an item to a pending/confirmed order (Locked otherwise) and recompute its totals."""
    data = _clean_item(
        {
            "item_code": item_code,
            "item_name": item_name,
            "quantity": quantity,
            "unit_price_cents": unit_price_cents,
            "notes": notes,
            "customizations": customizations if customizations is not None else {},
        }
    )
    with transaction.atomic():
        locked = _lock_order(order.pk)
        _ensure_items_editable(locked)
        if OrderItem.objects.filter(order_id=locked.pk).count() >= MAX_ITEMS:
            raise InvalidInput({"order": f"An order holds at most {MAX_ITEMS} items."})
        item = OrderItem.objects.create(order=locked, **data)
        fields = _apply_totals(locked)
        locked.save(update_fields=[*fields, "updated_at"])
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
        for field, value in changes.items():
            setattr(row, field, value)
        row.subtotal_cents = row.quantity * row.unit_price_cents
        row.save(update_fields=[*changes, "subtotal_cents", "updated_at"])
        fields = _apply_totals(locked)
        locked.save(update_fields=[*fields, "updated_at"])
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
        fields = _apply_totals(locked)
        locked.save(update_fields=[*fields, "updated_at"])
