"""The dashboard read model: what the live dashboard shows for a store and day.

The one place that reads every domain at once. It returns model instances and plain figures;
`dashboard.serializers.DashboardSerializer` renders them (the contract: docs/api.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from inventory.models import InventoryItem
from kpis.models import KPIRecord
from notifications.models import Notification
from orders.models import Order
from orders.selectors import NOT_CANCELLED, daily_order_figures
from reservations.models import Reservation
from scheduling.models import Shift
from stores.models import Store
from zhilian.dates import days_between, local_day_bounds

OPEN_EXCLUDED = (Order.Status.COMPLETED, Order.Status.CANCELLED)
LOW_STATUSES = (InventoryItem.Status.LOW, InventoryItem.Status.CRITICAL, InventoryItem.Status.OUT_OF_STOCK)
DASHBOARD_OPEN_ORDERS = 200
DASHBOARD_DAYS = 14


def dashboard_summary(*, store: Store, day: dt.date, user) -> dict[str, Any]:
    """Everything the dashboard shows for `store` on `day`, as `DashboardSerializer` reads it.

    A fixed number of queries whatever the row counts (about ten), all run here.
    """
    lo, hi = local_day_bounds(day)
    day_orders = Order.objects.filter(store=store, order_time__gte=lo, order_time__lt=hi)

    by_status = {s: Count("pk", filter=Q(status=s)) for s in Order.Status.values}
    totals = day_orders.order_by().aggregate(
        revenue_cents=Sum("total_cents", filter=NOT_CANCELLED, default=0),
        order_count=Count("pk", filter=NOT_CANCELLED),
        guest_count=Sum("guest_count", filter=NOT_CANCELLED, default=0),
        open_order_count=Count("pk", filter=~Q(status__in=OPEN_EXCLUDED)),
        **{f"status_{s}": c for s, c in by_status.items()},
    )
    order_count = totals["order_count"]
    revenue_cents = int(totals["revenue_cents"])

    first = day - dt.timedelta(days=DASHBOARD_DAYS - 1)
    daily = {row["day"]: row for row in daily_order_figures([store.pk], first, day)}

    return {
        "store": store,
        "date": day,
        "figures": {
            "revenue_cents": revenue_cents,
            "order_count": order_count,
            "average_check_cents": int((Decimal(revenue_cents) / order_count).quantize(Decimal(1), ROUND_HALF_UP))
            if order_count
            else 0,
            "guest_count": int(totals["guest_count"]),
            "open_order_count": totals["open_order_count"],
        },
        "kpis": list(
            KPIRecord.objects.filter(store=store, record_date=day, kpi__is_active=True)
            .select_related("kpi")
            .order_by("kpi__category", "kpi_id")
        ),
        "revenue_14d": [
            {
                "date": d,
                "revenue_cents": int(daily[d]["revenue_cents"]) if d in daily else 0,
                "order_count": daily[d]["order_count"] if d in daily else 0,
            }
            for d in days_between(first, day)
        ],
        "orders_by_status": {s: totals[f"status_{s}"] for s in Order.Status.values},
        "open_orders": list(
            day_orders.exclude(status__in=OPEN_EXCLUDED)
            .select_related("table")
            .order_by("order_time", "pk")[:DASHBOARD_OPEN_ORDERS]
        ),
        "reservations": list(
            Reservation.objects.filter(store=store, reservation_date=day)
            .prefetch_related("tables")
            .order_by("reservation_time", "pk")
        ),
        # Staff see only published shifts: the scoping helper decides.
        "shifts": list(
            Shift.objects.for_user(user)
            .filter(schedule__store=store, schedule__schedule_date=day)
            .select_related("employee")
            .order_by("start_time", "employee_id")
        ),
        "low_stock": list(
            InventoryItem.objects.filter(store=store, is_active=True, status__in=LOW_STATUSES).order_by(
                "status", "name"
            )
        ),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
