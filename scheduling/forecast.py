"""Sales forecast per store, local day and hour from the order history, and its measured error.

* History: non-cancelled orders summed per (store, local day, local hour) in one SQL aggregate
  (`sales_by_hour`): revenue (``total_cents``), orders and guests.
* Base: the same weekday over the last ``weeks`` weeks that traded before the cut-off (the day
  itself, or today for a future day: today is not over yet), holidays left out; per hour the
  mean of those days.
* Trend: the history before the cut-off is cut into whole 7-day blocks (each holds every weekday
  once, so the weekday pattern does not bias them); a least-squares line through the blocks'
  daily means, projected to the day, divided by its value at the base days' mean date. Needs two
  blocks; clamped to [``TREND_MIN``, ``TREND_MAX``] so one odd week cannot run away with it.
* Holidays: a pluggable calendar, ``settings.ZHILIAN_HOLIDAY_CALENDAR`` = dotted path of a
  callable ``(start, end) -> {date: factor or None}`` (default: none). Holidays are left out of
  the base, and their weeks out of the trend; a holiday's forecast is multiplied by its factor,
  or, when the calendar gives none, by what past holidays in the history did against their
  same-weekday neighbours (1.0 without any).
* Accuracy (`forecast_accuracy`): every day of a range forecast only from the days before it,
  against what it sold: mean absolute percentage error of daily revenue, and the weighted error
  (sum of |error| / sum of actual) of hourly revenue (an hour's percentage error explodes on the
  quiet hours at the edges of the day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.module_loading import import_string

from orders.models import Order

FORECAST_WEEKS = 8
TREND_MIN, TREND_MAX = 0.8, 1.25
ONE_DAY = dt.timedelta(days=1)

# {local hour: (revenue cents, orders, guests)} of one day
HourSales = tuple[float, float, float]
DaySales = dict[int, HourSales]
# {local day: DaySales} of one store
SalesHistory = dict[dt.date, DaySales]
# {date: factor or None}: the holiday calendar's answer
Holidays = Mapping[dt.date, float | None]


@dataclass
class DayForecast:
    day: dt.date
    hourly: DaySales = field(default_factory=dict)
    samples: int = 0  # same-weekday days the base averages
    trend: float = 1.0
    holiday_factor: float = 1.0

    @property
    def revenue_cents(self) -> int:
        return round(sum(h[0] for h in self.hourly.values()))

    @property
    def orders(self) -> float:
        return sum(h[1] for h in self.hourly.values())

    def load(self) -> dict[int, dict[str, float]]:
        """The forecast as the demand model's hourly load ({hour: {"orders", "guests"}})."""
        return {h: {"orders": o, "guests": g} for h, (_r, o, g) in sorted(self.hourly.items())}


# --- the history (SQL) -------------------------------------------------------------------------


def sales_by_hour(*, store_ids: Iterable[str], start: dt.date, end: dt.date) -> dict[str, SalesHistory]:
    """Non-cancelled orders of [start, end) per store, local day and hour: one SQL aggregate."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    until = timezone.make_aware(dt.datetime.combine(end, dt.time.min), tz)
    rows = (
        Order.objects.filter(store_id__in=list(store_ids), order_time__gte=since, order_time__lt=until)
        .exclude(status=Order.Status.CANCELLED)
        .annotate(day=TruncDate("order_time"), hour=ExtractHour("order_time"))
        .values("store_id", "day", "hour")
        .annotate(revenue=Sum("total_cents"), orders=Count("id"), guests=Sum("guest_count"))
        .order_by()
    )
    history: dict[str, SalesHistory] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        history[r["store_id"]][r["day"]][r["hour"]] = (
            float(r["revenue"] or 0),
            float(r["orders"]),
            float(r["guests"] or 0),
        )
    return {store: dict(days) for store, days in history.items()}


def holiday_calendar(start: dt.date, end: dt.date) -> dict[dt.date, float | None]:
    """Holidays in [start, end] from the configured calendar (none unless one is configured)."""
    path = getattr(settings, "ZHILIAN_HOLIDAY_CALENDAR", "")
    if not path:
        return {}
    calendar: Callable[[dt.date, dt.date], Any] = import_string(path)
    answer = calendar(start, end)
    if isinstance(answer, Mapping):
        return {d: (float(f) if f is not None else None) for d, f in answer.items() if start <= d <= end}
    return {d: None for d in answer if start <= d <= end}


# --- the forecast (pure) -----------------------------------------------------------------------


def _day_total(sales: DaySales) -> float:
    return sum(h[0] for h in sales.values())


def _base_days(history: SalesHistory, day: dt.date, cutoff: dt.date, weeks: int, holidays: Holidays) -> list[dt.date]:
    first = min(history, default=cutoff)
    found: list[dt.date] = []
    d = day - dt.timedelta(weeks=1)
    while d >= first and len(found) < weeks:
        if d < cutoff and d not in holidays and history.get(d):
            found.append(d)
        d -= dt.timedelta(weeks=1)
    return found


def _trend(history: SalesHistory, day: dt.date, cutoff: dt.date, weeks: int, base: list[dt.date], holidays) -> float:
    """Projected daily level at `day` over the level at the base days' mean date (see the module doc)."""
    if not base or not history:
        return 1.0
    first = min(history)
    # Blocks end where the history does (a seed or a gap in the data is not a fall in sales).
    end = min(cutoff, max(history) + ONE_DAY)
    points: list[tuple[float, float]] = []
    for w in range(1, weeks + 1):
        block_start = end - dt.timedelta(weeks=w)
        if block_start < first:
            break
        days = [block_start + ONE_DAY * i for i in range(7)]
        if any(d in holidays for d in days):
            continue  # a week without one of its days would tilt the line by the weekday it lacks
        level = sum(_day_total(history.get(d, {})) for d in days) / 7
        points.append(((block_start + 3 * ONE_DAY).toordinal(), level))
    if len(points) < 2:
        return 1.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    at_base = my + slope * (sum(d.toordinal() for d in base) / len(base) - mx)
    at_day = my + slope * (day.toordinal() - mx)
    if at_base <= 0 or at_day <= 0:
        return 1.0
    return min(TREND_MAX, max(TREND_MIN, at_day / at_base))


def _learned_holiday_factor(history: SalesHistory, holidays: Holidays) -> float:
    """Mean ratio of past holidays' revenue to their traded same-weekday neighbours (±1, ±2 weeks)."""
    ratios = []
    for h in holidays:
        actual = _day_total(history.get(h, {}))
        if not actual:
            continue
        near = [
            total
            for k in (-2, -1, 1, 2)
            if (d := h + dt.timedelta(weeks=k)) not in holidays and (total := _day_total(history.get(d, {})))
        ]
        if near:
            ratios.append(actual / (sum(near) / len(near)))
    return sum(ratios) / len(ratios) if ratios else 1.0


def forecast_from_history(
    history: SalesHistory,
    day: dt.date,
    *,
    cutoff: dt.date | None = None,
    weeks: int = FORECAST_WEEKS,
    holidays: Holidays | None = None,
) -> DayForecast:
    """Forecast of `day` from the days of `history` before `cutoff` (default: the day itself)."""
    cutoff = min(cutoff or day, day)
    holidays = holidays or {}
    base = _base_days(history, day, cutoff, weeks, holidays)
    forecast = DayForecast(day=day, samples=len(base))
    if not base:
        return forecast
    forecast.trend = _trend(history, day, cutoff, weeks, base, holidays)
    if day in holidays:
        factor = holidays[day]
        if factor is None:
            past = {d: f for d, f in holidays.items() if d < cutoff}
            factor = _learned_holiday_factor(history, past)
        forecast.holiday_factor = factor
    scale = forecast.trend * forecast.holiday_factor / len(base)
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for d in base:
        for hour, values in history[d].items():
            for i in range(3):
                totals[hour][i] += values[i]
    forecast.hourly = {h: (t[0] * scale, t[1] * scale, t[2] * scale) for h, t in sorted(totals.items())}
    return forecast


def history_start(days: Iterable[dt.date], weeks: int) -> dt.date:
    """First day of history a forecast of `days` may read (base weeks, holidays skipped, trend blocks)."""
    return min(days) - dt.timedelta(weeks=weeks + 4)


def forecast_days(
    *, store_id: str, days: list[dt.date], weeks: int = FORECAST_WEEKS, today: dt.date | None = None
) -> dict[dt.date, DayForecast]:
    """Forecasts of `days` for one store: one SQL read of the history, none of today's partial day."""
    if not days:
        return {}
    today = today or timezone.localdate()
    start = history_start(days, weeks)
    end = min(max(days), today)
    history = sales_by_hour(store_ids=[store_id], start=start, end=end).get(store_id, {})
    holidays = holiday_calendar(start, max(days))
    return {d: forecast_from_history(history, d, cutoff=min(d, today), weeks=weeks, holidays=holidays) for d in days}


# --- accuracy ----------------------------------------------------------------------------------


def mape(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Mean absolute percentage error of (forecast, actual) pairs with a positive actual; None if none."""
    errors = [abs(f - a) / a for f, a in pairs if a > 0]
    return sum(errors) / len(errors) if errors else None


def wape(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Weighted absolute percentage error: sum |forecast - actual| / sum actual."""
    pairs = list(pairs)
    actual = sum(a for _, a in pairs)
    return sum(abs(f - a) for f, a in pairs) / actual if actual > 0 else None


def forecast_accuracy(
    *, store_ids: Iterable[str], start: dt.date, end: dt.date, weeks: int = FORECAST_WEEKS
) -> dict[str, Any]:
    """Forecast every traded day of [start, end] from the days before it and compare with what it sold.

    One SQL read for all stores. Days without any same-weekday history are counted, not scored.
    """
    store_ids = list(store_ids)
    days = [start + ONE_DAY * i for i in range((end - start).days + 1)]
    first = history_start(days, weeks)
    histories = sales_by_hour(store_ids=store_ids, start=first, end=end + ONE_DAY)
    holidays = holiday_calendar(first, end)
    daily: list[tuple[float, float]] = []
    hourly: list[tuple[float, float]] = []
    per_store: dict[str, Any] = {}
    unscored = 0
    for store_id in store_ids:
        history = histories.get(store_id, {})
        store_daily = []
        for day in days:
            actual = history.get(day)
            if not actual:
                continue  # closed or not trading yet: nothing to score
            forecast = forecast_from_history(history, day, weeks=weeks, holidays=holidays)
            if not forecast.samples:
                unscored += 1
                continue
            store_daily.append((forecast.revenue_cents, _day_total(actual)))
            for hour in set(actual) | set(forecast.hourly):
                hourly.append((forecast.hourly.get(hour, (0, 0, 0))[0], actual.get(hour, (0, 0, 0))[0]))
        daily.extend(store_daily)
        per_store[store_id] = {"days": len(store_daily), "daily_mape": mape(store_daily)}
    return {
        "start": start,
        "end": end,
        "weeks": weeks,
        "days_scored": len(daily),
        "days_without_history": unscored,
        "daily_mape": mape(daily),
        "hourly_wape": wape(hourly),
        "stores": per_store,
    }
