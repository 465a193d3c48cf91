"""Manual schedule and shift edits: same store, no overlap, the weekly cap, unpublished schedules only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from scheduling.assignment import week_bounds, weekly_cap
from scheduling.demand import shift_type_for
from scheduling.models import Schedule, Shift
from scheduling.selectors import employee_week_seconds
from stores.models import Employee, Store
from zhilian.audit import CREATE, DELETE, audit_record
from zhilian.dates import check_day
from zhilian.errors import DomainError, InvalidInput, Locked, Unavailable


def _refuse_published(schedule: Schedule) -> None:
    if schedule.is_published:
        raise Locked(_("The schedule is published; its shifts are frozen."), code="schedule_published")


@transaction.atomic
def schedule_create(*, store: Store, schedule_date: dt.date, notes: str = "", user: User | None = None) -> Schedule:
    check_day(schedule_date, "schedule_date")
    try:
        with transaction.atomic():
            schedule = Schedule.objects.create(store=store, schedule_date=schedule_date, notes=notes)
    except IntegrityError as exc:
        raise DomainError(f"{store.pk} already has a schedule on {schedule_date}.", code="duplicate") from exc
    audit_record(actor=user, instance=schedule, event="schedule.create", action=CREATE)
    return schedule


@transaction.atomic
def schedule_update(*, schedule: Schedule, user: User | None = None, **changes: Any) -> Schedule:
    """Notes may change at any time; store and date only while unpublished and without shifts."""
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    moves = {k: v for k, v in changes.items() if k in ("store", "schedule_date")}
    moved = {k for k, v in moves.items() if getattr(schedule, k) != v}
    if moved:
        if "schedule_date" in moved:
            check_day(changes["schedule_date"], "schedule_date")
        _refuse_published(schedule)
        if schedule.shifts.exists():
            raise DomainError("A schedule with shifts cannot move to another day or store.", code="has_shifts")
    audited = {}
    for key in ("store", "schedule_date", "notes"):
        if key in changes and getattr(schedule, key) != changes[key]:
            audited[key] = (getattr(schedule, key), changes[key])
            setattr(schedule, key, changes[key])
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError as exc:
        raise DomainError("The store already has a schedule on that day.", code="duplicate") from exc
    if audited:
        audit_record(actor=user, instance=schedule, event="schedule.update", changes=audited)
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: Schedule, user: User | None = None) -> None:
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    _refuse_published(schedule)
    audit_record(actor=user, instance=schedule, event="schedule.delete", action=DELETE)
    schedule.delete()


def shift_check(
    *,
    schedule: Schedule,
    employee: Employee,
    start_time: dt.time,
    end_time: dt.time,
    exclude: list | tuple = (),
    pending: list | tuple = (),
) -> tuple[dt.datetime, dt.datetime]:
    """Raise unless `employee` may work start-end on `schedule`'s day; return the shift's bounds.

    `exclude`: shift ids being replaced; `pending`: (schedule_date, starts_at, ends_at) of unsaved shifts
    of the same employee (an admin formset) that count as booked. Does not lock; the services call it
    with the employee row locked.
    """
    check_day(schedule.schedule_date, "schedule")
    if employee.store_id != schedule.store_id:
        raise InvalidInput({"employee": _("The employee works in another store.")})
    if not employee.is_active:
        raise InvalidInput({"employee": _("The employee is inactive.")})
    if start_time == end_time:
        raise InvalidInput({"end_time": _("A shift cannot end when it starts.")})
    starts, ends = Shift.bounds(schedule.schedule_date, start_time, end_time)
    clash = (
        Shift.objects.filter(employee=employee, starts_at__lt=ends, ends_at__gt=starts)
        .exclude(pk__in=list(exclude))
        .select_related("schedule")
        .first()
    )
    clash_pending = None
    if clash is None:
        clash_pending = next(((d, s, e) for d, s, e in pending if s < ends and e > starts), None)
    if clash is not None or clash_pending is not None:
        if clash is not None:
            other = f"{clash.schedule.schedule_date} {clash.start_time:%H:%M}-{clash.end_time:%H:%M}"
        else:
            other = f"{clash_pending[0]} {timezone.localtime(clash_pending[1]):%H:%M}"
        raise Unavailable(
            _("%(name)s already works %(other)s, which overlaps this shift.") % {"name": employee.name, "other": other},
            code="shift_overlap",
        )
    monday, sunday = week_bounds(schedule.schedule_date)
    seconds = employee_week_seconds(employee, schedule.schedule_date, exclude)
    seconds += sum((e - s).total_seconds() for d, s, e in pending if monday <= d <= sunday)
    hours = (seconds + (ends - starts).total_seconds()) / 3600
    cap = weekly_cap(employee.preferences)
    if hours > cap + 1e-9:
        raise DomainError(
            _("%(name)s would work %(hours)s h in the week of %(monday)s, over the cap of %(cap)s h.")
            % {"name": employee.name, "hours": f"{hours:g}", "monday": monday, "cap": f"{cap:g}"},
            code="weekly_hours_cap",
            hours=round(hours, 2),
            cap=cap,
        )
    return starts, ends


def _lock(schedule: Schedule, employee: Employee) -> tuple[Schedule, Employee]:
    # Schedule first, then the employee: the same order as generation, so no deadlock.
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    return schedule, employee


@transaction.atomic
def shift_create(
    *,
    schedule: Schedule,
    employee: Employee,
    start_time: dt.time,
    end_time: dt.time,
    shift_type: str | None = None,
    position: str = "",
    notes: str = "",
    is_completed: bool = False,
    user: User | None = None,
) -> Shift:
    """Add a shift by hand: same store, no overlap, weekly cap, unpublished schedule."""
    schedule, employee = _lock(schedule, employee)
    _refuse_published(schedule)
    starts, ends = shift_check(schedule=schedule, employee=employee, start_time=start_time, end_time=end_time)
    shift = Shift(
        schedule=schedule,
        employee=employee,
        start_time=start_time,
        end_time=end_time,
        shift_type=shift_type or shift_type_for(start_time),
        position=position or employee.position,
        notes=notes,
        is_completed=is_completed,
    )
    shift.save()
    audit_record(
        actor=user,
        instance=shift,
        event="shift.create",
        action=CREATE,
        changes={"employee": (None, employee.pk), "start_time": (None, start_time), "end_time": (None, end_time)},
    )
    return shift


SHIFT_EDITABLE = ("schedule", "employee", "start_time", "end_time", "shift_type", "position", "notes", "is_completed")


@transaction.atomic
def shift_update(*, shift: Shift, user: User | None = None, **changes: Any) -> Shift:
    """Change a shift of an unpublished schedule, re-checking overlap and the weekly cap."""
    unknown = set(changes) - set(SHIFT_EDITABLE)
    if unknown:
        raise InvalidInput({k: "This field cannot be changed here." for k in sorted(unknown)})
    current = Shift.objects.select_related("employee").get(pk=shift.pk)
    target_schedule_id = changes["schedule"].pk if "schedule" in changes else current.schedule_id
    # Both schedules (sorted), then the employee: the lock order every service uses.
    locked = {
        s.pk: s
        for s in Schedule.objects.select_for_update()
        .filter(pk__in={current.schedule_id, target_schedule_id})
        .order_by("pk")
    }
    for locked_schedule in locked.values():
        _refuse_published(locked_schedule)
    schedule = locked[target_schedule_id]
    employee = Employee.objects.select_for_update().get(pk=changes.get("employee", current.employee).pk)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    audited = {}
    for key, value in changes.items():
        if getattr(shift, key) != value:
            audited[key] = (getattr(shift, key), value)
        setattr(shift, key, value)
    shift.schedule, shift.employee = schedule, employee
    shift_check(
        schedule=schedule, employee=employee, start_time=shift.start_time, end_time=shift.end_time, exclude=[shift.pk]
    )
    if not shift.shift_type:
        shift.shift_type = shift_type_for(shift.start_time)
    shift.save()
    if audited:
        audit_record(actor=user, instance=shift, event="shift.update", changes=audited)
    return shift


@transaction.atomic
def shift_delete(*, shift: Shift, user: User | None = None) -> None:
    shift = Shift.objects.get(pk=shift.pk)
    _refuse_published(Schedule.objects.select_for_update().get(pk=shift.schedule_id))
    audit_record(actor=user, instance=shift, event="shift.delete", action=DELETE, employee=shift.employee_id)
    shift.delete()
