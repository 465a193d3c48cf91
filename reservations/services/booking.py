"""Booking and changing reservations without double-booking (see reservations.services)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_  # noqa: N812

from notifications.models import Notification
from notifications.services import notification_create, store_managers
from notifications.texts import message
from reservations.models import Reservation, ReservationTable
from reservations.selectors import reservation_best_fit
from reservations.services.rules import (
    EDITABLE_STATUSES,
    TIMING_FIELDS,
    WRITABLE_FIELDS,
    Type,
    _check_tables,
    reservation_check,
    reservation_check_slot,
    reservation_next_id,
    reservation_payload,
)
from stores.models import Store, Table
from zhilian import events
from zhilian.audit import CREATE, audit_record
from zhilian.errors import InvalidInput, Locked, Unavailable


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
        audit_record(
            actor=user, instance=reservation, event="reservation.create", action=CREATE, tables=_numbers(locked)
        )
        payload = reservation_payload(reservation, locked)
        events.publish("reservation.created", store_id=store.pk, data=payload)
        notification_create(
            recipients=store_managers(store.pk) if notify else (),
            kind=Notification.Kind.RESERVATION_CREATED,
            # Worded in each reader's language when read (notifications.texts).
            title=message(
                N_("New reservation: %(name)s, %(party)d guests"),
                name=reservation.customer_name,
                party=reservation.party_size,
            ),
            body=message(
                N_("%(date)s %(time)s, tables %(tables)s"),
                date=str(reservation.reservation_date),
                time=reservation.reservation_time.strftime("%H:%M"),
                tables=", ".join(payload["tables"]),
            ),
            store_id=store.pk,
            data={"reservation": reservation.pk},
        )
    # The caller reads the tables back without another query.
    reservation._prefetched_objects_cache = {"tables": _table_list_queryset(locked)}
    return reservation


def _numbers(tables: Iterable[Table]) -> str:
    return ", ".join(sorted(t.number for t in tables))


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
        previous = {name: getattr(current, name) for name in WRITABLE_FIELDS}
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
        moved_tables = {t.pk for t in locked} != {t.pk for t in old_tables}
        if changed or moved_tables:
            audited = {name: (previous[name], getattr(current, name)) for name in sorted(changed)}
            if moved_tables:
                audited["tables"] = (_numbers(old_tables), _numbers(locked))
            # A move (new time or tables) is what the floor needs to find again; the rest is an edit.
            moved = moved_tables or bool(changed & TIMING_FIELDS)
            audit_record(
                actor=user,
                instance=current,
                event="reservation.move" if moved else "reservation.update",
                changes=audited,
            )
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
