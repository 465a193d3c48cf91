"""Attendance reads: the week of a timesheet, shift actuals against the schedule, the clock's
status of one employee, approved timesheets for payroll. Aggregates in SQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from attendance import overtime
from attendance.models import PublicHoliday, TimeEntry, Timesheet
from scheduling.models import Shift
from stores.models import Employee, Store


def overtime_rules(employee: Employee) -> overtime.Rules:
    return overtime.Rules.from_settings().for_employee((employee.preferences or {}).get("days_off"))


def holiday_calendar(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    return dict(PublicHoliday.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def week_worked_minutes(employee: Employee, week_start: dt.date) -> dict[dt.date, int]:
    """Closed entries' worked time per business day of the week, in whole minutes (one query)."""
    rows = (
        TimeEntry.objects.filter(
            employee=employee,
            business_date__range=(week_start, week_start + dt.timedelta(days=6)),
            worked_seconds__isnull=False,
        )
        .order_by()
        .values("business_date")
        .annotate(seconds=Sum("worked_seconds"))
    )
    return {row["business_date"]: row["seconds"] // 60 for row in rows}


def timesheet_week(employee: Employee, week_start: dt.date) -> overtime.Week:
    calendar = holiday_calendar(week_start, week_start + dt.timedelta(days=6))
    return overtime.split_week(
        week_start, week_worked_minutes(employee, week_start), calendar, overtime_rules(employee)
    )


def _minutes(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DurationField())


def shift_actuals(shifts: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """Shifts annotated with what happened (one query): actual_start / actual_end (first clock-in,
    last clock-out), worked_seconds, break_seconds, entry_count, late (actual start after the
    shift's start) and early_leave (last clock-out before its end) as durations, and no_show: a
    published shift that has ended without any punch."""
    now = now or timezone.now()
    return shifts.annotate(
        entry_count=Count("time_entries"),
        actual_start=Min("time_entries__clock_in_at"),
        actual_end=Max("time_entries__clock_out_at"),
        actual_worked_seconds=Coalesce(Sum("time_entries__worked_seconds"), 0),
        actual_break_seconds=Coalesce(Sum("time_entries__break_seconds"), 0),
        open_entries=Count("time_entries", filter=Q(time_entries__clock_out_at__isnull=True)),
    ).annotate(
        late=Case(
            When(actual_start__gt=F("starts_at"), then=_minutes(F("actual_start") - F("starts_at"))),
            default=Value(dt.timedelta(0)),
            output_field=DurationField(),
        ),
        early_leave=Case(
            When(
                open_entries=0,
                actual_end__lt=F("ends_at"),
                then=_minutes(F("ends_at") - F("actual_end")),
            ),
            default=Value(dt.timedelta(0)),
            output_field=DurationField(),
        ),
        no_show=Case(
            When(entry_count=0, schedule__is_published=True, ends_at__lte=now, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def shift_actuals_rows(store: Store, start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> list[dict]:
    """One row per published shift of the store over [start, end] with its actuals, minutes as integers."""
    shifts = Shift.objects.filter(
        schedule__store=store, schedule__is_published=True, schedule__schedule_date__range=(start, end)
    ).order_by("starts_at", "employee_id")
    rows = shift_actuals(shifts, now=now).values(
        "id",
        "employee_id",
        "employee__name",
        "schedule__schedule_date",
        "starts_at",
        "ends_at",
        "entry_count",
        "actual_start",
        "actual_end",
        "actual_worked_seconds",
        "actual_break_seconds",
        "late",
        "early_leave",
        "no_show",
    )
    return [
        {
            "shift": str(row["id"]),
            "employee": row["employee_id"],
            "employee_name": row["employee__name"],
            "date": row["schedule__schedule_date"],
            "scheduled_start": row["starts_at"],
            "scheduled_end": row["ends_at"],
            "actual_start": row["actual_start"],
            "actual_end": row["actual_end"],
            "break_minutes": row["actual_break_seconds"] // 60,
            "worked_hours": round(row["actual_worked_seconds"] / 3600, 2),
            "late_minutes": _whole_minutes(row["late"]),
            "early_leave_minutes": _whole_minutes(row["early_leave"]),
            "no_show": bool(row["no_show"]),
        }
        for row in rows
    ]


def _whole_minutes(value) -> int:
    if value is None:
        return 0
    if isinstance(value, int):  # SQLite may hand back microseconds
        return value // 60_000_000
    return int(value.total_seconds() // 60)


def clock_status(employee: Employee) -> dict:
    """Where the employee stands on the clock: the open entry and break, if any."""
    entry = (
        TimeEntry.objects.filter(employee=employee, clock_out_at__isnull=True)
        .select_related("shift")
        .prefetch_related("breaks")
        .first()
    )
    open_break = next((b for b in entry.breaks.all() if b.ended_at is None), None) if entry else None
    if entry is None:
        state = "clocked_out"
    elif open_break is not None:
        state = "on_break"
    else:
        state = "clocked_in"
    return {"state": state, "entry": entry, "break_started_at": open_break.started_at if open_break else None}


def approved_timesheets(store: Store, week_start: dt.date) -> QuerySet:
    return (
        Timesheet.objects.filter(store=store, week_start=week_start, status=Timesheet.Status.APPROVED)
        .select_related("employee", "approved_by")
        .order_by("employee_id")
    )


def daily_actual_labor(store_ids, start: dt.date, end: dt.date) -> list[dict]:
    """Per store and business day over [start, end] with closed time entries: worked seconds and
    labor cost in cents, the cost paid the way the timesheets pay it (each employee's week split by
    attendance.overtime, every day's minutes at the wage × its category's multiplier).

    The worked minutes come summed per employee and day from SQL (one query over the weeks around
    the range, because overtime is decided per week), the calendar in one more; the split is the
    timesheets' pure function over those sums. Rows have daily_labor's keys (`schedule_date` is the
    business day)."""
    monday = overtime.monday_of(start)
    sunday = overtime.monday_of(end) + dt.timedelta(days=6)
    rows = (
        TimeEntry.objects.filter(
            store_id__in=list(store_ids), business_date__range=(monday, sunday), worked_seconds__isnull=False
        )
        .order_by()
        .values("store_id", "employee_id", "employee__hourly_wage_cents", "employee__preferences", "business_date")
        .annotate(seconds=Sum("worked_seconds"))
    )
    weeks: dict[tuple, dict] = {}
    for row in rows:
        key = (row["store_id"], row["employee_id"], overtime.monday_of(row["business_date"]))
        week = weeks.setdefault(key, {"row": row, "minutes": {}, "seconds": {}})
        week["minutes"][row["business_date"]] = row["seconds"] // 60
        week["seconds"][row["business_date"]] = row["seconds"]
    calendar = holiday_calendar(monday, sunday)
    base = overtime.Rules.from_settings()
    totals: dict[tuple, dict] = {}
    for (store_id, _employee, week_start), week in weeks.items():
        row = week["row"]
        rules = base.for_employee((row["employee__preferences"] or {}).get("days_off"))
        split = overtime.split_week(week_start, week["minutes"], calendar, rules)
        wage = row["employee__hourly_wage_cents"]
        for day in split.days:
            if not (start <= day.date <= end) or day.date not in week["seconds"]:
                continue
            total = totals.setdefault(
                (store_id, day.date), {"store_id": store_id, "schedule_date": day.date, "total_seconds": 0, "cost": 0}
            )
            total["total_seconds"] += week["seconds"][day.date]
            total["cost"] += overtime.Week(days=[day]).pay_exact(wage, rules)
    return [
        {**{k: v for k, v in t.items() if k != "cost"}, "labor_cost_cents": int(t["cost"].to_integral_value())}
        for t in totals.values()
    ]


def labor_comparison(store: Store, start: dt.date, end: dt.date) -> dict:
    """Scheduled vs actual over [start, end] for one store, per day and per employee (hours and,
    per day, cost in cents: the schedule's at the wage, the actual with overtime pay). Four grouped
    queries, whatever the number of shifts and entries."""
    from scheduling.selectors import daily_labor, shift_seconds

    scheduled_days = {row["schedule_date"]: row for row in daily_labor([store.pk], start, end)}
    actual_days = {row["schedule_date"]: row for row in daily_actual_labor([store.pk], start, end)}
    days = []
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        plan, real = scheduled_days.get(day, {}), actual_days.get(day, {})
        days.append(
            {
                "date": day,
                "scheduled_hours": round((plan.get("total_seconds") or 0) / 3600, 2),
                "scheduled_cost_cents": plan.get("labor_cost_cents") or 0,
                "actual_hours": round((real.get("total_seconds") or 0) / 3600, 2),
                "actual_cost_cents": real.get("labor_cost_cents") or 0,
            }
        )
    planned = (
        Shift.objects.filter(schedule__store=store, schedule__schedule_date__range=(start, end))
        .order_by()
        .values("employee_id", "employee__name")
        .annotate(seconds=Sum(shift_seconds()), shifts=Count("id"))
    )
    worked = (
        TimeEntry.objects.filter(store=store, business_date__range=(start, end), worked_seconds__isnull=False)
        .order_by()
        .values("employee_id", "employee__name")
        .annotate(seconds=Sum("worked_seconds"), entries=Count("id"))
    )
    people: dict[str, dict] = {}
    for row in planned:
        person = people.setdefault(row["employee_id"], _person(row))
        person["scheduled_hours"] = round((row["seconds"] or 0) / 3600, 2)
        person["scheduled_shifts"] = row["shifts"]
    for row in worked:
        person = people.setdefault(row["employee_id"], _person(row))
        person["actual_hours"] = round((row["seconds"] or 0) / 3600, 2)
        person["time_entries"] = row["entries"]
    return {"days": days, "employees": sorted(people.values(), key=lambda p: p["employee"])}


def _person(row) -> dict:
    return {
        "employee": row["employee_id"],
        "employee_name": row["employee__name"],
        "scheduled_hours": 0.0,
        "scheduled_shifts": 0,
        "actual_hours": 0.0,
        "time_entries": 0,
    }


# The figures of a scheduled-vs-actual row (per employee and in the totals).
COMPARISON_FIGURES = (
    "shifts",
    "scheduled_hours",
    "worked_hours",
    "unscheduled_hours",
    "late_count",
    "late_minutes",
    "early_leave_count",
    "early_leave_minutes",
    "no_shows",
    "difference_hours",
)


def scheduled_vs_actual(store: Store, start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> dict:
    """Per employee over [start, end]: the published shifts' scheduled hours against the hours
    worked on them, lateness, early leave and no-shows, plus time worked without a shift; totals
    for the store. Two queries (the shifts with their actuals, the unscheduled entries)."""
    shifts = shift_actuals_rows(store, start, end, now=now)
    unscheduled = (
        TimeEntry.objects.filter(
            store=store, business_date__range=(start, end), shift__isnull=True, worked_seconds__isnull=False
        )
        .order_by()
        .values("employee_id", "employee__name")
        .annotate(seconds=Sum("worked_seconds"))
    )
    people: dict[str, dict] = {}

    def person(employee_id: str, name: str) -> dict:
        return people.setdefault(
            employee_id, {"employee": employee_id, "employee_name": name, **dict.fromkeys(COMPARISON_FIGURES, 0)}
        )

    for row in shifts:
        row["scheduled_hours"] = round((row["scheduled_end"] - row["scheduled_start"]).total_seconds() / 3600, 2)
        row["difference_hours"] = round(row["worked_hours"] - row["scheduled_hours"], 2)
        p = person(row["employee"], row["employee_name"])
        p["shifts"] += 1
        p["scheduled_hours"] += row["scheduled_hours"]
        p["worked_hours"] += row["worked_hours"]
        p["late_count"] += row["late_minutes"] > 0
        p["late_minutes"] += row["late_minutes"]
        p["early_leave_count"] += row["early_leave_minutes"] > 0
        p["early_leave_minutes"] += row["early_leave_minutes"]
        p["no_shows"] += row["no_show"]
    for row in unscheduled:
        person(row["employee_id"], row["employee__name"])["unscheduled_hours"] += row["seconds"] / 3600
    totals = dict.fromkeys(COMPARISON_FIGURES, 0)
    employees = sorted(people.values(), key=lambda p: (p["employee_name"], p["employee"]))
    for p in employees:
        p["difference_hours"] = p["worked_hours"] + p["unscheduled_hours"] - p["scheduled_hours"]
        for key in COMPARISON_FIGURES:
            totals[key] += p[key]
    for row in [*employees, totals]:
        for key in ("scheduled_hours", "worked_hours", "unscheduled_hours", "difference_hours"):
            row[key] = round(row[key], 2)
    return {
        "store": store.pk,
        "date_from": start,
        "date_to": end,
        "employees": employees,
        "totals": totals,
        "shifts": shifts,
    }
