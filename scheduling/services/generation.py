"""Schedule generation: load the inputs (the demand model in scheduling.demand, the store's staff and
the shifts they already hold), call the pure assignment in scheduling.assignment, write the shifts in
bulk; docs/architecture.md ("Scheduling") has the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from scheduling.assignment import StaffMember, assign_day, staff_member
from scheduling.demand import HISTORY_WEEKS, generation_report, schedule_demand
from scheduling.models import Schedule, Shift
from scheduling.selectors import bookings_around
from stores.models import Employee, Store
from zhilian.dates import check_day, check_range, days_between
from zhilian.errors import Locked

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
