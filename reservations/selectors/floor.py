"""The floor of a store now (the admin's floor view and GET /api/v1/floor/): each active table
free, reserved soon, seated or needing clearing, from its reservations and dine-in orders.

The states, first match wins:

- ``seated``: an open dine-in order on the table (pending … served), or a reservation of today
  in status seated;
- ``clearing``: no one seated, but an order on the table was completed, or a reservation on it
  completed, within the last CLEAR_MINUTES: the guests have paid and left, the table is not
  reset yet. The completion time is the honest signal we have; the state lapses by itself after
  CLEAR_MINUTES (there is no "cleared" record to write, so no manual action either);
- ``soon``: a booking that holds the table (pending, confirmed, arrived) starts within
  SOON_MINUTES, or has started and the party is not seated yet;
- ``free``.

Three queries whatever the number of tables, orders and reservations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from orders.models import Order
from reservations.models import Reservation, ReservationTable
from reservations.selectors.book import KIND_ORDER
from stores.models import Store, Table

SOON_MINUTES = 30
CLEAR_MINUTES = 10
FLOOR_STATES = ("free", "soon", "seated", "clearing")
OPEN_ORDER_STATUSES = (
    Order.Status.PENDING,
    Order.Status.CONFIRMED,
    Order.Status.PREPARING,
    Order.Status.READY,
    Order.Status.SERVED,
)
S = Reservation.Status
WAITING = (S.PENDING, S.CONFIRMED, S.ARRIVED)


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def floor_state(
    *,
    store: Store,
    now: dt.datetime | None = None,
    soon_minutes: int = SOON_MINUTES,
    clear_minutes: int = CLEAR_MINUTES,
) -> dict[str, Any]:
    """``{"store", "at", "soon_minutes", "clear_minutes", "counts", "tables"}``; each table with
    its ``state``, the open or last ``order`` and the current or next ``reservation``."""
    now = now or timezone.now()
    soon_until = now + dt.timedelta(minutes=soon_minutes)
    clear_since = now - dt.timedelta(minutes=clear_minutes)
    today = timezone.localdate(now)
    tables = list(
        Table.objects.filter(store=store, is_active=True).values("id", "number", "capacity", "kind", "room_name")
    )
    tables.sort(key=lambda t: (KIND_ORDER.get(t["kind"], 9), t["room_name"], len(t["number"]), t["number"]))

    orders: dict = {}
    for order in (
        Order.objects.filter(store=store, table__isnull=False, order_type=Order.Type.DINE_IN)
        .filter(Q(status__in=OPEN_ORDER_STATUSES) | Q(status=Order.Status.COMPLETED, completed_at__gte=clear_since))
        .order_by("order_time")
        .values("id", "table_id", "status", "guest_count", "order_time", "completed_at")
    ):
        # An open order wins over a completed one; a later one over an earlier one.
        held = orders.get(order["table_id"])
        if held is None or order["status"] != Order.Status.COMPLETED or held["status"] == Order.Status.COMPLETED:
            orders[order["table_id"]] = order

    held_by: dict = {}
    for link in (
        ReservationTable.objects.filter(reservation__store=store)
        .filter(
            Q(reservation__status=S.SEATED, reservation__reservation_date=today)
            | Q(reservation__status__in=WAITING, reservation__starts_at__lt=soon_until, reservation__ends_at__gt=now)
            | Q(reservation__status=S.COMPLETED, reservation__completed_at__gte=clear_since)
        )
        .order_by("reservation__starts_at")
        .values(
            "table_id",
            "reservation_id",
            "reservation__customer_name",
            "reservation__party_size",
            "reservation__status",
            "reservation__starts_at",
            "reservation__ends_at",
            "reservation__completed_at",
        )
    ):
        res = {
            "id": link["reservation_id"],
            "customer_name": link["reservation__customer_name"],
            "party_size": link["reservation__party_size"],
            "status": link["reservation__status"],
            "starts_at": link["reservation__starts_at"],
            "ends_at": link["reservation__ends_at"],
            "completed_at": link["reservation__completed_at"],
        }
        held_by.setdefault(link["table_id"], []).append(res)

    counts = dict.fromkeys(FLOOR_STATES, 0)
    out = []
    for table in tables:
        order = orders.get(table["id"])
        reservations = held_by.get(table["id"], [])
        seated = next((r for r in reservations if r["status"] == S.SEATED), None)
        waiting = next((r for r in reservations if r["status"] in WAITING), None)
        finished = next((r for r in reversed(reservations) if r["status"] == S.COMPLETED), None)
        open_order = order if order and order["status"] != Order.Status.COMPLETED else None
        if open_order or seated:
            state = "seated"
        elif order or finished:
            state = "clearing"
        elif waiting:
            state = "soon"
        else:
            state = "free"
        counts[state] += 1
        shown = seated or waiting or finished
        out.append(
            {
                "id": str(table["id"]),
                "number": table["number"],
                "capacity": table["capacity"],
                "kind": table["kind"],
                "room_name": table["room_name"],
                "state": state,
                "order": {
                    "id": order["id"],
                    "status": order["status"],
                    "guest_count": order["guest_count"],
                    "order_time": _iso(order["order_time"]),
                    "completed_at": _iso(order["completed_at"]),
                }
                if order
                else None,
                "reservation": {
                    "id": shown["id"],
                    "customer_name": shown["customer_name"],
                    "party_size": shown["party_size"],
                    "status": shown["status"],
                    "starts_at": _iso(shown["starts_at"]),
                    "ends_at": _iso(shown["ends_at"]),
                    "minutes_to_start": max(int((shown["starts_at"] - now).total_seconds() // 60), 0),
                }
                if shown
                else None,
            }
        )
    return {
        "store": store.pk,
        "at": _iso(now),
        "soon_minutes": soon_minutes,
        "clear_minutes": clear_minutes,
        "counts": counts,
        "tables": out,
    }
