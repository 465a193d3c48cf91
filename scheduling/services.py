"""Scheduling services: demand, generation, publishing, confirmation, shift edits, labor totals.

Demand model (DESIGN §4 Scheduling)
-----------------------------------
* Service periods come from the store's business hours for the weekday: each opening interval is
  one period; an interval longer than ``MAX_PERIOD_MINUTES`` is split into equal parts (a 10:00-22:00
  day becomes 10:00-16:00 "lunch" and 16:00-22:00 "dinner"). A period is named after its midpoint
  (morning / lunch / afternoon / dinner / late_night). Its shift starts ``PREP_MINUTES`` before the
  doors open (set-up) and ends ``CLOSE_MINUTES`` after they close (closing), where it meets a
  closed stretch; a shift ending past midnight is an overnight shift (end before start).
* Load per local hour is an SQL aggregate over the last ``HISTORY_WEEKS`` weeks of the store's
  non-cancelled orders on the same ISO weekday: orders and guests per hour, averaged over the days
  that traded. A period is staffed for its peak hour.
* Head-count per position = max(minimum, ceil(load / per_head - SLACK)) with the ratios in
  ``STAFFING`` (a store may override them in ``store.config["staffing"]``,
  ``{"waiter": {"per_head": 12, "minimum": 2}}``). With no history the minimums apply: one waiter,
  one chef and one cashier per open period.

Assignment (``schedule_generate``)
----------------------------------
Active employees of the store only; the position must match (an employee whose ``skills`` list the
position is a fallback, used after everyone in the position). Never on a day off, never overlapping
another shift of the employee (adjacent days' overnight shifts included), never past the weekly cap
(``preferences.max_hours_per_week``, default ``DEFAULT_MAX_HOURS_PER_WEEK``, counting every shift of
the ISO week) nor ``MAX_HOURS_PER_DAY``. Among the eligible: own position first, then those not yet
working that day, then preferred shift type, then fewest hours this week, then best performance.
Busier periods are staffed before quieter ones (and, over a range, busier days before quieter days),
so a shortage leaves gaps where they hurt least. What could not be filled is reported as gaps, with a
reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Count, ExpressionWrapper, F, Func, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create
from orders.models import Order
from scheduling.models import Schedule, Shift
from stores.models import WEEKDAYS, Employee, Store
from zhilian import events, roles
from zhilian.dates import check_day, check_range, days_between
from zhilian.errors import DomainError, Forbidden, InvalidInput, InvalidTransition, Locked, NotFound, Unavailable

HISTORY_WEEKS = 8
MAX_PERIOD_MINUTES = 8 * 60
PREP_MINUTES = 30
CLOSE_MINUTES = 30
DEFAULT_MAX_HOURS_PER_WEEK = 44  # the PRC standard working week when an employee states no cap
MAX_HOURS_PER_DAY = 11  # allows a split lunch + dinner day, not a double shift beyond it
MAX_RANGE_DAYS = 31
# A head absorbs up to 20 % over its nominal load before another one is added.
SLACK = 0.2

# position -> (load measure, load one head serves per hour, minimum head-count while open)
STAFFING: dict[str, tuple[str, float, int]] = {
    "waiter": ("guests", 15, 1),
    "host": ("guests", 80, 0),
    "chef": ("orders", 12, 1),
    "kitchen_helper": ("orders", 25, 0),
    "cashier": ("orders", 40, 1),
    "dishwasher": ("guests", 80, 0),
}

PERIOD_SHIFT_TYPE = {
    "morning": Shift.Type.MORNING,
    "lunch": Shift.Type.MORNING,
    "afternoon": Shift.Type.AFTERNOON,
    "dinner": Shift.Type.EVENING,
    "late_night": Shift.Type.NIGHT,
}


# --- SQL building blocks ------------------------------------------------------------------------


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


# --- demand -------------------------------------------------------------------------------------


@dataclass
class Period:
    name: str
    shift_type: str
    open: int  # minutes after midnight, doors open
    close: int  # minutes after midnight (may be 1440)
    start: int  # shift start, minutes (may be negative: set-up before midnight is not supported)
    end: int  # shift end, minutes (may exceed 1440: overnight)
    peak_orders_per_hour: float = 0.0
    peak_guests_per_hour: float = 0.0
    needs: dict[str, int] = field(default_factory=dict)

    @property
    def start_time(self) -> dt.time:
        return _minutes_to_time(self.start)

    @property
    def end_time(self) -> dt.time:
        return _minutes_to_time(self.end)

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 60

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shift_type": str(self.shift_type),
            "open": _fmt(self.open),
            "close": _fmt(self.close),
            "start": self.start_time.strftime("%H:%M"),
            "end": self.end_time.strftime("%H:%M"),
            "hours": round(self.hours, 2),
            "peak_orders_per_hour": round(self.peak_orders_per_hour, 2),
            "peak_guests_per_hour": round(self.peak_guests_per_hour, 2),
            "needs": dict(self.needs),
        }


def _parse_hhmm(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _minutes_to_time(minutes: int) -> dt.time:
    minutes %= 24 * 60
    return dt.time(minutes // 60, minutes % 60)


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _period_name(mid: float) -> str:
    hour = mid / 60
    if hour < 11:
        return "morning"
    if hour < 15:
        return "lunch"
    if hour < 17:
        return "afternoon"
    if hour < 22:
        return "dinner"
    return "late_night"


def shift_type_for(start: dt.time) -> str:
    """Default shift type of a hand-made shift from its start time."""
    if start.hour < 11:
        return Shift.Type.MORNING
    if start.hour < 16:
        return Shift.Type.AFTERNOON
    if start.hour < 21:
        return Shift.Type.EVENING
    return Shift.Type.NIGHT


def service_periods(store: Store, day: dt.date) -> list[Period]:
    """The day's service periods from the business hours (no demand yet)."""
    intervals = []
    for pair in store.hours_on(day.weekday()):
        try:
            opens, closes = _parse_hhmm(pair[0]), _parse_hhmm(pair[1])
        except (ValueError, TypeError, IndexError):
            continue  # a malformed entry is ignored rather than failing the whole day
        if 0 <= opens < closes <= 24 * 60:
            intervals.append((opens, closes))
    intervals.sort()
    periods: list[Period] = []
    seen: dict[str, int] = defaultdict(int)
    for opens, closes in intervals:
        parts = max(1, math.ceil((closes - opens) / MAX_PERIOD_MINUTES))
        # Split points on the half hour, so shifts start at readable times.
        bounds = [opens] + [opens + round((closes - opens) * i / parts / 30) * 30 for i in range(1, parts)] + [closes]
        for i in range(parts):
            p_open, p_close = bounds[i], bounds[i + 1]
            name = _period_name((p_open + p_close) / 2)
            seen[name] += 1
            if seen[name] > 1:
                name = f"{name}_{seen[name]}"
            base = name.split("_")[0] if name.rsplit("_", 1)[-1].isdigit() else name
            start = p_open - PREP_MINUTES if i == 0 else p_open
            end = p_close + CLOSE_MINUTES if i == parts - 1 else p_close
            periods.append(
                Period(
                    name=name,
                    shift_type=PERIOD_SHIFT_TYPE.get(base, Shift.Type.AFTERNOON),
                    open=p_open,
                    close=p_close,
                    start=max(start, 0),
                    end=end,
                )
            )
    return periods


def hourly_history(*, store: Store, day: dt.date, weeks: int = HISTORY_WEEKS) -> tuple[dict[int, dict], int]:
    """Average orders and guests per local hour on this weekday over the last `weeks` weeks.

    Two SQL aggregates; returns ({hour: {"orders": avg, "guests": avg}}, trading days found).
    """
    tz = timezone.get_current_timezone()
    until = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    since = until - dt.timedelta(weeks=weeks)
    orders = Order.objects.filter(
        store=store, order_time__gte=since, order_time__lt=until, order_time__iso_week_day=day.isoweekday()
    ).exclude(status=Order.Status.CANCELLED)
    days = orders.aggregate(days=Count(TruncDate("order_time"), distinct=True))["days"] or 0
    if not days:
        return {}, 0
    rows = (
        orders.annotate(hour=ExtractHour("order_time"))
        .values("hour")
        .annotate(orders=Count("id"), guests=Sum("guest_count"))
        .order_by("hour")
    )
    return {r["hour"]: {"orders": r["orders"] / days, "guests": (r["guests"] or 0) / days} for r in rows}, days


def staffing_rules(store: Store) -> dict[str, tuple[str, float, int]]:
    """The chain's ratios, with any valid per-store override from store.config["staffing"]."""
    rules = dict(STAFFING)
    overrides = (store.config or {}).get("staffing") if isinstance(store.config, dict) else None
    if isinstance(overrides, dict):
        for position, rule in overrides.items():
            if position not in rules or not isinstance(rule, dict):
                continue
            measure, per_head, minimum = rules[position]
            new_per_head = rule.get("per_head", per_head)
            new_minimum = rule.get("minimum", minimum)
            if (
                isinstance(new_per_head, int | float)
                and not isinstance(new_per_head, bool)
                and new_per_head > 0
                and isinstance(new_minimum, int)
                and not isinstance(new_minimum, bool)
                and 0 <= new_minimum <= 50
            ):
                rules[position] = (measure, float(new_per_head), new_minimum)
    return rules


def _heads(load: float, per_head: float, minimum: int) -> int:
    return max(minimum, math.ceil(load / per_head - SLACK) if load > 0 else 0)


def schedule_demand(*, store: Store, day: dt.date, weeks: int = HISTORY_WEEKS) -> list[Period]:
    """Service periods of the day with their expected peak load and head-count per position."""
    periods = service_periods(store, day)
    if not periods:
        return []
    history, _days = hourly_history(store=store, day=day, weeks=weeks)
    rules = staffing_rules(store)
    for period in periods:
        hours = [h for h in range(24) if h * 60 < period.close and (h + 1) * 60 > period.open]
        period.peak_orders_per_hour = max((history.get(h, {}).get("orders", 0) for h in hours), default=0)
        period.peak_guests_per_hour = max((history.get(h, {}).get("guests", 0) for h in hours), default=0)
        load = {"orders": period.peak_orders_per_hour, "guests": period.peak_guests_per_hour}
        period.needs = {
            position: n
            for position, (measure, per_head, minimum) in rules.items()
            if (n := _heads(load[measure], per_head, minimum)) > 0
        }
    return periods


# --- generation ---------------------------------------------------------------------------------


def _week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _cap_hours(employee: Employee) -> float:
    cap = (employee.preferences or {}).get("max_hours_per_week") if isinstance(employee.preferences, dict) else None
    if isinstance(cap, int | float) and not isinstance(cap, bool) and cap > 0:
        return float(cap)
    return float(DEFAULT_MAX_HOURS_PER_WEEK)


def _pref_list(employee: Employee, key: str) -> list:
    prefs = employee.preferences if isinstance(employee.preferences, dict) else {}
    value = prefs.get(key) or []
    return value if isinstance(value, list) else []


@dataclass
class _Candidate:
    employee: Employee
    week_hours: float
    day_hours: float = 0.0
    booked: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)

    def free(self, starts: dt.datetime, ends: dt.datetime) -> bool:
        return all(not (s < ends and e > starts) for s, e in self.booked)


def _get_schedule_locked(store: Store, day: dt.date) -> Schedule:
    try:
        with transaction.atomic():
            schedule, _ = Schedule.objects.get_or_create(store=store, schedule_date=day)
    except IntegrityError:
        pass  # a concurrent caller created it first; the locked read below finds it
    return Schedule.objects.select_for_update().get(store=store, schedule_date=day)


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

    monday, sunday = _week_bounds(day)
    tz = timezone.get_current_timezone()
    window_start = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min), tz)
    window_end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=2), dt.time.min), tz)
    existing = (
        Shift.objects.filter(employee__in=[e.pk for e in employees])
        .filter(
            Q(schedule__schedule_date__range=(monday, sunday)) | Q(starts_at__lt=window_end, ends_at__gt=window_start)
        )
        .values_list("employee_id", "starts_at", "ends_at", "schedule__schedule_date")
    )
    weekday = WEEKDAYS[day.weekday()]
    candidates: dict[str, _Candidate] = {
        e.pk: _Candidate(employee=e, week_hours=0.0) for e in employees if weekday not in _pref_list(e, "days_off")
    }
    off_today = sum(1 for e in employees if weekday in _pref_list(e, "days_off"))
    for employee_id, starts, ends, sched_day in existing:
        cand = candidates.get(employee_id)
        if cand is None:
            continue
        cand.booked.append((starts, ends))
        if monday <= sched_day <= sunday:
            cand.week_hours += (ends - starts).total_seconds() / 3600

    shifts: list[Shift] = []
    spans = {p.name: Shift.bounds(day, p.start_time, p.end_time) for p in periods}
    filled: dict[str, dict[str, int]] = {p.name: dict.fromkeys(p.needs, 0) for p in periods}
    blocked: set[tuple[str, str]] = set()

    def assign(period: Period, position: str) -> bool:
        starts, ends = spans[period.name]
        hours = (ends - starts).total_seconds() / 3600
        eligible = [
            c
            for c in candidates.values()
            if (c.employee.position == position or position in (c.employee.skills or []))
            and c.free(starts, ends)
            and c.week_hours + hours <= _cap_hours(c.employee) + 1e-9
            and c.day_hours + hours <= MAX_HOURS_PER_DAY + 1e-9
        ]
        if not eligible:
            return False
        best = min(
            eligible,
            key=lambda c: (
                c.employee.position != position,
                c.day_hours > 0,
                bool(_pref_list(c.employee, "preferred_shifts"))
                and period.shift_type not in _pref_list(c.employee, "preferred_shifts"),
                c.week_hours,
                -float(c.employee.performance_score or 0),
                c.employee.pk,
            ),
        )
        best.booked.append((starts, ends))
        best.week_hours += hours
        best.day_hours += hours
        shift = Shift(
            schedule=schedule,
            employee=best.employee,
            shift_type=period.shift_type,
            start_time=period.start_time,
            end_time=period.end_time,
            position=position,
            notes=f"generated: {period.name}",
        )
        shift.starts_at, shift.ends_at = starts, ends
        shifts.append(shift)
        return True

    # Breadth first: every period gets its first waiter, chef... before any gets a second, and within a
    # round the peak period goes first. When hands are short no service is left empty for another's depth.
    by_peak = sorted(periods, key=lambda p: (-sum(p.needs.values()), p.start))
    for round_ in range(1, max((n for p in periods for n in p.needs.values()), default=0) + 1):
        for period in by_peak:
            for position, needed in period.needs.items():
                if needed >= round_ and (period.name, position) not in blocked:
                    if assign(period, position):
                        filled[period.name][position] += 1
                    else:
                        blocked.add((period.name, position))

    gaps = []
    demanded_hours = filled_hours = 0.0
    for period in periods:
        hours = (spans[period.name][1] - spans[period.name][0]).total_seconds() / 3600
        for position, needed in period.needs.items():
            count = filled[period.name][position]
            demanded_hours += needed * hours
            filled_hours += count * hours
            if count < needed:
                in_position = [e for e in employees if e.position == position or position in (e.skills or [])]
                gaps.append(
                    {
                        "period": period.name,
                        "position": position,
                        "needed": needed,
                        "filled": count,
                        "start": period.start_time.strftime("%H:%M"),
                        "end": period.end_time.strftime("%H:%M"),
                        "reason": "no_staff_in_position" if not in_position else "staff_unavailable",
                    }
                )
    Shift.objects.bulk_create(shifts)

    report = {
        "store": store.pk,
        "date": day.isoformat(),
        "generated_at": timezone.now().isoformat(),
        "generated_by": str(user.pk) if user is not None and user.pk else None,
        "history_weeks": weeks,
        "basis": "history" if any(p.peak_orders_per_hour for p in periods) else "minimum_staffing",
        "closed": not periods,
        "periods": [{**p.as_dict(), "filled": filled[p.name]} for p in periods],
        "demanded_hours": round(demanded_hours, 2),
        "filled_hours": round(filled_hours, 2),
        "coverage": round(filled_hours / demanded_hours, 4) if demanded_hours else 1.0,
        "shifts": len(shifts),
        "staff": len({s.employee_id for s in shifts}),
        "staff_on_day_off": off_today,
        "gaps": gaps,
    }
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


def _shift_seconds_in_week(employee: Employee, day: dt.date, exclude: list) -> int:
    monday, sunday = _week_bounds(day)
    return int(
        Shift.objects.filter(employee=employee, schedule__schedule_date__range=(monday, sunday))
        .exclude(pk__in=exclude)
        .aggregate(s=Coalesce(Sum(shift_seconds()), Value(0), output_field=models.BigIntegerField()))["s"]
    )


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
    monday, sunday = _week_bounds(schedule.schedule_date)
    seconds = _shift_seconds_in_week(employee, schedule.schedule_date, list(exclude))
    seconds += sum((e - s).total_seconds() for d, s, e in pending if monday <= d <= sunday)
    hours = (seconds + (ends - starts).total_seconds()) / 3600
    cap = _cap_hours(employee)
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
