"""Order reads: the API's order representation built from rows, without model instances.

The order list and detail are the hottest reads of the system (every POS terminal polls them).
They fetch plain rows with `values()` — one query for a page of orders with their table number and
waiter name joined, one for all their lines — and build the JSON from those, so no model instance,
no prefetch cache and no per-order queryset clone is made. `order_payload` is the one definition of
the representation: OrderSerializer renders single orders (write responses) through it too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from orders.models import Order, OrderItem, OrderItemModifier
from orders.workflow import allowed_moves, is_editable
from zhilian.api.rows import datetime_text
from zhilian.dates import local_day_bounds
from zhilian.models import ALL_STORES, visible_store
from zhilian.prepared import PreparedValues
from zhilian.sql import local_date

# The order's own columns as the representation names them (key -> row field).
ORDER_COLUMNS = {
    "id": "id",
    "store": "store_id",
    "table": "table_id",
    "table_number": "table_number",
    "waiter": "waiter_id",
    "waiter_name": "waiter_name",
    "order_type": "order_type",
    "sales_channel": "sales_channel",
    "status": "status",
    "customer_name": "customer_name",
    "customer_phone": "customer_phone",
    "guest_count": "guest_count",
    "subtotal_cents": "subtotal_cents",
    "discount_cents": "discount_cents",
    "total_cents": "total_cents",
}
TIMES = ("order_time", "confirmed_at", "preparing_at", "ready_at", "served_at", "completed_at", "cancelled_at")
ROW_FIELDS = (
    *(f for f in ORDER_COLUMNS.values() if f not in ("table_number", "waiter_name")),
    *TIMES,
    "cancel_reason",
    "notes",
    "metadata",
    "created_at",
    "updated_at",
)
LINE_FIELDS = (
    "id",
    "item_code",
    "item_name",
    "quantity",
    "unit_price_cents",
    "subtotal_cents",
    "notes",
    "customizations",
)


def line_payload(line: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(line["id"]),
        "item_code": line["item_code"],
        "item_name": line["item_name"],
        "quantity": line["quantity"],
        "unit_price_cents": line["unit_price_cents"],
        "subtotal_cents": line["subtotal_cents"],
        "notes": line["notes"],
        "customizations": line["customizations"],
    }


def order_payload(row: Mapping[str, Any], lines: list[dict[str, Any]], tz=None) -> dict[str, Any]:
    """The API representation of one order (see OrderSerializer for the field documentation)."""
    tz = tz or (timezone.get_current_timezone() if settings.USE_TZ else None)
    payload = {key: row[field] for key, field in ORDER_COLUMNS.items()}
    status = row["status"]
    return {
        **{key: payload[key] for key in list(ORDER_COLUMNS)[:9]},
        "allowed_transitions": allowed_moves(status),
        "items_editable": is_editable(status),
        **{key: payload[key] for key in list(ORDER_COLUMNS)[9:]},
        **{name: datetime_text(row[name], tz) for name in TIMES},
        "cancel_reason": row["cancel_reason"],
        "notes": row["notes"],
        "metadata": row["metadata"],
        "items": lines,
        "created_at": datetime_text(row["created_at"], tz),
        "updated_at": datetime_text(row["updated_at"], tz),
    }


def instance_row(order: Order) -> dict[str, Any]:
    """An order instance as the row `order_payload` reads."""
    row = {field: getattr(order, field) for field in ROW_FIELDS}
    row["table_number"] = order.table.number if order.table_id else None
    row["waiter_name"] = order.waiter.name if order.waiter_id else None
    return row


def order_rows() -> QuerySet:
    """Every order as a row for `order_payloads`: a lazy values() queryset that the caller scopes
    (`for_user`), filters, orders, and a paginator counts and slices. Built once: resolving its
    columns is a good part of the cost of a detail request."""
    return _ORDER_ROWS.all()


_ORDER_ROWS = Order.objects.values(*ROW_FIELDS, table_number=F("table__number"), waiter_name=F("waiter__name"))
# The detail: the order's row repeated with each of its lines, in one query.
_LINE_COLUMNS = {f"line_{field}": F(f"items__{field}") for field in LINE_FIELDS}
_ORDER_WITH_LINES = _ORDER_ROWS.annotate(**_LINE_COLUMNS).order_by("items__created_at", "items__id")


# The two reads of every POS poll, compiled once and prepared (zhilian.prepared).
_ORDER_DETAIL = PreparedValues(
    lambda order, store=None: _ORDER_WITH_LINES.filter(pk=order, **({} if store is None else {"store_id": store}))
)
_LINES_OF_ORDERS = PreparedValues(
    lambda orders: (
        OrderItem.objects.filter(order_id__in=orders).order_by("created_at", "id").values("order_id", *LINE_FIELDS)
    )
)


def order_detail_payload(*, user, order_id: str) -> dict[str, Any] | None:
    """One order the user may see, with its lines, in one query; None when there is none."""
    store = visible_store(user)
    if store is None:
        return None
    several = isinstance(store, tuple)  # an area manager's stores: checked on the row
    joined = (
        _ORDER_DETAIL(order=str(order_id))
        if store is ALL_STORES or several
        else _ORDER_DETAIL(order=str(order_id), store=store)
    )
    if not joined or several and joined[0]["store_id"] not in store:
        return None
    lines = [line_payload({field: row[f"line_{field}"] for field in LINE_FIELDS}) for row in joined if row["line_id"]]
    return order_payload(joined[0], lines)


def order_payloads(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The representations of the orders in `rows` (one query for all their lines)."""
    rows = list(rows)
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for line in _LINES_OF_ORDERS(orders=[row["id"] for row in rows]):
            lines[line["order_id"]].append(line_payload(line))
    tz = timezone.get_current_timezone() if settings.USE_TZ else None
    return [order_payload(row, lines[row["id"]], tz) for row in rows]


# --- daily figures (the KPIs and the dashboard read these) ------------------------------------------

NOT_CANCELLED = ~Q(status=Order.Status.CANCELLED)
TICKETED = NOT_CANCELLED & Q(confirmed_at__isnull=False, ready_at__isnull=False, ready_at__gte=F("confirmed_at"))


def daily_order_figures(store_ids: Iterable[str], start: dt.date, end: dt.date) -> QuerySet:
    """One row per (store_id, local day) with orders over [start, end] (one grouped query).

    revenue_cents, order_count and guest_count count the orders that are not cancelled;
    table_orders the dine-in ones with a table; ticket_count and ticket_total (a duration, or None)
    the ones with both a confirmed and a ready time.
    """
    lo, hi = local_day_bounds(start, end)
    ticket_time = ExpressionWrapper(F("ready_at") - F("confirmed_at"), output_field=DurationField())
    return (
        Order.objects.filter(store_id__in=store_ids, order_time__gte=lo, order_time__lt=hi)
        .annotate(day=local_date("order_time", start, end))
        .order_by()
        .values("store_id", "day")
        .annotate(
            revenue_cents=Sum("total_cents", filter=NOT_CANCELLED, default=0),
            order_count=Count("pk", filter=NOT_CANCELLED),
            guest_count=Sum("guest_count", filter=NOT_CANCELLED, default=0),
            table_orders=Count("pk", filter=NOT_CANCELLED & Q(order_type=Order.Type.DINE_IN, table__isnull=False)),
            ticket_count=Count("pk", filter=TICKETED),
            ticket_total=Sum(ticket_time, filter=TICKETED),
        )
    )


def daily_dish_sales(store_ids: Iterable[str], start: dt.date, end: dt.date) -> QuerySet:
    """One row per (store_id, local day, dish_id) of the menu dishes sold over [start, end] (one
    grouped query): portions (Σ line quantity) and revenue_cents (Σ line subtotal, before the
    order's discount) over the lines of orders that are not cancelled. Open items have no dish
    and are left out. The food cost reports (menu.selectors) multiply these by the recipes."""
    lo, hi = local_day_bounds(start, end)
    return (
        OrderItem.objects.filter(
            order__store_id__in=store_ids,
            order__order_time__gte=lo,
            order__order_time__lt=hi,
            dish__isnull=False,
        )
        .exclude(order__status=Order.Status.CANCELLED)
        .annotate(store_id=F("order__store_id"), day=local_date("order__order_time", start, end))
        .order_by()
        .values("store_id", "day", "dish_id")
        .annotate(portions=Sum("quantity", default=0), revenue_cents=Sum("subtotal_cents", default=0))
    )


def daily_modifier_sales(store_ids: Iterable[str], start: dt.date, end: dt.date) -> QuerySet:
    """One row per (store_id, local day, dish_id, modifier_id) of the menu modifiers chosen over
    [start, end] (one grouped query): portions = Σ quantity of the lines they were chosen on,
    orders that are not cancelled. With daily_dish_sales this is what was sold: a report adds
    `RecipeBook.modifier_usage_on(modifier_id, day, portions)` to the dishes' usage."""
    lo, hi = local_day_bounds(start, end)
    return (
        OrderItemModifier.objects.filter(
            order_item__order__store_id__in=store_ids,
            order_item__order__order_time__gte=lo,
            order_item__order__order_time__lt=hi,
        )
        .exclude(order_item__order__status=Order.Status.CANCELLED)
        .annotate(
            store_id=F("order_item__order__store_id"),
            day=local_date("order_item__order__order_time", start, end),
            dish_id=F("order_item__dish_id"),
        )
        .order_by()
        .values("store_id", "day", "dish_id", "modifier_id")
        .annotate(portions=Sum("order_item__quantity", default=0))
    )
