"""The reservation book of one store and day as a grid (the admin's day view,
reservations/admin_book.py): the store's active tables by area × time slots over the day's
business hours, each booking placed as one block spanning its slots and, for joined tables, its
rows. Three queries whatever the number of tables and bookings: the tables, the day's
reservations, their table links.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from reservations.models import Reservation, ReservationTable
from stores.models import Store, Table
from zhilian.dates import parse_hhmm

# Shown on the grid: bookings that hold their tables, and the evening's finished ones (history
# of the day). Cancelled and no-show bookings hold nothing and would only hide free slots.
SHOWN_STATUSES = (*Reservation.ACTIVE_STATUSES, Reservation.Status.COMPLETED)
SLOT_MINUTES = (15, 30)
# Areas in the order a host walks the floor: the hall, then the rooms, then the banquet hall.
KIND_ORDER = {Table.Kind.HALL: 0, Table.Kind.PRIVATE_ROOM: 1, Table.Kind.BANQUET_HALL: 2}


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slots(store: Store, day: dt.date, step: int, now: dt.datetime) -> tuple[int, list[dict[str, Any]]]:
    """The slot columns from the first opening to the last closing of the day; slots in a break
    are closed, slots that start before now are past. Returns (first minute, slots)."""
    intervals = [(parse_hhmm(a), parse_hhmm(b)) for a, b in store.hours_on(day.weekday())]
    if not intervals:
        return 0, []
    first = min(a for a, _ in intervals) // step * step
    last = max(b for _, b in intervals)
    local_now = timezone.localtime(now)
    now_minutes = (
        -1
        if local_now.date() < day
        else (24 * 60 if local_now.date() > day else local_now.hour * 60 + local_now.minute)
    )
    slots = []
    for start in range(first, last, step):
        # The interval that holds the slot's start: a booking from here may last until its end.
        closes = next((b for a, b in intervals if a <= start < b), None)
        slots.append(
            {
                "minutes": start,
                "label": hhmm(start),
                "hour_start": start % 60 == 0,
                "open": closes is not None,
                "closes": closes,
                "past": start < now_minutes,
            }
        )
    return first, slots


def _area_key(table: dict[str, Any]) -> tuple:
    return (KIND_ORDER.get(table["kind"], 9), table["room_name"], table["kind"])


def reservation_book_grid(*, store: Store, day: dt.date, step: int = 30, now: dt.datetime | None = None) -> dict:
    """The day's book: ``slots`` (columns), ``areas`` (each with its ``tables``, each table with
    its row's ``cells``), ``bookings`` (every shown reservation of the day, by id) and
    ``unplaced`` (shown bookings without a place on the grid: outside the hours or on a table
    out of service).

    A cell is ``{"type": "free", "slot"}`` (bookable when the slot is open and not past),
    ``{"type": "booking", "id", "colspan", "rowspan", "joined"}`` at a block's first slot of
    its first row, or absent where a block covers it (the template's table spans).
    """
    if step not in SLOT_MINUTES:
        raise ValueError(f"slot of {step} minutes")
    now = now or timezone.now()
    first, slots = _slots(store, day, step, now)
    tables = list(
        Table.objects.filter(store=store, is_active=True)
        .order_by("number")
        .values("id", "number", "capacity", "kind", "room_name")
    )
    tables.sort(key=lambda t: (*_area_key(t), len(t["number"]), t["number"]))
    # Row positions with a gap between areas: a joined booking spans rows only inside an area.
    position: dict = {}
    areas: list[dict[str, Any]] = []
    row = 0
    for table in tables:
        key = _area_key(table)
        if not areas or areas[-1]["key"] != key:
            areas.append({"key": key, "kind": table["kind"], "room_name": table["room_name"], "tables": []})
            row += 1
        areas[-1]["tables"].append(table)
        position[table["id"]] = row
        row += 1

    rows = list(
        Reservation.objects.filter(store=store, reservation_date=day, status__in=SHOWN_STATUSES)
        .order_by("starts_at", "id")
        .values(
            "id",
            "customer_name",
            "customer_phone",
            "party_size",
            "status",
            "reservation_type",
            "reservation_time",
            "duration_minutes",
            "starts_at",
            "ends_at",
            "special_requests",
        )
    )
    links: dict[str, list] = defaultdict(list)
    numbers: dict[str, list[str]] = defaultdict(list)
    if rows:
        for link in (
            ReservationTable.objects.filter(reservation__store=store, reservation__reservation_date=day)
            .order_by("table__number")
            .values("reservation_id", "table_id", "table__number")
        ):
            links[link["reservation_id"]].append(link["table_id"])
            numbers[link["reservation_id"]].append(link["table__number"])

    columns = len(slots)
    grid: dict = {table["id"]: [None] * columns for table in tables}
    by_row = {position[t["id"]]: t["id"] for t in tables}
    bookings: dict[str, dict[str, Any]] = {}
    unplaced: list[dict[str, Any]] = []
    active = set(Reservation.ACTIVE_STATUSES)
    # Bookings that hold tables first: a finished one never hides an active one.
    for res in sorted(rows, key=lambda r: (r["status"] not in active, r["starts_at"])):
        start, end = timezone.localtime(res["starts_at"]), timezone.localtime(res["ends_at"])
        res = {
            **res,
            "tables": numbers[res["id"]],
            "start_label": f"{start:%H:%M}",
            "end_label": f"{end:%H:%M}",
        }
        bookings[res["id"]] = res
        # Minutes from the grid's first slot; the block covers every slot it touches.
        offset = start.hour * 60 + start.minute - first
        length = int((end - start).total_seconds() // 60)
        c0, c1 = max(offset // step, 0), min(-(-(offset + length) // step), columns)
        placed_rows = sorted(position[t] for t in links[res["id"]] if t in position)
        if c0 >= c1 or not placed_rows:
            unplaced.append(res)
            continue
        runs: list[list[int]] = []
        for r in placed_rows:
            if runs and r == runs[-1][-1] + 1:
                runs[-1].append(r)
            else:
                runs.append([r])
        cells = [(by_row[r], c) for run in runs for r in run for c in range(c0, c1)]
        if any(grid[t][c] is not None for t, c in cells):
            unplaced.append(res)  # only a finished booking overlapping a later one gets here
            continue
        for run in runs:
            for r in run:
                for c in range(c0, c1):
                    grid[by_row[r]][c] = "covered"
            grid[by_row[run[0]]][c0] = {
                "type": "booking",
                "id": res["id"],
                "colspan": c1 - c0,
                "rowspan": len(run),
                "joined": len(placed_rows) > 1,
                "booking": res,
            }

    for area in areas:
        for table in area["tables"]:
            table["cells"] = [
                cell if isinstance(cell, dict) else {"type": "free", "slot": slots[c]}
                for c, cell in enumerate(grid[table["id"]])
                if cell != "covered"
            ]
    return {
        "slots": slots,
        "step": step,
        "areas": areas,
        "bookings": bookings,
        "unplaced": unplaced,
        "table_count": len(tables),
    }
