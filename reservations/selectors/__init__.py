"""Read-only questions about a store's tables and reservations: which tables are busy or free
for a slot, and which ones auto-assignment would take (docs/architecture.md: multi-table reads
live in selectors); and the reservation list built from rows, without model instances (like
orders.selectors)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reservations.availability import COMBINATION_LIMIT, preferred_kinds, table_combinations
from reservations.models import Reservation, ReservationTable
from stores.models import Store, Table
from zhilian.api.rows import datetime_text
from zhilian.errors import Unavailable

Type = Reservation.Type

# --- the reservation list from rows --------------------------------------------------------------

# ReservationSerializer's fields in its order, "tables" (one query for a page) after "store".
RESERVATION_FIELDS = (
    "id",
    "store_id",
    "customer_name",
    "customer_phone",
    "customer_email",
    "reservation_type",
    "reservation_date",
    "reservation_time",
    "duration_minutes",
    "party_size",
    "room_name",
    "status",
    "special_requests",
    "dietary_restrictions",
    "banquet_details",
    "estimated_budget_cents",
    "deposit_cents",
    "notes",
    "starts_at",
    "ends_at",
    "confirmed_at",
    "arrival_time",
    "seated_at",
    "completed_at",
    "cancelled_at",
    "no_show_at",
    "cancel_reason",
    "created_by_id",
    "created_at",
    "updated_at",
)
RESERVATION_TIMES = (
    "starts_at",
    "ends_at",
    "confirmed_at",
    "arrival_time",
    "seated_at",
    "completed_at",
    "cancelled_at",
    "no_show_at",
)
# No select_related("store"): the list shows the store's id only, which the reservation row holds.
_RESERVATION_ROWS = Reservation.objects.values(*RESERVATION_FIELDS)
_TABLE_ROWS = ReservationTable.objects.order_by("table__number").values(
    "reservation_id", "table_id", "table__number", "table__capacity", "table__kind", "table__room_name"
)


def reservation_rows() -> QuerySet:
    """Every reservation as a row for `reservation_payloads`: a lazy values() queryset that the
    caller scopes (`for_user`), filters, orders and a paginator counts and slices."""
    return _RESERVATION_ROWS.all()


def reservation_payloads(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API representation of the reservations in `rows` (ReservationSerializer's, field for
    field), with their tables by number (one query for all of them)."""
    rows = list(rows)
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for link in _TABLE_ROWS.filter(reservation_id__in=[row["id"] for row in rows]):
            # reservations.serializers.ReservedTableField's shape.
            tables[link["reservation_id"]].append(
                {
                    "id": str(link["table_id"]),
                    "number": link["table__number"],
                    "capacity": link["table__capacity"],
                    "kind": link["table__kind"],
                    "room_name": link["table__room_name"],
                }
            )
    tz = timezone.get_current_timezone() if settings.USE_TZ else None
    return [
        {
            "id": row["id"],
            "store": row["store_id"],
            "tables": tables[row["id"]],
            "customer_name": row["customer_name"],
            "customer_phone": row["customer_phone"],
            "customer_email": row["customer_email"],
            "reservation_type": row["reservation_type"],
            "reservation_date": row["reservation_date"].isoformat(),
            "reservation_time": row["reservation_time"].isoformat(),
            "duration_minutes": row["duration_minutes"],
            "party_size": row["party_size"],
            "room_name": row["room_name"],
            "status": row["status"],
            "special_requests": row["special_requests"],
            "dietary_restrictions": row["dietary_restrictions"],
            "banquet_details": row["banquet_details"],
            "estimated_budget_cents": row["estimated_budget_cents"],
            "deposit_cents": row["deposit_cents"],
            "notes": row["notes"],
            **{name: datetime_text(row[name], tz) for name in RESERVATION_TIMES},
            "cancel_reason": row["cancel_reason"],
            "created_by": None if row["created_by_id"] is None else str(row["created_by_id"]),
            "created_at": datetime_text(row["created_at"], tz),
            "updated_at": datetime_text(row["updated_at"], tz),
        }
        for row in rows
    ]


def busy_table_ids(
    *, store_id: str, starts_at: dt.datetime, ends_at: dt.datetime, table_ids=None, exclude_id: str | None = None
) -> set:
    """Tables held by an active reservation overlapping [starts_at, ends_at): ONE query."""
    links = ReservationTable.objects.filter(
        reservation__store_id=store_id,
        reservation__status__in=Reservation.ACTIVE_STATUSES,
        reservation__starts_at__lt=ends_at,
        reservation__ends_at__gt=starts_at,
    )
    if table_ids is not None:
        links = links.filter(table_id__in=table_ids)
    if exclude_id:
        links = links.exclude(reservation_id=exclude_id)
    return set(links.values_list("table_id", flat=True))


def reservation_availability(
    *,
    store: Store,
    day: dt.date,
    time: dt.time,
    party_size: int,
    duration_minutes: int = 120,
    kinds: Iterable[str] | None = None,
    room_name: str = "",
    exclude_id: str | None = None,
) -> dict[str, list]:
    """Free tables of the store for the slot.

    ``tables``: free tables that seat the party alone, smallest first. ``combinations``: lists
    of free tables of one area (same kind and room) that seat the party only when joined,
    fewest tables and least waste first, at most COMBINATION_LIMIT. Two queries: the store's
    active tables and the ids of the busy ones.
    """
    starts_at, ends_at = Reservation.bounds(day, time, duration_minutes)
    candidates = Table.objects.filter(store=store, is_active=True).order_by("capacity", "number")
    if kinds is not None:
        candidates = candidates.filter(kind__in=list(kinds))
    if room_name:
        candidates = candidates.filter(room_name=room_name)
    busy = busy_table_ids(store_id=store.pk, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id)
    free = [t for t in candidates if t.pk not in busy]
    alone = [t for t in free if t.capacity >= party_size]
    areas: dict[tuple[str, str], list[Table]] = defaultdict(list)
    for table in free:
        if table.capacity < party_size:
            areas[(table.kind, table.room_name)].append(table)
    combinations = sorted(
        itertools.chain.from_iterable(table_combinations(group, party_size) for group in areas.values()),
        key=lambda combo: (len(combo), sum(t.capacity for t in combo), [t.number for t in combo]),
    )[:COMBINATION_LIMIT]
    return {"tables": alone, "combinations": combinations}


def reservation_best_fit(
    *,
    store: Store,
    day: dt.date,
    time: dt.time,
    party_size: int,
    duration_minutes: int,
    reservation_type: str = Type.REGULAR,
    room_name: str = "",
    exclude_id: str | None = None,
) -> list[Table]:
    """The tables auto-assignment would take: the smallest fitting table, else the best combination."""
    for kinds in preferred_kinds(reservation_type):
        found = reservation_availability(
            store=store,
            day=day,
            time=time,
            party_size=party_size,
            duration_minutes=duration_minutes,
            kinds=kinds,
            room_name=room_name if reservation_type == Type.PRIVATE_ROOM else "",
            exclude_id=exclude_id,
        )
        if found["tables"]:
            return [found["tables"][0]]
        if found["combinations"]:
            return found["combinations"][0]
    raise Unavailable(
        _("No free table fits a party of %(party)d at that time.") % {"party": party_size}, code="unavailable"
    )


# --- daily figures (the KPIs read these) -------------------------------------------------------------

# Reservations whose outcome is known; pending, confirmed and cancelled ones are not.
RESOLVED = (
    Reservation.Status.ARRIVED,
    Reservation.Status.SEATED,
    Reservation.Status.COMPLETED,
    Reservation.Status.NO_SHOW,
)


def daily_reservation_figures(store_ids, start: dt.date, end: dt.date):
    """One row per (store_id, reservation_date) over [start, end] (one grouped query): total,
    resolved (outcome known) and no_shows."""
    return (
        Reservation.objects.filter(store_id__in=store_ids, reservation_date__range=(start, end))
        .order_by()
        .values("store_id", "reservation_date")
        .annotate(
            total=Count("pk"),
            resolved=Count("pk", filter=Q(status__in=RESOLVED)),
            no_shows=Count("pk", filter=Q(status=Reservation.Status.NO_SHOW)),
        )
    )


# The day view's grid and the floor of now (reservations/admin_book.py, the floor API).
from reservations.selectors.book import reservation_book_grid  # noqa: E402
from reservations.selectors.floor import floor_state  # noqa: E402

__all__ = [
    "busy_table_ids",
    "daily_reservation_figures",
    "floor_state",
    "reservation_availability",
    "reservation_best_fit",
    "reservation_book_grid",
    "reservation_payloads",
    "reservation_rows",
]
