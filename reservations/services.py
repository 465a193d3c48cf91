"""Reservations: availability, booking without double-booking, the status workflow, no-shows.

A table is held by every *active* reservation (``Reservation.ACTIVE_STATUSES``) over
``[starts_at, ends_at)``; two such intervals on one table must not overlap. The guarantee comes
from the database: a booking locks the rows of the tables it wants (``SELECT ... FOR UPDATE``,
sorted by pk so concurrent bookers never deadlock), and only then looks for overlapping
reservations and inserts. A second booker of the same table waits on the lock and, once the
first commits, sees its reservation and is refused (`Unavailable`, 409).

Reservation types:

- ``regular``: any active table(s) of the store; auto-assignment prefers hall tables.
- ``banquet``: carries ``banquet_details`` (menu, occasion...), ``estimated_budget_cents`` and
  ``deposit_cents``; auto-assignment prefers banquet-hall tables, then joins other tables.
- ``private_room``: every table must be a ``private_room`` table; when ``room_name`` is given the
  tables must belong to that room (auto-assignment picks only there). Without a ``room_name``
  the room of the chosen tables is recorded.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notification_create, store_managers
from reservations.models import Reservation, ReservationTable
from stores.models import Store, Table
from zhilian import events
from zhilian.errors import InvalidInput, InvalidTransition, Locked, Unavailable
from zhilian.models import next_daily_value

Status = Reservation.Status
Type = Reservation.Type

# Combinations join at most this many tables and the answer lists at most this many.
MAX_COMBINATION_TABLES = 4
COMBINATION_LIMIT = 10
# Candidates examined per combination size before ranking (bounds the work on big floors).
COMBINATION_SEARCH_BUDGET = 500

# The workflow: status -> statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PENDING: (Status.CONFIRMED, Status.CANCELLED, Status.NO_SHOW),
    Status.CONFIRMED: (Status.ARRIVED, Status.CANCELLED, Status.NO_SHOW),
    Status.ARRIVED: (Status.SEATED,),
    Status.SEATED: (Status.COMPLETED,),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
    Status.NO_SHOW: (),
}
# The time each status stamps when entered.
STAMPS: dict[str, str] = {
    Status.CONFIRMED: "confirmed_at",
    Status.ARRIVED: "arrival_time",
    Status.SEATED: "seated_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
    Status.NO_SHOW: "no_show_at",
}
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


# --- IDs -------------------------------------------------------------------------------------
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
def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


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
    if not any(_minutes(opens) * 60 <= start and end <= _minutes(closes) * 60 for opens, closes in intervals):
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


def _busy_table_ids(
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
    busy = _busy_table_ids(
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


# --- availability ----------------------------------------------------------------------------
def _combinations(tables: list[Table], party_size: int) -> list[list[Table]]:
    """Minimal sets of 2..MAX tables of one area whose seats fit the party: fewest tables, then least waste."""
    found: list[list[Table]] = []
    ordered = sorted(tables, key=lambda t: (-t.capacity, t.number))
    capacities = [t.capacity for t in ordered]
    for size in range(2, MAX_COMBINATION_TABLES + 1):
        if size > len(ordered) or sum(capacities[:size]) < party_size:
            continue
        level: list[list[Table]] = []

        # Depth-first over tables by capacity, largest first: a branch stops as soon as the
        # largest seats still reachable cannot fit, and every set found is minimal (each table
        # is needed) because the last, smallest table is what made it fit.
        def walk(start: int, chosen: list[Table], seats: int, size=size, level=level) -> None:
            if len(level) >= COMBINATION_SEARCH_BUDGET:
                return
            missing = size - len(chosen)
            for i in range(start, len(ordered) - missing + 1):
                if seats + sum(capacities[i : i + missing]) < party_size:
                    break
                total = seats + capacities[i]
                if missing == 1:
                    if total >= party_size:
                        level.append([*chosen, ordered[i]])
                        if len(level) >= COMBINATION_SEARCH_BUDGET:
                            return
                elif total < party_size:
                    walk(i + 1, [*chosen, ordered[i]], total, size=size, level=level)

        walk(0, [], 0)
        level.sort(key=lambda combo: (sum(t.capacity for t in combo), sorted(t.number for t in combo)))
        found.extend(sorted(combo, key=lambda t: t.number) for combo in level)
        if len(found) >= COMBINATION_LIMIT:
            break
    return found[:COMBINATION_LIMIT]


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
    busy = _busy_table_ids(store_id=store.pk, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id)
    free = [t for t in candidates if t.pk not in busy]
    alone = [t for t in free if t.capacity >= party_size]
    areas: dict[tuple[str, str], list[Table]] = defaultdict(list)
    for table in free:
        if table.capacity < party_size:
            areas[(table.kind, table.room_name)].append(table)
    combinations = sorted(
        itertools.chain.from_iterable(_combinations(group, party_size) for group in areas.values()),
        key=lambda combo: (len(combo), sum(t.capacity for t in combo), [t.number for t in combo]),
    )[:COMBINATION_LIMIT]
    return {"tables": alone, "combinations": combinations}


def _preferred_kinds(reservation_type: str) -> list[list[str] | None]:
    """Which tables auto-assignment tries, in order (None = any kind)."""
    if reservation_type == Type.PRIVATE_ROOM:
        return [[Table.Kind.PRIVATE_ROOM]]
    if reservation_type == Type.BANQUET:
        return [[Table.Kind.BANQUET_HALL], None]
    return [[Table.Kind.HALL], None]


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
    for kinds in _preferred_kinds(reservation_type):
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


# --- create / update -------------------------------------------------------------------------
def _lock_tables(*, store: Store, table_ids: Iterable) -> list[Table]:
    """Lock the tables' rows in pk order (stable order: no deadlock between bookers)."""
    ids = sorted({str(pk) for pk in table_ids})
    locked = list(Table.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise InvalidInput({"tables": [_("Unknown table.")]})
    return locked


def _full_clean(reservation: Reservation) -> None:
    try:
        # The interval is derived (set_bounds) and the id is the server's.
        reservation.full_clean(exclude=["id", "store", "created_by", "starts_at", "ends_at"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


def _book_tables(
    *, reservation: Reservation, store: Store, tables: Sequence[Table] | None, exclude_id: str | None
) -> list[Table]:
    """Pick (or take the given) tables, lock them, check every rule; returns the locked tables."""
    common = {
        "store": store,
        "day": reservation.reservation_date,
        "time": reservation.reservation_time,
        "party_size": reservation.party_size,
        "duration_minutes": reservation.duration_minutes,
    }
    if tables:
        # Cheap rules first (no lock taken for a request that is wrong anyway).
        _check_tables(
            store=store,
            tables=tables,
            party_size=reservation.party_size,
            reservation_type=reservation.reservation_type,
            room_name=reservation.room_name,
        )
        locked = _lock_tables(store=store, table_ids=[t.pk for t in tables])
        reservation_check(
            **common,
            tables=locked,
            reservation_type=reservation.reservation_type,
            room_name=reservation.room_name,
            exclude_id=exclude_id,
            check_slot=False,
        )
        return locked
    # Auto-assign: choose without locks, then lock and re-check; a concurrent booker may have
    # taken the choice meanwhile, so try again with a fresh picture a few times.
    for _attempt in range(3):
        choice = reservation_best_fit(
            **common,
            reservation_type=reservation.reservation_type,
            room_name=reservation.room_name,
            exclude_id=exclude_id,
        )
        locked = _lock_tables(store=store, table_ids=[t.pk for t in choice])
        try:
            reservation_check(
                **common,
                tables=locked,
                reservation_type=reservation.reservation_type,
                room_name=reservation.room_name,
                exclude_id=exclude_id,
                check_slot=False,
            )
        except Unavailable:
            continue
        return locked
    raise Unavailable(_("No free table fits a party of %(party)d at that time.") % {"party": reservation.party_size})


def _fill_room_name(reservation: Reservation, tables: Sequence[Table]) -> None:
    if reservation.reservation_type == Type.PRIVATE_ROOM and not reservation.room_name:
        rooms = {t.room_name for t in tables if t.room_name}
        if len(rooms) == 1:
            reservation.room_name = rooms.pop()


def reservation_create(
    *,
    store: Store,
    tables: Sequence[Table] | None = None,
    user=None,
    check_slot: bool = True,
    notify: bool = True,
    **fields: Any,
) -> Reservation:
    """Book a reservation (status pending) on the given tables, or on the best free fit.

    Raises InvalidInput (400) for a slot in the past or outside business hours, tables of
    another store or out of service, a party larger than the tables; Unavailable (409) when
    the tables are taken or nothing fits. Managers of the store are notified.

    Trusted callers loading history (seed, imports) pass ``check_slot=False`` (past dates
    allowed; tables, capacity and overlap are still enforced) and ``notify=False``.
    """
    unknown = set(fields) - WRITABLE_FIELDS
    if unknown:
        raise TypeError(f"reservation_create() got unexpected fields: {sorted(unknown)}")
    reservation = Reservation(store=store, created_by=user if user and user.is_authenticated else None, **fields)
    _full_clean(reservation)
    if check_slot:
        reservation_check_slot(
            store=store,
            day=reservation.reservation_date,
            time=reservation.reservation_time,
            duration_minutes=reservation.duration_minutes,
        )
    reservation.set_bounds()
    with transaction.atomic():
        locked = _book_tables(reservation=reservation, store=store, tables=tables, exclude_id=None)
        _fill_room_name(reservation, locked)
        reservation.id = reservation_next_id(store_id=store.pk, day=reservation.reservation_date)
        reservation.save(force_insert=True)
        ReservationTable.objects.bulk_create([ReservationTable(reservation=reservation, table=t) for t in locked])
        payload = reservation_payload(reservation, locked)
        events.publish("reservation.created", store_id=store.pk, data=payload)
        notification_create(
            recipients=store_managers(store.pk) if notify else (),
            kind=Notification.Kind.RESERVATION_CREATED,
            title=_("New reservation: %(name)s, %(party)d guests")
            % {"name": reservation.customer_name, "party": reservation.party_size},
            body=_("%(date)s %(time)s, tables %(tables)s")
            % {
                "date": reservation.reservation_date,
                "time": reservation.reservation_time.strftime("%H:%M"),
                "tables": ", ".join(payload["tables"]),
            },
            store_id=store.pk,
            data={"reservation": reservation.pk},
        )
    # The caller reads the tables back without another query.
    reservation._prefetched_objects_cache = {"tables": _table_list_queryset(locked)}
    return reservation


def _table_list_queryset(tables: Sequence[Table]):
    """A queryset whose cache holds the tables (so `reservation.tables.all()` costs nothing)."""
    queryset = Table.objects.none()
    queryset._result_cache = sorted(tables, key=lambda t: t.number)
    queryset._prefetch_done = True
    return queryset


def reservation_update(
    *, reservation: Reservation, tables: Sequence[Table] | None = None, user=None, **fields: Any
) -> Reservation:
    """Change a pending or confirmed reservation.

    ``tables=None`` keeps the current tables; a list replaces them; an empty list asks for a
    fresh auto-assignment. A change of date, time, duration, party size, type, room or tables
    re-runs the booking checks with the tables locked (the reservation itself is excluded from
    the overlap check). A date/time left unchanged is not refused for being past.
    """
    unknown = set(fields) - WRITABLE_FIELDS
    if unknown:
        raise TypeError(f"reservation_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Reservation.objects.select_for_update().select_related("store").get(pk=reservation.pk)
        if current.status not in EDITABLE_STATUSES:
            raise Locked(
                _("A %(status)s reservation can no longer be changed.") % {"status": current.get_status_display()},
                status=current.status,
            )
        changed = {name for name, value in fields.items() if getattr(current, name) != value}
        for name in changed:
            setattr(current, name, fields[name])
        _full_clean(current)
        store = current.store
        if changed & TIMING_FIELDS:
            reservation_check_slot(
                store=store,
                day=current.reservation_date,
                time=current.reservation_time,
                duration_minutes=current.duration_minutes,
            )
        current.set_bounds()
        old_tables = list(current.tables.all())
        tables_changed = tables is not None and {t.pk for t in tables} != {t.pk for t in old_tables}
        rebook = tables_changed or (tables is not None and not tables)
        if rebook or changed & (TIMING_FIELDS | {"party_size", "reservation_type", "room_name"}):
            wanted = old_tables if tables is None else list(tables)
            locked = _book_tables(reservation=current, store=store, tables=wanted or None, exclude_id=current.pk)
            if {t.pk for t in locked} != {t.pk for t in old_tables}:
                ReservationTable.objects.filter(reservation=current).delete()
                ReservationTable.objects.bulk_create([ReservationTable(reservation=current, table=t) for t in locked])
            if "room_name" not in changed:
                before = current.room_name
                _fill_room_name(current, locked)
                if current.room_name != before:
                    changed.add("room_name")
        else:
            locked = old_tables
        if changed:
            current.save(update_fields=[*changed, "updated_at"])
        if changed or rebook:
            events.publish(
                "reservation.updated",
                store_id=store.pk,
                data={
                    **reservation_payload(current, locked),
                    "changed": sorted(changed | ({"tables"} if rebook else set())),
                },
            )
    current._prefetched_objects_cache = {"tables": _table_list_queryset(locked)}
    return current


# --- workflow --------------------------------------------------------------------------------
def reservation_transition(*, reservation: Reservation, status: str, reason: str = "", user=None) -> Reservation:
    """Move along pending → confirmed → arrived → seated → completed; cancelled (with a reason)
    or no_show from pending/confirmed. Stamps the time of the new status."""
    if status not in Status.values:
        raise InvalidInput({"status": [_("Unknown status %r.") % status]})
    reason = (reason or "").strip()
    if status == Status.CANCELLED and not reason:
        raise InvalidInput({"reason": [_("Give a reason to cancel a reservation.")]})
    with transaction.atomic():
        current = Reservation.objects.select_for_update().get(pk=reservation.pk)
        allowed = list(TRANSITIONS[current.status])
        if status not in allowed:
            raise InvalidTransition(
                _("A %(from)s reservation cannot become %(to)s.") % {"from": current.status, "to": status},
                allowed=allowed,
                status=current.status,
            )
        previous = current.status
        now = timezone.now()
        current.status = status
        setattr(current, STAMPS[status], now)
        update_fields = ["status", STAMPS[status], "updated_at"]
        if status == Status.CANCELLED:
            current.cancel_reason = reason[:255]
            update_fields.append("cancel_reason")
        current.save(update_fields=update_fields)
        events.publish(
            "reservation.status_changed",
            store_id=current.store_id,
            data={**reservation_payload(current), "from": previous, "to": status, "reason": reason},
        )
    # Keep the caller's instance in step with the row.
    for field in update_fields:
        setattr(reservation, field, getattr(current, field))
    return reservation


def reservation_mark_no_shows(*, now: dt.datetime | None = None, grace_minutes: int | None = None) -> int:
    """Pending/confirmed reservations whose start + grace has passed become no_show.

    The rows are locked first (so a guest checked in at the same moment is not overwritten),
    then changed with one UPDATE; one event per store is published after commit.
    """
    now = now or timezone.now()
    if grace_minutes is None:
        grace_minutes = settings.ZHILIAN_NO_SHOW_GRACE_MINUTES
    cutoff = now - dt.timedelta(minutes=grace_minutes)
    due = Q(status__in=[Status.PENDING, Status.CONFIRMED], starts_at__lt=cutoff)
    with transaction.atomic():
        rows = list(Reservation.objects.select_for_update().filter(due).order_by("pk").values_list("pk", "store_id"))
        if not rows:
            return 0
        ids = [pk for pk, _store in rows]
        count = Reservation.objects.filter(due, pk__in=ids).update(
            status=Status.NO_SHOW, no_show_at=now, updated_at=now
        )
        by_store: dict[str, list[str]] = defaultdict(list)
        for pk, store_id in rows:
            by_store[store_id].append(pk)
        for store_id, store_ids in by_store.items():
            events.publish(
                "reservation.status_changed",
                store_id=store_id,
                data={"ids": store_ids, "to": Status.NO_SHOW, "count": len(store_ids), "bulk": True},
            )
    return count
