"""Scheduling reads over several tables: labor totals (SQL), the shifts that bound a new one, and the
shift list built from rows (no model instances; like orders.selectors)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, Func, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from scheduling.assignment import Span, week_bounds
from scheduling.models import Availability, LeaveRequest, Schedule, Shift
from stores.models import WEEKDAYS, Employee, Store
from zhilian.api.rows import datetime_text


class SecondsBetween(Func):
    """Whole seconds between two datetimes (end - start), computed in the database per vendor."""

    output_field = models.BigIntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"CAST(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) AS bigint)", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra_context):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        # Django stores UTC text on SQLite; julianday() parses it; rounding removes float noise.
        return (
            f"CAST(ROUND((julianday({end_sql}) - julianday({start_sql})) * 86400.0) AS INTEGER)",
            [*end_params, *start_params],
        )


def shift_seconds(prefix: str = "") -> Func:
    """Seconds of a shift as an SQL expression; `prefix` reaches shifts from another model ("shifts__")."""
    return SecondsBetween(F(f"{prefix}ends_at"), F(f"{prefix}starts_at"))


def labor_annotations(prefix: str = "shifts__") -> dict[str, Any]:
    """Aggregates for a queryset whose rows own shifts (schedules): staff, seconds, cost in cents."""
    seconds = shift_seconds(prefix)
    big = models.BigIntegerField()
    # PostgreSQL sums bigints into numeric; cast back so the division below is an integer one.
    cent_seconds = Cast(Coalesce(Sum(seconds * F(f"{prefix}employee__hourly_wage_cents")), Value(0)), big)
    return {
        "total_staff": Count(f"{prefix}employee", distinct=True),
        "total_seconds": Cast(Coalesce(Sum(seconds), Value(0)), big),
        # (wage cents per hour x seconds + half an hour) // 3600: cents, rounded half up, in SQL.
        "labor_cost_cents": ExpressionWrapper((cent_seconds + Value(1800)) / Value(3600), output_field=big),
    }


def schedules_with_labor(queryset=None):
    """Schedules annotated with total_staff, total_seconds and labor_cost_cents (one SQL query)."""
    queryset = Schedule.objects.all() if queryset is None else queryset
    return queryset.annotate(**labor_annotations())


def schedule_labor(*, schedules_queryset) -> dict[str, Any]:
    """Totals over a set of schedules: distinct staff, hours and labor cost in cents (SQL aggregates)."""
    shifts = Shift.objects.filter(schedule__in=schedules_queryset.values("pk"))
    seconds = shift_seconds()
    totals = shifts.aggregate(
        total_staff=Count("employee", distinct=True),
        total_seconds=Coalesce(Sum(seconds), Value(0), output_field=models.BigIntegerField()),
        cent_seconds=Coalesce(
            Sum(seconds * F("employee__hourly_wage_cents"), output_field=models.BigIntegerField()),
            Value(0),
            output_field=models.BigIntegerField(),
        ),
    )
    return {
        "total_staff": totals["total_staff"],
        # PostgreSQL returns numeric sums (Decimal): back to int before arithmetic.
        "total_hours": round(int(totals["total_seconds"]) / 3600, 2),
        "labor_cost_cents": (int(totals["cent_seconds"]) + 1800) // 3600,
    }


def employee_week_seconds(employee: Employee, day: dt.date, exclude: Iterable = ()) -> int:
    """Seconds the employee is scheduled in the ISO week of `day`, leaving out the shifts `exclude`."""
    monday, sunday = week_bounds(day)
    return int(
        Shift.objects.filter(employee=employee, schedule__schedule_date__range=(monday, sunday))
        .exclude(pk__in=list(exclude))
        .aggregate(s=Coalesce(Sum(shift_seconds()), Value(0), output_field=models.BigIntegerField()))["s"]
    )


def bookings_around(*, employee_ids: list, day: dt.date) -> tuple[dict[Any, list[Span]], dict[Any, float]]:
    """What the employees already hold around `day`: their shifts that could overlap one of the day
    (the neighbouring days', overnight ones included) and their hours in its ISO week."""
    monday, sunday = week_bounds(day)
    tz = timezone.get_current_timezone()
    window_start = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min), tz)
    window_end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=2), dt.time.min), tz)
    rows = (
        Shift.objects.filter(employee__in=employee_ids)
        .filter(
            Q(schedule__schedule_date__range=(monday, sunday)) | Q(starts_at__lt=window_end, ends_at__gt=window_start)
        )
        .values_list("employee_id", "starts_at", "ends_at", "schedule__schedule_date")
    )
    booked: dict[Any, list[Span]] = defaultdict(list)
    week_hours: dict[Any, float] = defaultdict(float)
    for employee_id, starts, ends, schedule_day in rows:
        booked[employee_id].append((starts, ends))
        if monday <= schedule_day <= sunday:
            week_hours[employee_id] += (ends - starts).total_seconds() / 3600
    return dict(booked), dict(week_hours)


def daily_labor(store_ids: Iterable[str], start: dt.date, end: dt.date, *, actual: bool = False) -> QuerySet | list:
    """One row per schedule (store_id, schedule_date) over [start, end], published or not, with
    total_seconds and labor_cost_cents of its shifts, as scheduling reports them (one query).

    With `actual`, a store-day that has closed time entries reports what was worked instead:
    the entries' worked seconds and their pay with overtime (attendance.selectors.daily_actual_labor);
    the other store-days keep their scheduled figures."""
    store_ids = list(store_ids)
    scheduled = (
        schedules_with_labor(Schedule.objects.filter(store_id__in=store_ids, schedule_date__range=(start, end)))
        .order_by()
        .values("store_id", "schedule_date", "total_seconds", "labor_cost_cents")
    )
    if not actual:
        return scheduled
    from attendance.selectors import daily_actual_labor  # attendance builds on scheduling, not the reverse

    rows = {(row["store_id"], row["schedule_date"]): row for row in scheduled}
    rows.update({(row["store_id"], row["schedule_date"]): row for row in daily_actual_labor(store_ids, start, end)})
    return list(rows.values())


# --- the shift list from rows --------------------------------------------------------------------

# A shift's representation (ShiftSerializer's fields) as key -> row field, in the response's order.
SHIFT_COLUMNS = {
    "id": "id",
    "schedule": "schedule_id",
    "store": "schedule__store_id",
    "schedule_date": "schedule__schedule_date",
    "employee": "employee_id",
    "employee_name": "employee__name",
    "position": "position",
    "shift_type": "shift_type",
    "start_time": "start_time",
    "end_time": "end_time",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "is_confirmed": "is_confirmed",
    "confirmed_at": "confirmed_at",
    "is_completed": "is_completed",
    "notes": "notes",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
# Only the shown columns: select_related("employee", "schedule") also read and decoded the
# employee's skills and preferences and the schedule's generation report (JSON) for every shift.
_SHIFT_ROWS = Shift.objects.values(*SHIFT_COLUMNS.values())


def shift_rows() -> QuerySet:
    """Every shift as a row for `shift_payloads`: a lazy values() queryset that the caller scopes
    (`for_user`), filters, orders and a paginator counts and slices."""
    return _SHIFT_ROWS.all()


def shift_payloads(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API representation of the shifts in `rows` (ShiftSerializer's, field for field)."""
    tz = timezone.get_current_timezone() if settings.USE_TZ else None
    return [
        {
            "id": str(row["id"]),
            "schedule": str(row["schedule_id"]),
            "store": row["schedule__store_id"],
            "schedule_date": row["schedule__schedule_date"].isoformat(),
            "employee": row["employee_id"],
            "employee_name": row["employee__name"],
            "position": row["position"],
            "shift_type": row["shift_type"],
            "start_time": row["start_time"].isoformat(),
            "end_time": row["end_time"].isoformat(),
            "starts_at": datetime_text(row["starts_at"], tz),
            "ends_at": datetime_text(row["ends_at"], tz),
            "hours": round((row["ends_at"] - row["starts_at"]).total_seconds() / 3600, 2),
            "is_confirmed": row["is_confirmed"],
            "confirmed_at": datetime_text(row["confirmed_at"], tz),
            "is_completed": row["is_completed"],
            "notes": row["notes"],
            "created_at": datetime_text(row["created_at"], tz),
            "updated_at": datetime_text(row["updated_at"], tz),
        }
        for row in rows
    ]


# --- the labor budget of a week -------------------------------------------------------------------


def _percent(cost_cents: int, sales_cents: int) -> Decimal | None:
    if sales_cents <= 0:
        return None
    return (Decimal(cost_cents) * 100 / Decimal(sales_cents)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def schedule_budget(*, schedule: Schedule, today: dt.date | None = None) -> dict[str, Any]:
    """The labor budget of the ISO week of `schedule`: per day and for the week, forecast sales,
    scheduled hours, labor cost, labor % and the store's target (scheduling.forecast; two queries
    for the labor and one for the sales history). Past days also carry what they sold."""
    from scheduling.forecast import forecast_days, sales_by_hour

    today = today or timezone.localdate()
    store = schedule.store
    monday, sunday = week_bounds(schedule.schedule_date)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    forecasts = forecast_days(store_id=store.pk, days=days, today=today)
    actual: dict[dt.date, int] = {}
    if monday < today:
        sold = sales_by_hour(store_ids=[store.pk], start=monday, end=min(today, sunday + dt.timedelta(days=1)))
        actual = {d: round(sum(h[0] for h in hours.values())) for d, hours in sold.get(store.pk, {}).items()}
    labor = {row["schedule_date"]: row for row in daily_labor([store.pk], monday, sunday)}
    target = store.target_labor_percent
    rows = []
    for day in days:
        row = labor.get(day, {})
        seconds, cost = int(row.get("total_seconds") or 0), int(row.get("labor_cost_cents") or 0)
        sales = forecasts[day].revenue_cents
        rows.append(
            {
                "date": day,
                "has_schedule": day in labor,
                "forecast_sales_cents": sales,
                "actual_sales_cents": actual.get(day, 0) if day < today else None,
                "scheduled_hours": round(seconds / 3600, 2),
                "labor_cost_cents": cost,
                "labor_percent": _percent(cost, sales),
                "target_labor_percent": target,
            }
        )
    sales = sum(r["forecast_sales_cents"] for r in rows)
    cost = sum(r["labor_cost_cents"] for r in rows)
    return {
        "store": store.pk,
        "schedule": schedule.pk,
        "week_start": monday,
        "week_end": sunday,
        "target_labor_percent": target,
        "days": rows,
        "week": {
            "forecast_sales_cents": sales,
            "actual_sales_cents": sum(r["actual_sales_cents"] or 0 for r in rows) if monday < today else None,
            "scheduled_hours": round(sum(r["scheduled_hours"] for r in rows), 2),
            "labor_cost_cents": cost,
            "labor_percent": _percent(cost, sales),
            "target_labor_percent": target,
        },
    }


def staff_constraints(
    *, employee_ids: Iterable, start: dt.date, end: dt.date
) -> tuple[dict[Any, dict[int, tuple]], dict[Any, set[dt.date]]]:
    """What limits when the employees can work over [start, end], in two queries: their
    availability ranges ({employee: {weekday: ((start, end), ...)}}) and their days of approved
    leave ({employee: {day, ...}}). scheduling.assignment.staff_member takes both."""
    employee_ids = list(employee_ids)
    availability: dict[Any, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for employee_id, weekday, range_start, range_end in (
        Availability.objects.filter(employee_id__in=employee_ids)
        .order_by("employee_id", "weekday", "start_time")
        .values_list("employee_id", "weekday", "start_time", "end_time")
    ):
        availability[employee_id][weekday].append((range_start, range_end))
    leave: dict[Any, set[dt.date]] = defaultdict(set)
    for employee_id, first, last in LeaveRequest.objects.filter(
        employee_id__in=employee_ids,
        status=LeaveRequest.Status.APPROVED,
        start_date__lte=end,
        end_date__gte=start,
    ).values_list("employee_id", "start_date", "end_date"):
        day = max(first, start)
        while day <= min(last, end):
            leave[employee_id].add(day)
            day += dt.timedelta(days=1)
    ranges = {e: {w: tuple(r) for w, r in days.items()} for e, days in availability.items()}
    return ranges, dict(leave)


def schedule_violations(*, store_id: str, start: dt.date, end: dt.date) -> list:
    """Re-check the shifts of a store's days [start, end] against every rule of assignment
    (scheduling.assignment.violations), with the whole ISO weeks read for the weekly caps and a
    day on either side for overlaps and rest. Four queries."""
    from scheduling.assignment import ShiftRecord, staff_member, violations

    first, _ = week_bounds(start - dt.timedelta(days=1))
    _, last = week_bounds(end + dt.timedelta(days=1))
    rows = Shift.objects.filter(schedule__store_id=store_id, schedule__schedule_date__range=(first, last)).values_list(
        "id", "employee_id", "schedule__schedule_date", "starts_at", "ends_at", "position"
    )
    shifts = [ShiftRecord(*row) for row in rows]
    employees = list(
        Employee.objects.filter(store_id=store_id, is_active=True).values(
            "id", "position", "skills", "preferences", "performance_score"
        )
    )
    availability, leave = staff_constraints(employee_ids=[e["id"] for e in employees], start=first, end=last)
    staff = {
        e["id"]: staff_member(
            id=e["id"],
            position=e["position"],
            skills=e["skills"],
            preferences=e["preferences"],
            performance_score=e["performance_score"],
            availability=availability.get(e["id"]),
            leave=leave.get(e["id"], ()),
        )
        for e in employees
    }
    in_range = {s.id for s in shifts if start <= s.day <= end}
    return [v for v in violations(shifts, staff) if in_range.intersection(v.shifts)]


# --- the week grid (admin) ------------------------------------------------------------------------


def week_days(day: dt.date) -> list[dt.date]:
    """The seven days (Monday to Sunday) of the ISO week of `day`."""
    monday, _sunday = week_bounds(day)
    return [monday + dt.timedelta(days=i) for i in range(7)]


def week_daily_labor(*, store_id: str, days: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Scheduled seconds and labor cost (cents, rounded half up per day) of a store's shifts on each
    of `days`, published or not: one grouped SQL query. Days without shifts are zero."""
    seconds = shift_seconds()
    big = models.BigIntegerField()
    rows = (
        Shift.objects.filter(schedule__store_id=store_id, schedule__schedule_date__range=(days[0], days[-1]))
        .order_by()
        .values("schedule__schedule_date")
        .annotate(
            seconds=Coalesce(Sum(seconds, output_field=big), Value(0), output_field=big),
            cent_seconds=Coalesce(
                Sum(seconds * F("employee__hourly_wage_cents"), output_field=big), Value(0), output_field=big
            ),
        )
    )
    totals = {day: {"seconds": 0, "labor_cost_cents": 0} for day in days}
    for row in rows:
        # PostgreSQL sums bigints into numeric (Decimal): back to int before the integer division.
        totals[row["schedule__schedule_date"]] = {
            "seconds": int(row["seconds"]),
            "labor_cost_cents": (int(row["cent_seconds"]) + 1800) // 3600,
        }
    return totals


def report_gaps(report: dict[str, Any] | None) -> dict[str, Any]:
    """What a generation report could not fill: the gaps, unfilled heads and position-hours, coverage."""
    report = report or {}
    gaps = [g for g in report.get("gaps", []) if isinstance(g, dict)]
    demanded, filled = report.get("demanded_hours"), report.get("filled_hours")
    missing_hours = round(max(float(demanded) - float(filled), 0.0), 2) if demanded is not None else None
    return {
        "gaps": gaps,
        "heads": sum(max(int(g.get("needed", 0)) - int(g.get("filled", 0)), 0) for g in gaps),
        "hours": missing_hours,
        "demanded": float(demanded or 0),
        "filled": float(filled or 0),
        "coverage": report.get("coverage"),
        "generated": bool(report) and "skipped" not in report,
    }


def week_footer_rows(*, store_id: str, days: list[dt.date], reports: dict[dt.date, dict]) -> list[dict[str, Any]]:
    """The rows under the week grid: one value per day and a week total each, with a `kind` that
    says how to show it (hours, yuan from cents, count, percent).

    The one place the grid's daily figures come from: forecast sales, the labor budget and labor %
    join here as more rows (same shape) once they exist.
    """
    labor = week_daily_labor(store_id=store_id, days=days)
    gaps = {day: report_gaps(reports.get(day)) for day in days}
    hours = [labor[d]["seconds"] / 3600 for d in days]
    cost = [labor[d]["labor_cost_cents"] for d in days]
    heads = [gaps[d]["heads"] if gaps[d]["generated"] else None for d in days]
    missing = [gaps[d]["hours"] if gaps[d]["generated"] else None for d in days]
    coverage = [gaps[d]["coverage"] if gaps[d]["generated"] else None for d in days]
    generated = [gaps[d] for d in days if gaps[d]["generated"]]
    demanded = sum(g["demanded"] for g in generated)
    # The labor budget (issue 13): each day's forecast sales and the scheduled cost's share of them,
    # against the store's target labor % (scheduling.forecast, one read of the sales history).
    from scheduling.forecast import forecast_days

    forecasts = forecast_days(store_id=store_id, days=days)
    sales = [forecasts[d].revenue_cents for d in days]
    target = Store.objects.filter(pk=store_id).values_list("target_labor_percent", flat=True).first()

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return [
        {"key": "hours", "kind": "hours", "values": hours, "total": sum(hours)},
        {"key": "labor_cost", "kind": "yuan", "values": cost, "total": sum(cost)},
        {"key": "forecast_sales", "kind": "yuan", "values": sales, "total": sum(sales)},
        {
            "key": "labor_percent",
            "kind": "percent",
            "values": [share(c, f) for c, f in zip(cost, sales, strict=True)],
            "total": share(sum(cost), sum(sales)),
            "target": float(target) / 100 if target else None,
        },
        {"key": "open_heads", "kind": "count", "values": heads, "total": sum(h or 0 for h in heads)},
        {"key": "open_hours", "kind": "hours", "values": missing, "total": sum(m or 0 for m in missing)},
        # The week's coverage: the generated days' filled position-hours over their demanded ones.
        {
            "key": "coverage",
            "kind": "percent",
            "values": coverage,
            "total": sum(g["filled"] for g in generated) / demanded if demanded else None,
        },
    ]


def _position_order() -> dict[str, int]:
    return {value: i for i, value in enumerate(Employee.Position.values)}


def employee_days_off(preferences: Any, days: list[dt.date], leave_days: Iterable[dt.date] = ()) -> set[dt.date]:
    """Which of `days` the employee does not work: their stated days off (``preferences.days_off``,
    weekdays) and their days of approved leave (`leave_days`, from `week_leave`)."""
    off = preferences.get("days_off") if isinstance(preferences, dict) else None
    off = set(off) if isinstance(off, list) else set()
    leave = set(leave_days)
    return {d for d in days if WEEKDAYS[d.weekday()] in off or d in leave}


def week_leave(*, store_id: str, days: list[dt.date], user) -> dict[tuple[Any, dt.date], dict[str, Any]]:
    """Pending and approved leave of a store's employees over `days`, per (employee, day): the
    request's id, status and type (one query; what `user` may see)."""
    marks: dict[tuple[Any, dt.date], dict[str, Any]] = {}
    rows = (
        LeaveRequest.objects.for_user(user)
        .filter(
            employee__store_id=store_id,
            status__in=LeaveRequest.HOLDING,
            start_date__lte=days[-1],
            end_date__gte=days[0],
        )
        .order_by("created_at")
        .values("id", "employee_id", "status", "leave_type", "start_date", "end_date")
    )
    for row in rows:
        for d in days:
            if row["start_date"] <= d <= row["end_date"]:
                marks[(row["employee_id"], d)] = row
    return marks


def week_grid(*, store_id: str, day: dt.date, user) -> dict[str, Any]:
    """A store's week around `day` for the grid: its schedules, employees by position with their
    shifts per day, days off and leave (pending or approved), the generation gaps (unfilled demand)
    per day, and the footer rows.

    A fixed number of queries whatever the number of employees and shifts.
    """
    days = week_days(day)
    schedules = {
        s["schedule_date"]: s
        for s in Schedule.objects.for_user(user)
        .filter(store_id=store_id, schedule_date__range=(days[0], days[-1]))
        .values("id", "schedule_date", "is_published", "published_at", "generation_report")
    }
    shift_rows = list(
        Shift.objects.for_user(user)
        .filter(schedule__store_id=store_id, schedule__schedule_date__range=(days[0], days[-1]))
        .order_by("starts_at", "employee_id")
        .values(
            "id",
            "employee_id",
            "schedule__schedule_date",
            "schedule__is_published",
            "start_time",
            "end_time",
            "starts_at",
            "ends_at",
            "shift_type",
            "position",
            "notes",
            "is_confirmed",
        )
    )
    working = {row["employee_id"] for row in shift_rows}
    # The store's active staff, and anyone (inactive since) who holds a shift this week.
    employees = list(
        Employee.objects.for_user(user)
        .filter(store_id=store_id)
        .filter(Q(is_active=True) | Q(pk__in=working))
        .values("id", "name", "position", "preferences", "is_active", "hourly_wage_cents")
    )
    order = _position_order()
    employees.sort(key=lambda e: (order.get(e["position"], len(order)), e["name"], e["id"]))
    by_cell: dict[tuple[Any, dt.date], list[dict]] = defaultdict(list)
    week_seconds: dict[Any, float] = defaultdict(float)
    for row in shift_rows:
        row["hours"] = (row["ends_at"] - row["starts_at"]).total_seconds() / 3600
        by_cell[(row["employee_id"], row["schedule__schedule_date"])].append(row)
        week_seconds[row["employee_id"]] += row["hours"]
    leave = week_leave(store_id=store_id, days=days, user=user)
    groups: list[dict[str, Any]] = []
    for employee in employees:
        marks = {d: leave.get((employee["id"], d)) for d in days}
        approved = [d for d, m in marks.items() if m and m["status"] == LeaveRequest.Status.APPROVED]
        off = employee_days_off(employee["preferences"], days, approved)
        cells = [
            {"day": d, "shifts": by_cell.get((employee["id"], d), []), "day_off": d in off, "leave": marks[d]}
            for d in days
        ]
        entry = {**employee, "cells": cells, "week_hours": week_seconds.get(employee["id"], 0.0)}
        if not groups or groups[-1]["position"] != employee["position"]:
            groups.append({"position": employee["position"], "employees": []})
        groups[-1]["employees"].append(entry)
    reports = {d: (schedules[d]["generation_report"] if d in schedules else {}) for d in days}
    return {
        "days": days,
        "schedules": schedules,
        "groups": groups,
        "open_shifts": [report_gaps(reports[d])["gaps"] for d in days],
        "footer": week_footer_rows(store_id=store_id, days=days, reports=reports),
    }
