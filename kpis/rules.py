"""Pure KPI rules: rounding, status, achievement, change, trend and the store's own targets.

No database here: every function takes values (and a store or KPI instance already loaded).

Targets: the KPI's ``target_value``, except where the store sets its own: revenue uses the
store's monthly revenue target / days in that month, the food and labor cost ratios the store's
``cost_ratio_target`` / ``labor_cost_ratio_target`` (as %). A zero store target means "not set".
When a store target replaces the KPI target, the KPI's warning and critical thresholds are scaled
by the same factor (store target / KPI target), so "90 % of target" stays 90 % of the store's
target; the thresholds used are kept in ``metadata``.

Achievement: value / target (target / value for lower-is-better); null when the target (or,
lower-is-better, the value) is 0 or missing. Change: (value - previous) / |previous| against the
previous day's record (or the value computed for that day in the same run); null when it is
missing or 0.

Status: higher-is-better — on_track at or above warning, at_risk at or above critical, else
off_track; lower-is-better mirrored (on_track ≤ warning, at_risk ≤ critical, else off_track).
A missing threshold is ignored; none at all means on_track.

Trend: see `kpi_trend` (over the day and up to 6 records before it, within 90 days).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from kpis.models import KPI, KPIRecord
from stores.models import Store
from zhilian.dates import parse_hhmm

M = KPI.Metric
Status = KPIRecord.Status
Trend = KPIRecord.Trend

PLACES = Decimal("0.0001")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
# The value columns hold 16 digits with 4 decimals; rates from tiny targets are clamped to fit.
VALUE_LIMIT = Decimal("999999999999.9999")
# Trend looks at this many records (the day itself and the ones before it).
TREND_WINDOW = 7
# ...found within this many days before the day; older records do not count.
TREND_LOOKBACK_DAYS = 90
# A successive change smaller than this share of the earlier value counts as "no change".
TREND_TOLERANCE = Decimal("0.02")


def q4(value: Decimal | int) -> Decimal:
    value = Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)
    return max(-VALUE_LIMIT, min(VALUE_LIMIT, value))


def ratio(numerator: Decimal, denominator: Decimal, scale: Decimal = Decimal(1)) -> Decimal:
    """numerator × scale / denominator rounded to 4 places; 0 when the denominator is 0."""
    return q4(numerator * scale / denominator) if denominator else ZERO


# --- status, achievement, change, trend --------------------------------------------------------


def kpi_status(value: Decimal, *, direction: str, warning: Decimal | None, critical: Decimal | None) -> str:
    """Status from the thresholds, respecting the direction (see the module docstring)."""
    if direction == KPI.Direction.LOWER_IS_BETTER:
        if critical is not None and value > critical:
            return Status.OFF_TRACK
        if warning is not None and value > warning:
            return Status.AT_RISK
        return Status.ON_TRACK
    if critical is not None and value < critical:
        return Status.OFF_TRACK
    if warning is not None and value < warning:
        return Status.AT_RISK
    return Status.ON_TRACK


def kpi_achievement(value: Decimal, target: Decimal | None, *, direction: str) -> Decimal | None:
    if not target:
        return None
    if direction == KPI.Direction.LOWER_IS_BETTER:
        return q4(target / value) if value else None
    return q4(value / target)


def kpi_change_rate(value: Decimal, previous: Decimal | None) -> Decimal | None:
    if not previous:
        return None
    return q4((value - previous) / abs(previous))


def kpi_trend(values: Sequence[Decimal]) -> str:
    """Trend of a series (oldest first; the last `TREND_WINDOW` values are used).

    Each successive change is "up", "down" or "flat"; it is flat when it is no larger than
    `TREND_TOLERANCE` (2 %) of the earlier value (any change from 0 counts). Then:

    - fewer than 2 values, or only flat changes: stable;
    - ups and no downs: increasing; downs and no ups: decreasing;
    - both: increasing if ups outnumber downs and the last value is above the first by more than
      the tolerance, decreasing if mirrored, otherwise volatile.
    """
    values = list(values)[-TREND_WINDOW:]
    if len(values) < 2:
        return Trend.STABLE

    def moved(a: Decimal, b: Decimal) -> int:
        if abs(b - a) <= TREND_TOLERANCE * abs(a):
            return 0
        return 1 if b > a else -1

    moves = [moved(a, b) for a, b in zip(values, values[1:])]
    ups, downs = moves.count(1), moves.count(-1)
    if not ups and not downs:
        return Trend.STABLE
    if not downs:
        return Trend.INCREASING
    if not ups:
        return Trend.DECREASING
    net = moved(values[0], values[-1])
    if ups > downs and net > 0:
        return Trend.INCREASING
    if downs > ups and net < 0:
        return Trend.DECREASING
    return Trend.VOLATILE


# --- opening hours and targets ---------------------------------------------------------------------


def open_hours(store: Store, day: dt.date) -> Decimal:
    """Hours the store is open on `day`'s weekday according to its business hours."""
    total = 0
    for interval in store.hours_on(day.weekday()):
        try:
            total += max(0, parse_hhmm(interval[1]) - parse_hhmm(interval[0]))
        except (ValueError, IndexError, AttributeError):  # malformed data never breaks computing
            continue
    return Decimal(total) / 60


def store_target(kpi: KPI, store: Store, day: dt.date) -> Decimal | None:
    """The store's own target for this KPI on `day`, or None where the store sets none."""
    if kpi.metric == M.REVENUE and store.monthly_revenue_target_cents:
        days = calendar.monthrange(day.year, day.month)[1]
        return q4(Decimal(store.monthly_revenue_target_cents) / 100 / days)
    if kpi.metric == M.FOOD_COST_RATIO and store.cost_ratio_target:
        return q4(Decimal(store.cost_ratio_target) * HUNDRED)
    if kpi.metric == M.LABOR_COST_RATIO and store.labor_cost_ratio_target:
        return q4(Decimal(store.labor_cost_ratio_target) * HUNDRED)
    return None


def effective_targets(kpi: KPI, store: Store, day: dt.date) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(target, warning, critical) for this store-day; thresholds scale with a store target."""
    target, warning, critical = kpi.target_value, kpi.warning_threshold, kpi.critical_threshold
    own = store_target(kpi, store, day)
    if own is None:
        return target, warning, critical
    if target:
        factor = own / target
        warning = None if warning is None else q4(warning * factor)
        critical = None if critical is None else q4(critical * factor)
    return own, warning, critical
