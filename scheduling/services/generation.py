"""Schedule generation: load the inputs (the demand model in scheduling.demand, the store's staff and
the shifts they already hold), call the pure assignment in scheduling.assignment, write the shifts in
bulk; docs/architecture.md ("Scheduling") has the rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from scheduling.assignment import Assignment, StaffMember, assign_day, staff_member
from scheduling.budget import apply_budget, position_wages
from scheduling.demand import HISTORY_WEEKS, generation_report, schedule_demand
from scheduling.forecast import DayForecast, forecast_days
from scheduling.models import Schedule, Shift
from scheduling.selectors import bookings_around, staff_constraints
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


def shift_note(assignment: Assignment) -> str:
    """The note of a generated shift: its period, and whether it is a peak shift or a budget head."""
    suffix = {"peak": " (peak)", "extra": " (budget)"}.get(assignment.kind, "")
    return f"generated: {assignment.period}{suffix}"


def _staff(employees: list[Employee], day: dt.date) -> list[StaffMember]:
    """The employees as assignment sees them, with their availability and approved leave of `day`
    (two queries for the whole staff, never one per candidate)."""
    availability, leave = staff_constraints(employee_ids=[e.pk for e in employees], start=day, end=day)
    return [
        staff_member(
            id=e.pk,
            position=e.position,
            skills=e.skills,
            preferences=e.preferences,
            performance_score=e.performance_score,
            availability=availability.get(e.pk),
            leave=leave.get(e.pk, ()),
        )
        for e in employees
    ]


def _local_time(when: dt.datetime) -> dt.time:
    return timezone.localtime(when).time()


@transaction.atomic
def schedule_generate(
    *,
    store: Store,
    day: dt.date,
    user: User | None = None,
    weeks: int = HISTORY_WEEKS,
    forecast: DayForecast | None = None,
    budget_heads: bool = True,
) -> tuple[Schedule, dict[str, Any]]:
    """Build (or rebuild) the unpublished schedule of `store` on `day` from the forecast demand,
    trimmed or extended towards the store's labor budget (scheduling.budget).

    Returns the schedule and its generation report (also stored in ``schedule.generation_report``).
    Raises Locked when the day is published. `forecast`: the day's, when the caller has it already;
    `budget_heads=False` leaves the optional heads of the budget to `schedule_add_budget_heads`.
    """
    check_day(day)
    schedule = _get_schedule_locked(store, day)
    if schedule.is_published:
        raise Locked(
            f"The schedule of {store.pk} on {day} is published and cannot be regenerated.",
            code="schedule_published",
        )
    if forecast is None:
        forecast = forecast_days(store_id=store.pk, days=[day], weeks=weeks)[day]
    periods = schedule_demand(store=store, day=day, weeks=weeks, forecast=forecast)

    # Lock the store's active staff (stable order) so manual edits and other generations wait.
    employees = list(Employee.objects.select_for_update().filter(store=store, is_active=True).order_by("pk"))
    budget = apply_budget(
        periods,
        sales_cents=forecast.revenue_cents,
        target_percent=store.target_labor_percent,
        wages=position_wages((e.position, e.hourly_wage_cents) for e in employees),
    )
    schedule.shifts.all().delete()
    booked, week_hours = bookings_around(employee_ids=[e.pk for e in employees], day=day)
    result = assign_day(
        day=day,
        slots=[p.slot(day, extra=budget_heads) for p in periods],
        staff=_staff(employees, day),
        booked=booked,
        week_hours=week_hours,
    )
    _write_shifts(schedule, result.assignments)

    report = generation_report(
        store_id=store.pk,
        day=day,
        weeks=weeks,
        periods=periods,
        result=result,
        generated_at=timezone.now(),
        generated_by=str(user.pk) if user is not None and user.pk else None,
        budget=budget,
    )
    schedule.generation_report = report
    schedule.save(update_fields=["generation_report", "updated_at"])
    return schedule, report


def _write_shifts(schedule: Schedule, assignments: list[Assignment]) -> None:
    shifts = []
    for a in assignments:
        shift = Shift(
            schedule=schedule,
            employee_id=a.employee_id,
            shift_type=a.shift_type,
            start_time=_local_time(a.starts),
            end_time=_local_time(a.ends),
            position=a.position,
            notes=shift_note(a),
        )
        shift.starts_at, shift.ends_at = a.starts, a.ends
        shifts.append(shift)
    Shift.objects.bulk_create(shifts)


@transaction.atomic
def schedule_add_budget_heads(
    *, store: Store, day: dt.date, weeks: int = HISTORY_WEEKS, forecast: DayForecast | None = None
) -> tuple[Schedule, dict[str, Any]]:
    """Staff the optional heads of the labor budget on a day generated without them, from whoever
    the whole range left free (its demand keeps the shifts it has). Updates the report."""
    schedule = _get_schedule_locked(store, day)
    report = dict(schedule.generation_report or {})
    if schedule.is_published or "periods" not in report:
        return schedule, report
    if forecast is None:
        forecast = forecast_days(store_id=store.pk, days=[day], weeks=weeks)[day]
    periods = schedule_demand(store=store, day=day, weeks=weeks, forecast=forecast)
    employees = list(Employee.objects.select_for_update().filter(store=store, is_active=True).order_by("pk"))
    apply_budget(
        periods,
        sales_cents=forecast.revenue_cents,
        target_percent=store.target_labor_percent,
        wages=position_wages((e.position, e.hourly_wage_cents) for e in employees),
    )
    if not any(p.extra for p in periods):
        return schedule, report
    booked, week_hours = bookings_around(employee_ids=[e.pk for e in employees], day=day)
    same_day: dict[Any, list] = defaultdict(list)
    for employee_id, starts, ends in schedule.shifts.values_list("employee_id", "starts_at", "ends_at"):
        same_day[employee_id].append((starts, ends))
        booked[employee_id] = [span for span in booked.get(employee_id, []) if span != (starts, ends)]
    result = assign_day(
        day=day,
        slots=[p.slot(day) for p in periods],
        staff=_staff(employees, day),
        booked=booked,
        week_hours=week_hours,
        same_day=same_day,
        required=False,
    )
    _write_shifts(schedule, result.assignments)
    report["extra_hours"] = round(result.extra_hours, 2)
    report["shifts"] = schedule.shifts.count()
    report["staff"] = schedule.shifts.values("employee_id").distinct().count()
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
    forecasts = forecast_days(store_id=store.pk, days=todo, weeks=weeks)
    load = {
        day: sum(
            p.hours * sum(p.needs.values())
            for p in schedule_demand(store=store, day=day, weeks=weeks, forecast=forecasts[day])
        )
        for day in todo
    }
    busiest_first = sorted(todo, key=lambda d: (-load[d], d))
    for day in busiest_first:
        results[day] = schedule_generate(
            store=store, day=day, user=user, weeks=weeks, forecast=forecasts[day], budget_heads=False
        )
    # The budget's optional heads last, so they never take hours another day's demand needed.
    for day in busiest_first:
        results[day] = schedule_add_budget_heads(store=store, day=day, weeks=weeks, forecast=forecasts[day])
    return [results[day] for day in days]
