"""The rules of a booking: slot (past, too far ahead, opening hours), tables (store, service,
kind, capacity) and overlap; plus the reservation IDs and the compact event payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reservations.models import Reservation
from reservations.selectors import busy_table_ids
from stores.models import Store, Table
from zhilian.dates import parse_hhmm
from zhilian.errors import InvalidInput, Unavailable
from zhilian.models import next_daily_value

Status = Reservation.Status
Type = Reservation.Type

# Date, time, party and tables can change only before the guests arrive.
EDITABLE_STATUSES = (Status.PENDING, Status.CONFIRMED)
# How far ahead the book is open (also keeps absurd dates away from datetime arithmetic).
MAX_DAYS_AHEAD = 730

# Fields a caller may set on create/update (id, status, stamps and the interval are the server's).
WRITABLE_FIELDS = frozenset(
    {
        "customer_name",
        "customer_phone",
        "customer_email",
        "reservation_type",
        "reservation_date",
        "reservation_time",
        "duration_minutes",
        "party_size",
        "room_name",
        "special_requests",
        "dietary_restrictions",
        "banquet_details",
        "estimated_budget_cents",
        "deposit_cents",
        "notes",
    }
)
TIMING_FIELDS = frozenset({"reservation_date", "reservation_time", "duration_minutes"})


def reservation_next_id(*, store_id: str, day: dt.date) -> str:
    """``<store>-R<YYYYMMDD>-<NNNN>``: per store and reservation day, unique under concurrency."""
    number = next_daily_value(f"reservation:{store_id}", day)
    return f"{store_id}-R{day:%Y%m%d}-{number:04d}"


# --- payloads --------------------------------------------------------------------------------
def table_payload(table: Table) -> dict[str, Any]:
    return {
        "id": str(table.pk),
        "number": table.number,
        "capacity": table.capacity,
        "kind": table.kind,
        "room_name": table.room_name,
    }


def reservation_payload(reservation: Reservation, tables: Iterable[Table] | None = None) -> dict[str, Any]:
    tables = list(tables) if tables is not None else list(reservation.tables.all())
    return {
        "id": reservation.pk,
        "store": reservation.store_id,
        "customer_name": reservation.customer_name,
        "customer_phone": reservation.customer_phone,
        "reservation_type": reservation.reservation_type,
        "reservation_date": reservation.reservation_date,
        "reservation_time": reservation.reservation_time,
        "duration_minutes": reservation.duration_minutes,
        "party_size": reservation.party_size,
        "status": reservation.status,
        "starts_at": reservation.starts_at,
        "ends_at": reservation.ends_at,
        "tables": [t.number for t in sorted(tables, key=lambda t: t.number)],
    }


# --- slot checks -----------------------------------------------------------------------------
def reservation_slot_errors(
    *, store: Store, day: dt.date, time: dt.time, duration_minutes: int, now: dt.datetime | None = None
) -> dict[str, list[str]]:
    """Field errors of a slot: in the past, too far ahead, or not wholly inside one opening
    interval of that day (a booking never spans the afternoon break or midnight)."""
    errors: dict[str, list[str]] = {}
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Dates are compared first so absurd years never reach datetime arithmetic (no overflow).
    if day < today or (day == today and Reservation.bounds(day, time, duration_minutes)[0] < now):
        errors["reservation_date" if day < today else "reservation_time"] = [
            _("A reservation cannot be made in the past.")
        ]
    elif day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["reservation_date"] = [_("Reservations open at most %(days)d days ahead.") % {"days": MAX_DAYS_AHEAD}]
    start = time.hour * 3600 + time.minute * 60 + time.second
    end = start + duration_minutes * 60
    intervals = store.hours_on(day.weekday())
    if not any(parse_hhmm(opens) * 60 <= start and end <= parse_hhmm(closes) * 60 for opens, closes in intervals):
        hours = ", ".join(f"{opens}–{closes}" for opens, closes in intervals) or _("closed")
        errors.setdefault("reservation_time", []).append(
            _("The reservation must lie within one opening interval of the store on that day (%(hours)s).")
            % {"hours": hours}
        )
    return errors


def reservation_check_slot(
    *, store: Store, day: dt.date, time: dt.time, duration_minutes: int, now: dt.datetime | None = None
) -> None:
    errors = reservation_slot_errors(store=store, day=day, time=time, duration_minutes=duration_minutes, now=now)
    if errors:
        raise InvalidInput(errors, code="invalid_slot")


def _check_tables(
    *,
    store: Store,
    tables: Sequence[Table],
    party_size: int,
    reservation_type: str,
    room_name: str,
) -> None:
    """The chosen tables belong to the store, are in service, fit the party and the type."""
    if not tables:
        raise InvalidInput({"tables": [_("Choose at least one table.")]})
    foreign = [t.number for t in tables if t.store_id != store.pk]
    if foreign:
        raise InvalidInput({"tables": [_("Tables %(tables)s belong to another store.") % {"tables": foreign}]})
    inactive = [t.number for t in tables if not t.is_active]
    if inactive:
        raise InvalidInput({"tables": [_("Tables %(tables)s are out of service.") % {"tables": ", ".join(inactive)}]})
    if reservation_type == Type.PRIVATE_ROOM:
        wrong = [t.number for t in tables if t.kind != Table.Kind.PRIVATE_ROOM]
        if wrong:
            raise InvalidInput(
                {"tables": [_("A private-room reservation needs private-room tables; %s are not.") % ", ".join(wrong)]}
            )
        if room_name and any(t.room_name != room_name for t in tables):
            raise InvalidInput({"tables": [_("Every table must be in the room %s.") % room_name]})
    capacity = sum(t.capacity for t in tables)
    if party_size > capacity:
        raise InvalidInput(
            {
                "party_size": [
                    _("A party of %(party)d does not fit the chosen tables (%(capacity)d seats).")
                    % {"party": party_size, "capacity": capacity}
                ]
            }
        )


def _check_overlap(
    *, store: Store, tables: Sequence[Table], starts_at: dt.datetime, ends_at: dt.datetime, exclude_id: str | None
) -> None:
    busy = busy_table_ids(
        store_id=store.pk, starts_at=starts_at, ends_at=ends_at, table_ids=[t.pk for t in tables], exclude_id=exclude_id
    )
    if busy:
        numbers = ", ".join(sorted(t.number for t in tables if t.pk in busy))
        raise Unavailable(
            _("Tables %(tables)s are already reserved at that time.") % {"tables": numbers},
            tables=sorted(t.number for t in tables if t.pk in busy),
        )


def reservation_check(
    *,
    store: Store,
    day: dt.date,
    time: dt.time,
    duration_minutes: int,
    party_size: int,
    tables: Sequence[Table],
    reservation_type: str = Type.REGULAR,
    room_name: str = "",
    exclude_id: str | None = None,
    check_slot: bool = True,
) -> None:
    """Every rule of a booking without writing (the admin form runs it before saving).

    Not a guarantee on its own: create/update run it again with the tables locked.
    """
    if check_slot:
        reservation_check_slot(store=store, day=day, time=time, duration_minutes=duration_minutes)
    _check_tables(
        store=store, tables=tables, party_size=party_size, reservation_type=reservation_type, room_name=room_name
    )
    starts_at, ends_at = Reservation.bounds(day, time, duration_minutes)
    _check_overlap(store=store, tables=tables, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id)
