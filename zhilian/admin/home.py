"""The admin's landing page for a store manager: today's store, not the list of tables.

Open orders by status, the evening's reservations, who is on shift now, low stock, today's KPIs
against target, unread notifications and the links a manager uses most. The data is the
dashboard's (`dashboard.selectors.dashboard_summary`, the same selector the live dashboard
reads), put into display form here (money and KPI values through zhilian.formatting). Admins keep
Django's index: the chain, app by app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from dashboard.pace import pace_text
from dashboard.selectors import dashboard_summary
from inventory.models import InventoryItem
from kpis.models import KPIRecord
from orders.models import Order
from reservations.models import Reservation
from stores.models import Employee, Store
from zhilian import roles
from zhilian.formatting import format_kpi_value, format_rate, format_yuan

# KPI rows shown with today's live figure rather than their last computation.
LIVE_METRICS = ("revenue", "order_count")
OPEN_STATUSES = ("pending", "confirmed", "preparing", "ready", "served")


def wants_store_home(user) -> bool:
    """Managers (one store) land on their store's day; admins on the chain's index."""
    return bool(user.is_authenticated and user.role == roles.MANAGER and user.store_id)


def _changelist(model, **params: Any) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _on_shift_now(shifts: list[dict[str, Any]], now: dt.time) -> list[dict[str, Any]]:
    current = now.isoformat(timespec="seconds")
    # A night shift ends after midnight (end before start): on from its start to the day's end.
    return [
        s for s in shifts if s["start_time"] <= current < s["end_time"] or (s["end_time"] <= s["start_time"] <= current)
    ]


def store_home_context(request) -> dict[str, Any]:
    user = request.user
    store = Store.objects.get(pk=user.store_id)
    now = timezone.localtime()
    day = now.date()
    summary = dashboard_summary(store=store, day=day, user=user)
    today = {"order_time__gte": day.isoformat(), "order_time__lt": (day + dt.timedelta(days=1)).isoformat()}
    figures = summary["figures"]
    pace = summary["pace"]
    statuses = dict(Order.Status.choices)
    positions = dict(Employee.Position.choices)
    reservation_statuses = dict(Reservation.Status.choices)
    revenue_text = format_yuan(figures["revenue_cents"])
    return {
        "store": store,
        "day": day,
        "revenue": revenue_text,
        "average_check": format_yuan(figures["average_check_cents"]),
        "order_count": figures["order_count"],
        "guest_count": figures["guest_count"],
        # Today so far against the same weekdays by this time (dashboard.pace), as the dashboard.
        "pace": pace
        and {
            "as_of": pace["as_of"],
            "revenue": {**pace["revenue"], "text": pace_text(pace["revenue"], money=True)},
            "covers": {**pace["covers"], "text": pace_text(pace["covers"], money=False)},
            "expected_revenue": format_yuan(pace["revenue"]["expected"])
            if pace["revenue"]["expected"] is not None
            else None,
        },
        "open_orders": [
            {
                "status": status,
                "label": statuses[status],
                "count": summary["orders_by_status"][status],
                "url": _changelist(Order, status__exact=status, **today),
            }
            for status in OPEN_STATUSES
        ],
        "open_order_count": figures["open_order_count"],
        "reservations": [
            {
                **r,
                "time": r["reservation_time"][:5],
                "status_label": reservation_statuses.get(r["status"], r["status"]),
                "url": reverse("admin:reservations_reservation_change", args=[r["id"]]),
                "tables": ", ".join(r["tables"]) or "-",
            }
            for r in summary["reservations"]
            if r["status"] in Reservation.ACTIVE_STATUSES
        ],
        "on_shift": [
            {**s, "position_label": positions.get(s["position"], s["position"]), "until": s["end_time"][:5]}
            for s in _on_shift_now(summary["shifts"], now.time())
        ],
        "shift_count": len(summary["shifts"]),
        "low_stock": [
            {
                **item,
                "status_label": InventoryItem.Status(item["status"]).label,
                "url": reverse("admin:inventory_inventoryitem_change", args=[item["id"]]),
            }
            for item in summary["low_stock"]
        ],
        "kpis": [
            {
                **k,
                # Revenue and order count live, as the figures above (one revenue on the page).
                "live": k["metric"] in LIVE_METRICS,
                "value_text": format_kpi_value(k["value"], k["unit"])
                if k["metric"] not in LIVE_METRICS
                else (revenue_text if k["metric"] == "revenue" else str(figures["order_count"])),
                "target_text": format_kpi_value(k["target_value"], k["unit"]) if k["target_value"] else "-",
                "achievement_text": format_rate(k["achievement_rate"]),
                "status_label": KPIRecord.Status(k["status"]).label,
            }
            for k in summary["kpis"]
        ],
        "unread_notifications": summary["unread_notifications"],
        "urls": {
            "new_order": reverse("admin:orders_order_add"),
            "orders_today": _changelist(Order, **today),
            "open_orders": _changelist(Order, **today),
            "new_reservation": reverse("admin:reservations_reservation_add"),
            "reservations": _changelist(Reservation),
            "inventory": _changelist(InventoryItem),
            "record_stock": reverse("admin:inventory_inventorytransaction_add"),
            "schedules": reverse("admin:scheduling_schedule_week"),  # the week grid
            "kpis": _changelist(KPIRecord, record_date=day.isoformat()),
            "notifications": reverse("admin:notifications_notification_changelist"),
            "dashboard": reverse("dashboard"),
            "reservation_book": reverse("admin:reservations_reservation_book"),
            "floor": reverse("admin:reservations_reservation_floor"),
        },
    }
