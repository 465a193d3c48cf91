"""Scheduling writes: generation, publishing, confirmation and manual schedule and shift edits.

Generation loads its inputs (the demand model in scheduling.demand, the store's staff and the shifts
they already hold), calls the pure assignment in scheduling.assignment and writes the shifts in bulk;
docs/architecture.md ("Scheduling") has the rules. Labor totals and other reads are in
scheduling.selectors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create
from scheduling.assignment import StaffMember, assign_day, staff_member, week_bounds, weekly_cap
from scheduling.demand import HISTORY_WEEKS, generation_report, schedule_demand, shift_type_for
from scheduling.models import Schedule, Shift
from scheduling.selectors import bookings_around, employee_week_seconds
from stores.models import Employee, Store
from zhilian import events, roles
from zhilian.dates import check_day, check_range, days_between
from zhilian.errors import DomainError, Forbidden, InvalidInput, InvalidTransition, Locked, NotFound, Unavailable

MAX_RANGE_DAYS = 31

# --- generation ---------------------------------------------------------------------------------


def _get_schedule_locked(store: Store, day: dt.date) -> Schedule:
    try:
        with transaction.atomic():
            schedule, _ = Schedule.objects.get_or_create(store=store, schedule_date=day)
    except IntegrityError:
        pass  # a concurrent caller created it first; the locked read below finds it
    return Schedule.objects.select_for_update().get(store=store, schedule_date=day)


def _member(employee: Employee) -> StaffMember:
    return staff_member(
        id=employee.pk,
        position=employee.position,
        skills=employee.skills,
        preferences=employee.preferences,
        performance_score=employee.performance_score,
    )


@transaction.atomic
def schedule_generate(
    *, store: Store, day: dt.date, user: User | None = None, weeks: int = HISTORY_WEEKS
) -> tuple[Schedule, dict[str, Any]]:
    """Build (or rebuild) the unpublished schedule of `store` on `day` from the expected demand.

    Returns the schedule and its generation report (also stored in ``schedule.generation_report``).
    Raises Locked when the day is published.
    """
    check_day(day)
    schedule = _get_schedule_locked(store, day)
    if schedule.is_published:
        raise Locked(
            f"The schedule of {store.pk} on {day} is published and cannot be regenerated.",
            code="schedule_published",
        )
    periods = schedule_demand(store=store, day=day, weeks=weeks)

    # Lock the store's active staff (stable order) so manual edits and other generations wait.
    employees = list(Employee.objects.select_for_update().filter(store=store, is_active=True).order_by("pk"))
    schedule.shifts.all().delete()
    booked, week_hours = bookings_around(employee_ids=[e.pk for e in employees], day=day)
    result = assign_day(
        day=day,
        slots=[p.slot(day) for p in periods],
        staff=[_member(e) for e in employees],
        booked=booked,
        week_hours=week_hours,
    )
    by_name = {p.name: p for p in periods}
    shifts = []
    for a in result.assignments:
        period = by_name[a.period]
        shift = Shift(
            schedule=schedule,
            employee_id=a.employee_id,
            shift_type=a.shift_type,
            start_time=period.start_time,
            end_time=period.end_time,
            position=a.position,
            notes=f"generated: {a.period}",
        )
        shift.starts_at, shift.ends_at = a.starts, a.ends
        shifts.append(shift)
    Shift.objects.bulk_create(shifts)

    report = generation_report(
        store_id=store.pk,
        day=day,
        weeks=weeks,
        periods=periods,
        result=result,
        generated_at=timezone.now(),
        generated_by=str(user.pk) if user is not None and user.pk else None,
    )
    schedule.generation_report = report
    schedule.save(update_fields=["generation_report", "updated_at"])
    return schedule, report


def _parse_range(start: dt.date, end: dt.date) -> list[dt.date]:
    check_range(start, end, start_field="start_date", end_field="end_date", max_days=MAX_RANGE_DAYS)
    return days_between(start, end)


@transaction.atomic
def schedule_generate_range(
    *, store: Store, start: dt.date, end: dt.date, user: User | None = None, weeks: int = HISTORY_WEEKS
) -> list[tuple[Schedule, dict[str, Any]]]:
    """Generate every day of [start, end]; published days are kept as they are and reported skipped.

    The busiest days are staffed first, so when the staff's weekly caps cannot cover the whole week
    the gaps fall on the quieter days. Results come back in date order.
    """
    days = _parse_range(start, end)
    published = set(
        Schedule.objects.filter(store=store, schedule_date__range=(start, end), is_published=True).values_list(
            "schedule_date", flat=True
        )
    )
    results: dict[dt.date, tuple[Schedule, dict[str, Any]]] = {}
    for day in days:
        if day in published:
            schedule = Schedule.objects.get(store=store, schedule_date=day)
            results[day] = (schedule, {"store": store.pk, "date": day.isoformat(), "skipped": "published"})
    todo = [day for day in days if day not in published]
    # The old shifts of these days are about to be replaced: drop them first so they do not hold
    # weekly hours while the busier days are being staffed.
    doomed = list(
        Schedule.objects.select_for_update()
        .filter(store=store, schedule_date__in=todo, is_published=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Shift.objects.filter(schedule_id__in=doomed).delete()
    load = {
        day: sum(p.hours * sum(p.needs.values()) for p in schedule_demand(store=store, day=day, weeks=weeks))
        for day in todo
    }
    for day in sorted(todo, key=lambda d: (-load[d], d)):
        results[day] = schedule_generate(store=store, day=day, user=user, weeks=weeks)
    return [results[day] for day in days]


# --- publishing and confirmation ----------------------------------------------------------------


@transaction.atomic
def schedule_publish(*, schedule: Schedule, user: User) -> Schedule:
    """Freeze the schedule, stamp who published it, notify its staff and the store's live feed."""
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.is_published:
        raise InvalidTransition("The schedule is already published.", code="already_published", allowed=[])
    schedule.is_published = True
    schedule.published_by = user
    schedule.published_at = timezone.now()
    schedule.save(update_fields=["is_published", "published_by", "published_at", "updated_at"])

    shift_count = schedule.shifts.count()
    recipients = list(
        User.objects.filter(employee__shifts__schedule=schedule, is_active=True).distinct().order_by("pk")
    )
    events.publish(
        "schedule.published",
        store_id=schedule.store_id,
        data={
            "id": str(schedule.pk),
            "date": schedule.schedule_date.isoformat(),
            "shifts": shift_count,
            "published_by": str(user.pk),
        },
    )
    notification_create(
        recipients=recipients,
        kind=Notification.Kind.SCHEDULE_PUBLISHED,
        title=f"Schedule published for {schedule.schedule_date:%Y-%m-%d}",
        body="Your shifts are published; please confirm them.",
        store_id=schedule.store_id,
        data={"schedule": str(schedule.pk), "date": schedule.schedule_date.isoformat()},
    )
    return schedule


@transaction.atomic
def shift_confirm(*, shift: Shift, user: User) -> Shift:
    """The employee (or their manager) confirms a shift of a published schedule."""
    shift = Shift.objects.select_for_update(of=("self",)).select_related("schedule", "employee").get(pk=shift.pk)
    if not roles.is_admin(user) and shift.schedule.store_id != user.store_id:
        raise NotFound("No such shift.")
    if not roles.can_on_object(user, "confirm", shift):
        raise Forbidden("You can confirm only your own shifts.")
    if not shift.schedule.is_published:
        raise InvalidTransition(
            "Shifts are confirmed once the schedule is published.", code="not_published", allowed=[]
        )
    if shift.is_confirmed:
        raise InvalidTransition("The shift is already confirmed.", code="already_confirmed", allowed=[])
    shift.is_confirmed = True
    shift.confirmed_at = timezone.now()
    shift.save(update_fields=["is_confirmed", "confirmed_at", "updated_at"])
    return shift


# --- manual schedule and shift edits ------------------------------------------------------------


def _refuse_published(schedule: Schedule) -> None:
    if schedule.is_published:
        raise Locked("The schedule is published; its shifts are frozen.", code="schedule_published")


@transaction.atomic
def schedule_create(*, store: Store, schedule_date: dt.date, notes: str = "", user: User | None = None) -> Schedule:
    check_day(schedule_date, "schedule_date")
    try:
        with transaction.atomic():
            return Schedule.objects.create(store=store, schedule_date=schedule_date, notes=notes)
    except IntegrityError as exc:
        raise DomainError(f"{store.pk} already has a schedule on {schedule_date}.", code="duplicate") from exc


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
    for key in ("store", "schedule_date", "notes"):
        if key in changes:
            setattr(schedule, key, changes[key])
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError as exc:
        raise DomainError("The store already has a schedule on that day.", code="duplicate") from exc
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: Schedule, user: User | None = None) -> None:
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    _refuse_published(schedule)
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
        raise InvalidInput({"employee": "The employee works in another store."})
    if not employee.is_active:
        raise InvalidInput({"employee": "The employee is inactive."})
    if start_time == end_time:
        raise InvalidInput({"end_time": "A shift cannot end when it starts."})
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
            f"{employee.name} already works {other}, which overlaps this shift.",
            code="shift_overlap",
        )
    monday, sunday = week_bounds(schedule.schedule_date)
    seconds = employee_week_seconds(employee, schedule.schedule_date, exclude)
    seconds += sum((e - s).total_seconds() for d, s, e in pending if monday <= d <= sunday)
    hours = (seconds + (ends - starts).total_seconds()) / 3600
    cap = weekly_cap(employee.preferences)
    if hours > cap + 1e-9:
        raise DomainError(
            f"{employee.name} would work {hours:g} h in the week of {monday}, over the cap of {cap:g} h.",
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
    for key, value in changes.items():
        setattr(shift, key, value)
    shift.schedule, shift.employee = schedule, employee
    shift_check(
        schedule=schedule, employee=employee, start_time=shift.start_time, end_time=shift.end_time, exclude=[shift.pk]
    )
    if not shift.shift_type:
        shift.shift_type = shift_type_for(shift.start_time)
    shift.save()
    return shift


@transaction.atomic
def shift_delete(*, shift: Shift, user: User | None = None) -> None:
    shift = Shift.objects.get(pk=shift.pk)
    _refuse_published(Schedule.objects.select_for_update().get(pk=shift.schedule_id))
    shift.delete()
