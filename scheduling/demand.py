"""The demand model: a day's service periods and the head-count each needs (docs/architecture.md, "Scheduling").

* Service periods come from the store's business hours for the weekday: each opening interval is
  one period; an interval longer than ``MAX_PERIOD_MINUTES`` is split into equal parts (a 10:00-22:00
  day becomes 10:00-16:00 "lunch" and 16:00-22:00 "dinner"). A period is named after its midpoint
  (morning / lunch / afternoon / dinner / late_night). Its shift starts ``PREP_MINUTES`` before the
  doors open (set-up) and ends ``CLOSE_MINUTES`` after they close (closing), where it meets a
  closed stretch; a shift ending past midnight is an overnight shift (end before start).
* Load per local hour is the sales forecast of the day (scheduling.forecast: the same ISO weekday
  over the last ``HISTORY_WEEKS`` weeks that traded, with its trend and holiday adjustment): orders
  and guests per hour. A period is staffed for its peak hour; its busiest hour is where a peak
  shift is centred (scheduling.assignment). `hourly_history` / `average_hourly` are the plain
  same-weekday averages, without trend.
* The labor budget (scheduling.budget) may then trim or add heads against the store's target
  labor % of forecast sales.
* Head-count per position = max(minimum, ceil(load / per_head - SLACK)) with the ratios in
  ``STAFFING`` (a store may override them in ``store.config["staffing"]``,
  ``{"waiter": {"per_head": 12, "minimum": 2}}``). With no history the minimums apply: one waiter,
  one chef and one cashier per open period.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from orders.models import Order
from scheduling.assignment import DayAssignment, Slot
from scheduling.forecast import DayForecast, forecast_days
from scheduling.models import Shift
from stores.models import Store
from zhilian.dates import parse_hhmm

HISTORY_WEEKS = 8
MAX_PERIOD_MINUTES = 8 * 60
PREP_MINUTES = 30
CLOSE_MINUTES = 30
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

# {local hour: {"orders": average per day, "guests": average per day}}
HourlyLoad = dict[int, dict[str, float]]


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
    peak_hour: int | None = None  # the local hour with the most orders
    # position -> peak load over what one head serves (heads = ceil(ratio - SLACK)), and the minimum
    ratios: dict[str, float] = field(default_factory=dict)
    minimums: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)  # optional heads the labor budget allows

    @property
    def start_time(self) -> dt.time:
        return _minutes_to_time(self.start)

    @property
    def end_time(self) -> dt.time:
        return _minutes_to_time(self.end)

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 60

    def slot(self, day: dt.date, *, extra: bool = True) -> Slot:
        """The period on `day` as assignment's input (aware shift bounds)."""
        starts, ends = Shift.bounds(day, self.start_time, self.end_time)
        peak = None
        if self.peak_hour is not None:
            peak = timezone.make_aware(dt.datetime.combine(day, dt.time(self.peak_hour)), starts.tzinfo)
        return Slot(
            name=self.name,
            shift_type=self.shift_type,
            starts=starts,
            ends=ends,
            needs=self.needs,
            peak=peak,
            extra=self.extra if extra else {},
        )

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
            "extra": dict(self.extra),
        }


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


def periods_for_hours(pairs: list[tuple[str, str]] | list[list[str]]) -> list[Period]:
    """Service periods (no demand yet) from one day's opening intervals, ("HH:MM", "HH:MM") pairs."""
    intervals = []
    for pair in pairs:
        try:
            opens, closes = parse_hhmm(pair[0]), parse_hhmm(pair[1])
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


def service_periods(store: Store, day: dt.date) -> list[Period]:
    """The day's service periods from the store's business hours (no demand yet)."""
    return periods_for_hours(store.hours_on(day.weekday()))


def hourly_history(*, store: Store, day: dt.date, weeks: int = HISTORY_WEEKS) -> tuple[HourlyLoad, int]:
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


def average_hourly(
    daily: Mapping[dt.date, Mapping[int, tuple[int, int]]], day: dt.date, weeks: int = HISTORY_WEEKS
) -> tuple[HourlyLoad, int]:
    """`hourly_history` over counts held in memory: `daily` maps a day to {local hour: (orders, guests)}
    of its non-cancelled orders. For callers planning many days at once (the demo seed)."""
    same_weekday = [hours for w in range(1, weeks + 1) if (hours := daily.get(day - dt.timedelta(weeks=w)))]
    if not same_weekday:
        return {}, 0
    days = len(same_weekday)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for hours in same_weekday:
        for hour, (orders, guests) in hours.items():
            totals[hour][0] += orders
            totals[hour][1] += guests
    return {h: {"orders": o / days, "guests": g / days} for h, (o, g) in sorted(totals.items())}, days


def staffing_rules_from(config: Any) -> dict[str, tuple[str, float, int]]:
    """The chain's ratios, with any valid per-store override from a store's config["staffing"]."""
    rules = dict(STAFFING)
    overrides = config.get("staffing") if isinstance(config, dict) else None
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


def staffing_rules(store: Store) -> dict[str, tuple[str, float, int]]:
    return staffing_rules_from(store.config)


def _heads(load: float, per_head: float, minimum: int) -> int:
    return max(minimum, math.ceil(load / per_head - SLACK) if load > 0 else 0)


def apply_load(periods: list[Period], history: HourlyLoad, rules: Mapping[str, tuple[str, float, int]]) -> None:
    """Set each period's peak load and head-count per position from the hourly load."""
    for period in periods:
        hours = [h for h in range(24) if h * 60 < period.close and (h + 1) * 60 > period.open]
        period.peak_orders_per_hour = max((history.get(h, {}).get("orders", 0) for h in hours), default=0)
        period.peak_guests_per_hour = max((history.get(h, {}).get("guests", 0) for h in hours), default=0)
        busiest = max(hours, key=lambda h: history.get(h, {}).get("orders", 0), default=None)
        period.peak_hour = busiest if busiest is not None and history.get(busiest, {}).get("orders") else None
        load = {"orders": period.peak_orders_per_hour, "guests": period.peak_guests_per_hour}
        period.needs = {
            position: n
            for position, (measure, per_head, minimum) in rules.items()
            if (n := _heads(load[measure], per_head, minimum)) > 0
        }
        period.ratios = {position: load[measure] / per_head for position, (measure, per_head, _m) in rules.items()}
        period.minimums = {position: minimum for position, (_m, _p, minimum) in rules.items()}
        period.extra = {}


def schedule_demand(
    *, store: Store, day: dt.date, weeks: int = HISTORY_WEEKS, forecast: DayForecast | None = None
) -> list[Period]:
    """Service periods of the day with their forecast peak load and head-count per position."""
    periods = service_periods(store, day)
    if not periods:
        return []
    if forecast is None:
        forecast = forecast_days(store_id=store.pk, days=[day], weeks=weeks)[day]
    apply_load(periods, forecast.load(), staffing_rules(store))
    return periods


def generation_report(
    *,
    store_id: str,
    day: dt.date,
    weeks: int,
    periods: list[Period],
    result: DayAssignment,
    generated_at: dt.datetime,
    generated_by: str | None,
    budget: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report stored on a generated schedule: demand, what was filled, and the gaps; `budget`
    (scheduling.budget.apply_budget's summary) adds the forecast sales and the labor budget."""
    by_name = {p.name: p for p in periods}
    budget = budget or {}
    return {
        "store": store_id,
        "date": day.isoformat(),
        "generated_at": generated_at.isoformat(),
        "generated_by": generated_by,
        "history_weeks": weeks,
        "basis": "history" if any(p.peak_orders_per_hour for p in periods) else "minimum_staffing",
        "closed": not periods,
        "periods": [{**p.as_dict(), "filled": result.filled[p.name]} for p in periods],
        "demanded_hours": round(result.demanded_hours, 2),
        "filled_hours": round(result.filled_hours, 2),
        "coverage": round(result.coverage, 4),
        "peak_shifts": sum(1 for a in result.assignments if a.kind == "peak"),
        "extra_hours": round(result.extra_hours, 2),
        "forecast_sales_cents": budget.get("forecast_sales_cents"),
        "target_labor_percent": budget.get("target_labor_percent"),
        "labor_budget_cents": budget.get("labor_budget_cents"),
        "planned_labor_cost_cents": budget.get("planned_labor_cost_cents"),
        "budget_trimmed_heads": budget.get("trimmed_heads", 0),
        "budget_extra_heads": budget.get("extra_heads", 0),
        "shifts": len(result.assignments),
        "staff": len({a.employee_id for a in result.assignments}),
        "staff_on_day_off": result.staff_on_day_off,
        "gaps": [
            {
                "period": gap.period,
                "position": gap.position,
                "needed": gap.needed,
                "filled": gap.filled,
                "start": by_name[gap.period].start_time.strftime("%H:%M"),
                "end": by_name[gap.period].end_time.strftime("%H:%M"),
                "reason": gap.reason,
                "short_hours": round(gap.short_hours, 2),
            }
            for gap in result.gaps
        ],
    }
