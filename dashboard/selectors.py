"""The dashboard read model: what the live dashboard shows for a store and day.

The one place that reads every domain at once. It answers the response itself, built from plain
rows (`values()`) the way the order list is (orders/selectors.py): no model instance, no prefetch
cache, no serializer walking fields per row. `dashboard.serializers.DashboardSerializer` declares
the same response for the schema (the contract: docs/api.md), and a guard test holds the two
equal (dashboard/tests/test_dashboard.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from dashboard.pace import today_pace
from inventory.models import InventoryItem
from kpis.metrics import KPI_ACTUAL_FOOD_COST, theoretical_food_cost
from kpis.models import KPIRecord, localized_kpi_name
from menu.reports import daily_recipe_cost
from notifications.models import Notification
from orders.models import Order, OrderItem
from orders.selectors import NOT_CANCELLED
from reservations.models import Reservation
from scheduling.models import Shift
from stores.models import Store
from zhilian.api.rows import datetime_text
from zhilian.dates import days_between, local_day_bounds
from zhilian.sql import local_date

OPEN_EXCLUDED = (Order.Status.COMPLETED, Order.Status.CANCELLED)
LOW_STATUSES = (InventoryItem.Status.LOW, InventoryItem.Status.CRITICAL, InventoryItem.Status.OUT_OF_STOCK)
DASHBOARD_OPEN_ORDERS = 200
DASHBOARD_DAYS = 14
# The dish ranking: the best sellers of the day and of the 7 days ending on it, top 10 each.
RANKING_DAYS = 7
RANKING_SIZE = 10

# Per local day of the 14: the revenue chart's figures, and for the day shown its totals and its
# count per status. One grouped query over the (store, order_time) index instead of a day
# aggregate plus the 14-day figures of the KPIs (orders.selectors.daily_order_figures), which also
# sums ticket times and table orders nobody shows here.
DAY_FIGURES = {
    "revenue_cents": Sum("total_cents", filter=NOT_CANCELLED, default=0),
    "order_count": Count("pk", filter=NOT_CANCELLED),
    "guest_count": Sum("guest_count", filter=NOT_CANCELLED, default=0),
    "open_order_count": Count("pk", filter=~Q(status__in=OPEN_EXCLUDED)),
    **{f"status_{s}": Count("pk", filter=Q(status=s)) for s in Order.Status.values},
}
NO_ORDERS = dict.fromkeys(DAY_FIGURES, 0)

# The columns each part shows (key -> row field), in the response's key order.
KPI_FIELDS = {
    "kpi": "kpi_id",
    "name": "kpi__name",
    "metric": "kpi__metric",
    "unit": "kpi__unit",
    "category": "kpi__category",
    "direction": "kpi__direction",
}
KPI_DECIMALS = ("value", "target_value", "achievement_rate", "change_rate")
OPEN_ORDER_FIELDS = ("id", "status", "order_type", "table__number", "customer_name", "total_cents", "order_time")
RESERVATION_FIELDS = ("id", "customer_name", "party_size", "reservation_time", "status", "reservation_type")
SHIFT_FIELDS = (
    "id",
    "employee_id",
    "employee__name",
    "position",
    "shift_type",
    "start_time",
    "end_time",
    "is_confirmed",
)
LOW_STOCK_FIELDS = ("id", "name", "unit", "current_quantity", "min_quantity", "status")


def _decimal(value: Decimal | None) -> str | None:
    # Decimals as the database holds them (their own places), like every decimal of the API.
    return None if value is None else str(value)


def _day_figures(store: Store, first: dt.date, day: dt.date) -> dict[dt.date, dict[str, Any]]:
    lo, hi = local_day_bounds(first, day)
    rows = (
        Order.objects.filter(store=store, order_time__gte=lo, order_time__lt=hi)
        .annotate(day=local_date("order_time", first, day))
        .order_by()
        .values("day")
        .annotate(**DAY_FIGURES)
    )
    return {row["day"]: row for row in rows}


def _kpis(store: Store, day: dt.date) -> list[dict[str, Any]]:
    rows = (
        KPIRecord.objects.filter(store=store, record_date=day, kpi__is_active=True)
        .order_by("kpi__category", "kpi_id")
        .values(*KPI_FIELDS.values(), "kpi__name_zh", *KPI_DECIMALS, "status", "trend")
    )
    # The shape of kpis.events.record_payload (the `kpi.updated` event's records).
    return [
        {
            **{key: row[field] for key, field in KPI_FIELDS.items()},
            "name": localized_kpi_name(row["kpi__name"], row["kpi__name_zh"]),
            **{name: _decimal(row[name]) for name in KPI_DECIMALS},
            "status": row["status"],
            "trend": row["trend"],
        }
        for row in rows
    ]


def _open_orders(store: Store, lo: dt.datetime, hi: dt.datetime, tz) -> list[dict[str, Any]]:
    rows = (
        Order.objects.filter(store=store, order_time__gte=lo, order_time__lt=hi)
        .exclude(status__in=OPEN_EXCLUDED)
        .order_by("order_time", "pk")
        .values(*OPEN_ORDER_FIELDS)[:DASHBOARD_OPEN_ORDERS]
    )
    return [
        {
            "id": row["id"],
            "status": row["status"],
            "order_type": row["order_type"],
            "table": row["table__number"],
            "customer_name": row["customer_name"],
            "total_cents": row["total_cents"],
            "order_time": datetime_text(row["order_time"], tz),
        }
        for row in rows
    ]


def _reservations(store: Store, day: dt.date) -> list[dict[str, Any]]:
    # One row per (reservation, table), in one query: the tables joined, not prefetched.
    rows = (
        Reservation.objects.filter(store=store, reservation_date=day)
        .order_by("reservation_time", "pk")
        .values(*RESERVATION_FIELDS, table_number=F("tables__number"))
    )
    tables: dict[str, list[str]] = defaultdict(list)
    reservations: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["id"] not in reservations:
            reservations[row["id"]] = {
                "id": row["id"],
                "customer_name": row["customer_name"],
                "party_size": row["party_size"],
                "reservation_time": row["reservation_time"].isoformat(),
                "status": row["status"],
                "reservation_type": row["reservation_type"],
                "tables": tables[row["id"]],
            }
        if row["table_number"] is not None:
            tables[row["id"]].append(row["table_number"])
    for numbers in tables.values():
        numbers.sort()
    return list(reservations.values())


def _shifts(store: Store, day: dt.date, user) -> list[dict[str, Any]]:
    # Staff see only published shifts: the scoping helper decides.
    rows = (
        Shift.objects.for_user(user)
        .filter(schedule__store=store, schedule__schedule_date=day)
        .order_by("start_time", "employee_id")
        .values(*SHIFT_FIELDS)
    )
    return [
        {
            "id": str(row["id"]),
            "employee": row["employee_id"],
            "employee_name": row["employee__name"],
            "position": row["position"],
            "shift_type": row["shift_type"],
            "start_time": row["start_time"].isoformat(),
            "end_time": row["end_time"].isoformat(),
            "is_confirmed": row["is_confirmed"],
        }
        for row in rows
    ]


def _low_stock(store: Store) -> list[dict[str, Any]]:
    rows = (
        InventoryItem.objects.filter(store=store, is_active=True, status__in=LOW_STATUSES)
        .order_by("status", "name")
        .values(*LOW_STOCK_FIELDS)
    )
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "unit": row["unit"],
            "current_quantity": str(row["current_quantity"]),
            "min_quantity": str(row["min_quantity"]),
            "status": row["status"],
        }
        for row in rows
    ]


def _food_cost(store: Store, day: dt.date, revenue_cents: int) -> dict[str, Any]:
    """Theoretical food cost % of the day, live (the KPI's own computation, kpis.metrics), the
    latest actual food cost % recorded (a stock count period ending on or before the day) and the
    gap between them in percentage points."""
    cost, _revenue = daily_recipe_cost([store.pk], day, day).get((store.pk, day), (Decimal(0), 0))
    cost_cents, theoretical = theoretical_food_cost(cost, revenue_cents)
    actual = (
        KPIRecord.objects.filter(store=store, kpi_id=KPI_ACTUAL_FOOD_COST, record_date__lte=day)
        .order_by("-record_date")
        .values("record_date", "value", "metadata")
        .first()
    )
    gap = None
    if actual is not None:
        # Against the theoretical % of the actual's own period when its record carries one.
        period_theoretical = (actual["metadata"] or {}).get("theoretical_percent")
        base = Decimal(period_theoretical) if period_theoretical is not None else theoretical
        gap = actual["value"] - base
    return {
        "theoretical_percent": _decimal(theoretical) if revenue_cents else None,
        "recipe_cost_cents": cost_cents,
        "actual_percent": None if actual is None else _decimal(actual["value"]),
        "actual_date": None if actual is None else actual["record_date"].isoformat(),
        "gap_points": None if gap is None or not revenue_cents else _decimal(gap),
    }


def _dish_ranking(store: Store, day: dt.date) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The best-selling dishes of the day and of the last 7 days, by quantity and by revenue (line
    subtotals; open items and cancelled orders left out): one grouped query, ranked over its
    per-dish rows."""
    lo, hi = local_day_bounds(day - dt.timedelta(days=RANKING_DAYS - 1), day)
    today = Q(order__order_time__gte=local_day_bounds(day)[0])
    rows = list(
        OrderItem.objects.filter(
            order__store=store, order__order_time__gte=lo, order__order_time__lt=hi, dish__isnull=False
        )
        .exclude(order__status=Order.Status.CANCELLED)
        .order_by()
        .values("dish_id", "dish__code", "dish__name_zh", "dish__name_en")
        .annotate(
            week_quantity=Sum("quantity"),
            week_revenue=Sum("subtotal_cents"),
            day_quantity=Sum("quantity", filter=today, default=0),
            day_revenue=Sum("subtotal_cents", filter=today, default=0),
        )
    )

    def top(period: str, by: str) -> list[dict[str, Any]]:
        quantity, revenue = f"{period}_quantity", f"{period}_revenue"
        sold = [r for r in rows if r[quantity]]
        sold.sort(key=lambda r: (-r[f"{period}_{by}"], -r[revenue if by == "quantity" else quantity], r["dish__code"]))
        return [
            {
                "dish": str(r["dish_id"]),
                "code": r["dish__code"],
                "name_zh": r["dish__name_zh"],
                "name_en": r["dish__name_en"],
                "quantity": int(r[quantity]),
                "revenue_cents": int(r[revenue]),
            }
            for r in sold[:RANKING_SIZE]
        ]

    return {
        "today": {"by_quantity": top("day", "quantity"), "by_revenue": top("day", "revenue")},
        "last_7_days": {"by_quantity": top("week", "quantity"), "by_revenue": top("week", "revenue")},
    }


def dashboard_summary(*, store: Store, day: dt.date, user) -> dict[str, Any]:
    """Everything the dashboard shows for `store` on `day`: the response itself, as
    `DashboardSerializer` declares it (dates and times as ISO text, decimals as text).

    A fixed number of queries whatever the row counts (at most fourteen), all run here. For
    today the day so far is judged against the same weekdays by this time (`pace`, one query);
    other days have none.
    """
    lo, hi = local_day_bounds(day)
    first = day - dt.timedelta(days=DASHBOARD_DAYS - 1)
    daily = _day_figures(store, first, day)
    totals = daily.get(day, NO_ORDERS)
    order_count = totals["order_count"]
    revenue_cents = int(totals["revenue_cents"])
    tz = timezone.get_current_timezone() if settings.USE_TZ else None

    return {
        "store": {"id": store.pk, "name": store.name},
        "date": day.isoformat(),
        "figures": {
            "revenue_cents": revenue_cents,
            "order_count": order_count,
            "average_check_cents": int((Decimal(revenue_cents) / order_count).quantize(Decimal(1), ROUND_HALF_UP))
            if order_count
            else 0,
            "guest_count": int(totals["guest_count"]),
            "open_order_count": totals["open_order_count"],
        },
        "kpis": _kpis(store, day),
        "revenue_14d": [
            {
                "date": d.isoformat(),
                "revenue_cents": int(daily[d]["revenue_cents"]) if d in daily else 0,
                "order_count": daily[d]["order_count"] if d in daily else 0,
            }
            for d in days_between(first, day)
        ],
        "orders_by_status": {s: totals[f"status_{s}"] for s in Order.Status.values},
        "open_orders": _open_orders(store, lo, hi, tz),
        "reservations": _reservations(store, day),
        "shifts": _shifts(store, day, user),
        "low_stock": _low_stock(store),
        "food_cost": _food_cost(store, day, revenue_cents),
        "dish_ranking": _dish_ranking(store, day),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "pace": today_pace(store=store) if day == timezone.localdate() else None,
    }
