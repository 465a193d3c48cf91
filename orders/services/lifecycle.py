"""Creating orders and moving them along the workflow (docs/architecture.md, Orders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_  # noqa: N812

from menu.services import (
    deduct_at_status,
    order_item_modifier_rows,
    order_lines_from_menu,
    order_stock_deduct,
    order_stock_restore,
)
from notifications.models import Notification
from notifications.services import notification_create, store_managers
from notifications.texts import message
from orders.models import Order, OrderItem, OrderItemModifier
from orders.services.common import (
    CREATE_FIELDS,
    MAX_ITEMS,
    S,
    _check_relations,
    _clean_item,
    _discount_error,
    _lock_order,
    order_event_data,
)
from orders.workflow import STATUS_TIMESTAMP, allowed_moves
from zhilian import events, roles
from zhilian.audit import CREATE, audit_record
from zhilian.errors import Forbidden, InvalidInput, InvalidTransition
from zhilian.models import next_daily_value


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


def order_create(
    *, store, items: list[dict[str, Any]], user=None, send_to_kitchen: bool = False, **fields: Any
) -> Order:
    """Create a pending order with its items; the ID and the totals are the server's.

    `fields` are the order's own fields (table, waiter, order_type, sales_channel, customer_name,
    customer_phone, guest_count, discount_cents, order_time, notes, metadata). ID day = the local
    date of `order_time` (now when omitted). `send_to_kitchen` (a counter POS that fires the order
    as it takes it) then confirms it and moves it to preparing in the same transaction, through
    the same guarded moves as `order_transition` (stamps, stock deduction, audit, events): all of
    it happens or, when a move is refused (short stock), none of it.
    """
    unknown = set(fields) - CREATE_FIELDS
    if unknown:
        raise TypeError(f"order_create got unknown fields: {sorted(unknown)}")
    if send_to_kitchen and user is not None and not roles.can(user, "transition", "orders.order"):
        raise Forbidden("You may not move orders along the workflow.")
    if not items:
        raise InvalidInput({"items": "An order needs at least one item."})
    if len(items) > MAX_ITEMS:
        raise InvalidInput({"items": f"An order holds at most {MAX_ITEMS} items."})
    fields.setdefault("order_time", timezone.now())
    _check_order_time(fields["order_time"])
    # Dish codes take their name and price from the store's menu; other lines must be flagged
    # open items (menu.services).
    priced = order_lines_from_menu(store=store, items=items, day=timezone.localdate(fields["order_time"]), user=user)
    rows_data = []
    chosen: list[list] = []  # per line, the menu modifiers chosen on it
    for index, item in enumerate(priced):
        menu_link = {"dish_id": item.pop("dish_id"), "is_open_item": item.pop("is_open_item")}
        chosen.append(item.pop("chosen_modifiers"))
        try:
            rows_data.append({**_clean_item(item), **menu_link})
        except InvalidInput as exc:
            raise InvalidInput({f"items[{index}].{k}": v for k, v in exc.errors.items()}) from exc
    _check_relations(store.pk, fields)
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
        modifier_rows = [m for row, mods in zip(rows, chosen, strict=True) for m in order_item_modifier_rows(row, mods)]
        if modifier_rows:
            OrderItemModifier.objects.bulk_create(modifier_rows)
        audit_record(
            actor=user,
            instance=order,
            event="order.create",
            action=CREATE,
            changes={"status": (None, order.status), "total_cents": (None, order.total_cents)},
            items=len(rows),
        )
        events.publish(
            "order.created",
            store_id=store.pk,
            data={**order_event_data(order), "item_count": sum(r.quantity for r in rows)},
        )
        if send_to_kitchen:
            # The order is this transaction's own (inserted above): no lock to take.
            for status in (S.CONFIRMED, S.PREPARING):
                _move(order, status=status, reason="", user=user, at=None)
    return order


# --- the workflow ----------------------------------------------------------------------------


def _move(locked: Order, *, status: str, reason: str, user, at: dt.datetime | None) -> list[str]:
    """The guarded move itself, on an order this transaction holds (locked, or just created):
    check the move, stamp it, save, take or put back stock, audit, announce. Returns the fields
    it wrote."""
    previous = locked.status
    allowed = allowed_moves(previous)
    if status not in allowed:
        raise InvalidTransition(
            f"Order {locked.pk} cannot move from {previous} to {status}; "
            + (f"it can move to: {', '.join(allowed)}." if allowed else "it is closed."),
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
    # Stock follows sales, in this transaction: the dish lines' recipes leave stock when the
    # order reaches the kitchen, and come back if it is cancelled after that.
    if status == deduct_at_status():
        order_stock_deduct(order=locked, user=user, at=stamp)
    elif status == S.CANCELLED:
        order_stock_restore(order=locked, user=user, at=stamp)
    audit_record(
        actor=user,
        instance=locked,
        event="order.transition",
        changes={"status": (previous, status)},
        reason=reason,
    )

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
            title=message(N_("Order %(order)s cancelled"), order=locked.pk),  # in the reader's language
            body=reason,
            store_id=locked.store_id,
            data={"order": locked.pk, "from": previous, "to": status, "total_cents": locked.total_cents},
        )
    return update_fields


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
        update_fields = _move(locked, status=status, reason=reason, user=user, at=at)

    for field in update_fields:
        setattr(order, field, getattr(locked, field))
    return locked
