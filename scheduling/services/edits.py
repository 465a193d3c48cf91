"""Manual schedule and shift edits: unpublished schedules only, every shift checked against the rules
of generation (scheduling.assignment.shift_refusals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from scheduling.assignment import (
    MAX_HOURS_PER_DAY,
    MIN_REST_HOURS,
    VIOLATION_KINDS,
    ShiftRecord,
    Violation,
    shift_refusals,
    staff_member,
    week_bounds,
)
from scheduling.demand import shift_type_for
from scheduling.models import Schedule, Shift
from scheduling.selectors import staff_constraints
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


def _rule_message(violation: Violation, employee: Employee, others: dict) -> str:
    """One broken rule, said after the employee's name."""
    detail = violation.detail
    other = others.get(violation.shifts[-1], "") if len(violation.shifts) > 1 else ""
    kind = violation.kind
    if kind == "position":
        return _("cannot work as %(position)s") % {"position": detail.removeprefix("cannot work as ")}
    if kind == "day_off":
        return _("has this weekday as a stated day off")
    if kind == "leave":
        return _("is on approved leave that day")
    if kind == "availability":
        return _("is not available at that time on this weekday")
    if kind == "overlap":
        return _("already works %(other)s, which overlaps this shift") % {"other": other}
    if kind == "rest":
        return _("would rest less than %(hours)s h between this shift and %(other)s") % {
            "hours": f"{MIN_REST_HOURS:g}",
            "other": other,
        }
    if kind == "daily_cap":
        return _("would work %(hours)s in the day, over the daily cap of %(cap)s h") % {
            "hours": detail.split(" on ")[0],
            "cap": f"{MAX_HOURS_PER_DAY:g}",
        }
    return detail


# The codes a single refusal keeps (clients branch on them); several at once are "shift_rules".
_SINGLE_CODES = {"overlap": "shift_overlap", "weekly_cap": "weekly_hours_cap"}


def shift_check(
    *,
    schedule: Schedule,
    employee: Employee,
    start_time: dt.time,
    end_time: dt.time,
    exclude: list | tuple = (),
    pending: list | tuple = (),
    position: str = "",
) -> tuple[dt.datetime, dt.datetime]:
    """Raise unless `employee` may work start-end on `schedule`'s day; return the shift's bounds.

    The rules are generation's (scheduling.assignment.shift_refusals: position, days off, approved
    leave, availability, overlaps, rest between days, daily and weekly caps); every broken one is
    listed in one 409: its message names them all, `rules` gives their kinds (a single overlap or
    weekly cap keeps the codes `shift_overlap` and `weekly_hours_cap`, several are `shift_rules`).
    `exclude`: shift ids being replaced; `pending`: (schedule_date, starts_at, ends_at) of unsaved
    shifts of the same employee (an admin formset) that count as booked; `position`: the shift's
    (blank: the employee's own). Does not lock; the services call it with the employee row locked.
    """
    day = schedule.schedule_date
    check_day(day, "schedule")
    if employee.store_id != schedule.store_id:
        raise InvalidInput({"employee": _("The employee works in another store.")})
    if not employee.is_active:
        raise InvalidInput({"employee": _("The employee is inactive.")})
    if start_time == end_time:
        raise InvalidInput({"end_time": _("A shift cannot end when it starts.")})
    starts, ends = Shift.bounds(day, start_time, end_time)
    rest = dt.timedelta(hours=MIN_REST_HOURS)
    monday, sunday = week_bounds(day)
    rows = (
        Shift.objects.filter(employee=employee)
        .filter(
            Q(schedule__schedule_date__range=(monday, sunday)) | Q(starts_at__lt=ends + rest, ends_at__gt=starts - rest)
        )
        .exclude(pk__in=list(exclude))
        .values_list("id", "schedule__schedule_date", "starts_at", "ends_at", "position", "start_time", "end_time")
    )
    others: list[ShiftRecord] = []
    labels: dict = {}
    for pk, other_day, other_starts, other_ends, other_position, other_start, other_end in rows:
        others.append(ShiftRecord(pk, employee.pk, other_day, other_starts, other_ends, other_position))
        labels[pk] = f"{other_day} {other_start:%H:%M}-{other_end:%H:%M}"
    for i, (other_day, other_starts, other_ends) in enumerate(pending):
        key = ("pending", i)
        others.append(ShiftRecord(key, employee.pk, other_day, other_starts, other_ends))
        labels[key] = f"{other_day} {timezone.localtime(other_starts):%H:%M}"
    availability, leave = staff_constraints(employee_ids=[employee.pk], start=day, end=day)
    member = staff_member(
        id=employee.pk,
        position=employee.position,
        skills=employee.skills,
        preferences=employee.preferences,
        performance_score=employee.performance_score,
        availability=availability.get(employee.pk),
        leave=leave.get(employee.pk, ()),
    )
    refusals = shift_refusals(member, ShiftRecord(None, employee.pk, day, starts, ends, position), others)
    if not refusals:
        return starts, ends
    extra: dict[str, Any] = {"rules": sorted({v.kind for v in refusals}, key=VIOLATION_KINDS.index)}
    messages = []
    for violation in refusals:
        if violation.kind == "weekly_cap":
            hours = sum(o.hours for o in others if monday <= o.day <= sunday) + (ends - starts).total_seconds() / 3600
            cap = member.weekly_cap
            extra.update(hours=round(hours, 2), cap=cap)
            messages.append(
                _("would work %(hours)s h in the week of %(monday)s, over the cap of %(cap)s h")
                % {"hours": f"{hours:g}", "monday": monday, "cap": f"{cap:g}"}
            )
        else:
            messages.append(_rule_message(violation, employee, labels))
    messages = list(dict.fromkeys(messages))
    if len(extra["rules"]) == 1 and len(messages) == 1:
        message = _("%(name)s %(rule)s.") % {"name": employee.name, "rule": messages[0]}
        code = _SINGLE_CODES.get(extra["rules"][0], f"shift_{extra['rules'][0]}")
    else:
        message = _("%(name)s cannot take this shift: %(rules)s.") % {
            "name": employee.name,
            "rules": "; ".join(messages),
        }
        code = "shift_rules"
    if code == "shift_overlap":
        raise Unavailable(message, code=code, **extra)
    raise DomainError(message, code=code, **extra)


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
    starts, ends = shift_check(
        schedule=schedule, employee=employee, start_time=start_time, end_time=end_time, position=position
    )
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
        schedule=schedule,
        employee=employee,
        start_time=shift.start_time,
        end_time=shift.end_time,
        exclude=[shift.pk],
        position=shift.position,
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
