"""KPI computation (DESIGN §4 KPIs) and the dashboard summary.

Every metric comes from database aggregates: one grouped query per data source (orders, stock
ledger, shifts, reservations) covers a whole date range for many stores, grouped by store and
*local* day. Python then only combines those few aggregate rows into KPI records, which are
upserted in bulk. Computing one store-day therefore costs a handful of queries, and 90 days ×
10 stores costs the same handful plus the bulk upsert.

Definitions (values are stored with 4 decimal places, rounded half up):

- revenue (CNY): sum of ``total_cents`` of the day's orders that are not cancelled, in yuan.
- order_count: number of the day's orders that are not cancelled.
- average_check (CNY): revenue / order_count (0 without orders).
- table_turnover: non-cancelled dine-in orders that have a table / the store's active tables
  (current count; 0 without tables).
- revpash (CNY): revenue / (seats × hours open that weekday per ``business_hours``); 0 when the
  store has no seats or is closed that weekday.
- food_cost_ratio (%): (cost of usage + waste ledger rows of the day) / revenue × 100;
  0 without revenue (``metadata.undefined`` is then true).
- labor_cost_ratio (%): cost of the shifts of that day's schedule (published or not; hours ×
  the employee's hourly wage) / revenue × 100; 0 without revenue (``metadata.undefined``).
- waste_cost (CNY): cost of the day's waste ledger rows.
- average_ticket_time (minutes): mean of ``ready_at - confirmed_at`` over the day's orders
  that have both stamps; 0 when none has.
- no_show_rate (%): no-shows / reservations of the day whose outcome is known (arrived,
  seated, completed or no_show) × 100; pending, confirmed and cancelled ones are not counted;
  0 when no outcome is known yet.
- stock_outs: distinct items whose ledger hit zero that day (a row going from above zero to
  zero). For today, the active items currently out of stock are counted as well (an item that
  hit zero today and is still out counts once).

Targets: the KPI's ``target_value``, except where the store sets its own: revenue uses the
store's monthly revenue target / days in that month, the food and labor cost ratios the store's
``cost_ratio_target`` / ``labor_cost_ratio_target`` (as %). A zero store target means "not set".
When a store target replaces the KPI target, the KPI's warning and critical thresholds are scaled
by the same factor (store target / KPI target), so "90 % of target" stays 90 % of the store's
target; the thresholds used are kept in ``metadata``.

Achievement: value / target (target / value for lower-is-better); null when the target (or,
lower-is-better, the value) is 0 or missing. Change: (value - previous) / |previous| against the
previous day's record (or the value computed for that day in the same run); null when it is
missing or 0. Days before the store's ``opening_date`` get no records.

Status: higher-is-better — on_track at or above warning, at_risk at or above critical, else
off_track; lower-is-better mirrored (on_track ≤ warning, at_risk ≤ critical, else off_track).
A missing threshold is ignored; none at all means on_track.

Trend: see `kpi_trend` (over the day and up to 6 records before it, within 90 days).

Side effects, after commit and only with ``notify=True``: one ``kpi.updated`` event per store-day
carrying its records, and one ``kpi_off_track`` notification per store-day to the store's active
managers naming the KPIs that *became* off track (a recompute that finds a KPI still off track
does not notify again). ``notify=False`` is a silent backfill (the seed uses it).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.utils import timezone

from inventory.models import InventoryItem, InventoryTransaction
from kpis.models import KPI, KPIRecord
from notifications.models import Notification
from orders.models import Order
from reservations.models import Reservation
from scheduling.models import Schedule, Shift
from scheduling.services import schedules_with_labor
from stores.models import Store, Table
from zhilian import events, roles
from zhilian.dates import check_range, days_between, local_day_bounds

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
# Records written per INSERT ... ON CONFLICT statement.
UPSERT_BATCH = 1000

KPI_REVENUE = "KPI_REVENUE"
KPI_ORDER_COUNT = "KPI_ORDER_COUNT"
KPI_AVERAGE_CHECK = "KPI_AVERAGE_CHECK"
KPI_TABLE_TURNOVER = "KPI_TABLE_TURNOVER"
KPI_REVPASH = "KPI_REVPASH"
KPI_FOOD_COST_RATIO = "KPI_FOOD_COST_RATIO"
KPI_LABOR_COST_RATIO = "KPI_LABOR_COST_RATIO"
KPI_WASTE_COST = "KPI_WASTE_COST"
KPI_TICKET_TIME = "KPI_TICKET_TIME"
KPI_NO_SHOW_RATE = "KPI_NO_SHOW_RATE"
KPI_STOCK_OUTS = "KPI_STOCK_OUTS"


def q4(value: Decimal | int) -> Decimal:
    value = Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)
    return max(-VALUE_LIMIT, min(VALUE_LIMIT, value))


# --- built-in definitions ---------------------------------------------------------------------


def kpi_defaults() -> list[dict[str, Any]]:
    """The built-in KPI definitions. Thresholds are in the KPI's unit (ratios in %)."""
    hib, lib = KPI.Direction.HIGHER_IS_BETTER, KPI.Direction.LOWER_IS_BETTER
    cat = KPI.Category
    rows = [
        (KPI_REVENUE, "Daily revenue", cat.REVENUE, "CNY", M.REVENUE, hib, "5000", "4500", "3500",
         "Sum of the totals of the day's orders that are not cancelled, in yuan. The store's monthly revenue "
         "target / days in the month replaces the target where set."),
        (KPI_ORDER_COUNT, "Order count", cat.CUSTOMER, "orders", M.ORDER_COUNT, hib, "120", "100", "70",
         "Number of the day's orders that are not cancelled."),
        (KPI_AVERAGE_CHECK, "Average check", cat.REVENUE, "CNY", M.AVERAGE_CHECK, hib, "150", "130", "100",
         "Revenue / order count."),
        (KPI_TABLE_TURNOVER, "Table turnover", cat.EFFICIENCY, "turns", M.TABLE_TURNOVER, hib, "3", "2.5", "1.5",
         "Dine-in orders with a table / active tables."),
        (KPI_REVPASH, "RevPASH", cat.EFFICIENCY, "CNY", M.REVPASH, hib, "8", "6", "4",
         "Revenue / (seats × opening hours of that weekday)."),
        (KPI_FOOD_COST_RATIO, "Food cost ratio", cat.COST, "%", M.FOOD_COST_RATIO, lib, "35", "38", "42",
         "(Usage + waste cost from the stock ledger) / revenue × 100. The store's cost ratio target replaces "
         "the target where set."),
        (KPI_LABOR_COST_RATIO, "Labor cost ratio", cat.COST, "%", M.LABOR_COST_RATIO, lib, "25", "28", "32",
         "Scheduled labor cost of the day's shifts (hours × hourly wage) / revenue × 100. The store's labor "
         "cost ratio target replaces the target where set."),
        (KPI_WASTE_COST, "Waste cost", cat.COST, "CNY", M.WASTE_COST, lib, "100", "150", "250",
         "Cost of the day's waste rows in the stock ledger, in yuan."),
        (KPI_TICKET_TIME, "Average ticket time", cat.QUALITY, "min", M.AVERAGE_TICKET_TIME, lib, "15", "20", "30",
         "Average minutes from confirmed to ready over the day's orders that have both times."),
        (KPI_NO_SHOW_RATE, "Reservation no-show rate", cat.CUSTOMER, "%", M.NO_SHOW_RATE, lib, "5", "10", "20",
         "No-shows / reservations of the day that arrived, were seated, completed or did not show × 100."),
        (KPI_STOCK_OUTS, "Stock-outs", cat.QUALITY, "items", M.STOCK_OUTS, lib, "0", "1", "3",
         "Items whose stock hit zero that day (today: plus the items out of stock now)."),
    ]  # fmt: skip
    return [
        {
            "id": kpi_id,
            "name": name,
            "category": category,
            "unit": unit,
            "metric": metric,
            "direction": direction,
            "target_value": Decimal(target),
            "warning_threshold": Decimal(warning),
            "critical_threshold": Decimal(critical),
            "calculation_method": method,
            "description": method,
            "is_active": True,
        }
        for kpi_id, name, category, unit, metric, direction, target, warning, critical, method in rows
    ]


def kpi_ensure_defaults(*, overwrite: bool = False) -> int:
    """Create the built-in KPIs that are missing; with `overwrite`, reset existing ones too.

    Without `overwrite` an edited target or threshold survives re-seeding. Returns the number of
    definitions written.
    """
    defaults = kpi_defaults()
    with transaction.atomic():
        if overwrite:
            update = [k for k in defaults[0] if k != "id"]
            KPI.objects.bulk_create(
                [KPI(**d) for d in defaults], update_conflicts=True, unique_fields=["id"], update_fields=update
            )
            return len(defaults)
        existing = set(KPI.objects.filter(pk__in=[d["id"] for d in defaults]).values_list("pk", flat=True))
        missing = [KPI(**d) for d in defaults if d["id"] not in existing]
        KPI.objects.bulk_create(missing, ignore_conflicts=True)
        return len(missing)


# --- rules: status, achievement, change, trend ---------------------------------------------------


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


# --- day bounds and opening hours -----------------------------------------------------------------


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def open_hours(store: Store, day: dt.date) -> Decimal:
    """Hours the store is open on `day`'s weekday according to its business hours."""
    total = 0
    for interval in store.hours_on(day.weekday()):
        try:
            total += max(0, _minutes(interval[1]) - _minutes(interval[0]))
        except (ValueError, IndexError, AttributeError):  # malformed data never breaks computing
            continue
    return Decimal(total) / 60


# --- aggregates ---------------------------------------------------------------------------------------


@dataclass
class DayFigures:
    """The aggregate inputs of one store-day (money in cents)."""

    revenue_cents: int = 0
    order_count: int = 0
    guest_count: int = 0
    table_orders: int = 0
    ticket_count: int = 0
    ticket_seconds: Decimal = ZERO
    usage_cost_cents: int = 0
    waste_cost_cents: int = 0
    stock_outs: int = 0
    stock_outs_restocked: int = 0
    labor_cost_cents: Decimal = ZERO
    labor_hours: Decimal = ZERO
    reservations: int = 0
    reservations_resolved: int = 0
    no_shows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


NOT_CANCELLED = ~Q(status=Order.Status.CANCELLED)
TICKETED = NOT_CANCELLED & Q(confirmed_at__isnull=False, ready_at__isnull=False, ready_at__gte=F("confirmed_at"))
HIT_ZERO = Q(quantity_after=0, quantity_before__gt=0)
RESOLVED = (
    Reservation.Status.ARRIVED,
    Reservation.Status.SEATED,
    Reservation.Status.COMPLETED,
    Reservation.Status.NO_SHOW,
)


def _duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def local_date(field_name: str, start: dt.date, end: dt.date) -> Func:
    """The local date of a datetime column, for grouping rows of [start, end] by day.

    TruncDate(tzinfo=...) everywhere; on SQLite, when the zone's offset is the same over the whole
    range (always for Asia/Shanghai), SQLite's native ``date(col, '+N seconds')`` instead: Django
    implements the time-zone conversion there as a Python function called per row, which
    dominates the cost of a 90-day run.
    """
    tz = timezone.get_current_timezone()
    if connection.vendor == "sqlite":
        offsets = {local_day_bounds(day)[0].utcoffset() for day in days_between(start, end + dt.timedelta(days=1))}
        if len(offsets) == 1:
            seconds = int(offsets.pop().total_seconds())
            return Func(F(field_name), Value(f"{seconds:+d} seconds"), function="date", output_field=DateField())
    return TruncDate(field_name, tzinfo=tz)


def collect_figures(store_ids: Sequence[str], start: dt.date, end: dt.date) -> dict[tuple[str, dt.date], DayFigures]:
    """Aggregates per (store, local day) over [start, end]: four grouped queries in all."""
    lo, hi = local_day_bounds(start, end)
    figures: dict[tuple[str, dt.date], DayFigures] = defaultdict(DayFigures)

    orders = (
        Order.objects.filter(store_id__in=store_ids, order_time__gte=lo, order_time__lt=hi)
        .annotate(day=local_date("order_time", start, end))
        .order_by()
        .values("store_id", "day")
        .annotate(
            revenue_cents=Sum("total_cents", filter=NOT_CANCELLED, default=0),
            order_count=Count("pk", filter=NOT_CANCELLED),
            guest_count=Sum("guest_count", filter=NOT_CANCELLED, default=0),
            table_orders=Count("pk", filter=NOT_CANCELLED & Q(order_type=Order.Type.DINE_IN, table__isnull=False)),
            ticket_count=Count("pk", filter=TICKETED),
            ticket_total=Sum(_duration("confirmed_at", "ready_at"), filter=TICKETED),
        )
    )
    for row in orders:
        f = figures[(row["store_id"], row["day"])]
        f.revenue_cents = int(row["revenue_cents"])
        f.order_count = row["order_count"]
        f.guest_count = int(row["guest_count"])
        f.table_orders = row["table_orders"]
        f.ticket_count = row["ticket_count"]
        if row["ticket_total"] is not None:
            f.ticket_seconds = Decimal(row["ticket_total"] // dt.timedelta(microseconds=1)) / 1_000_000

    ledger = (
        InventoryTransaction.objects.filter(store_id__in=store_ids, transaction_time__gte=lo, transaction_time__lt=hi)
        .annotate(day=local_date("transaction_time", start, end))
        .order_by()
        .values("store_id", "day")
        .annotate(
            usage_cents=Sum("total_cost_cents", filter=Q(transaction_type="usage"), default=0),
            waste_cents=Sum("total_cost_cents", filter=Q(transaction_type="waste"), default=0),
            stock_outs=Count("item_id", distinct=True, filter=HIT_ZERO),
            restocked=Count(
                "item_id", distinct=True, filter=HIT_ZERO & ~Q(item__status=InventoryItem.Status.OUT_OF_STOCK)
            ),
        )
    )
    for row in ledger:
        f = figures[(row["store_id"], row["day"])]
        f.usage_cost_cents = int(row["usage_cents"])
        f.waste_cost_cents = int(row["waste_cents"])
        f.stock_outs = row["stock_outs"]
        f.stock_outs_restocked = row["restocked"]

    # Labor the way scheduling reports it (one schedule per store-day, summed in SQL).
    schedules = (
        schedules_with_labor(Schedule.objects.filter(store_id__in=store_ids, schedule_date__range=(start, end)))
        .order_by()
        .values("store_id", "schedule_date", "total_seconds", "labor_cost_cents")
    )
    for row in schedules:
        f = figures[(row["store_id"], row["schedule_date"])]
        f.labor_hours = Decimal(row["total_seconds"]) / 3600
        f.labor_cost_cents = Decimal(row["labor_cost_cents"])

    reservations = (
        Reservation.objects.filter(store_id__in=store_ids, reservation_date__range=(start, end))
        .order_by()
        .values("store_id", "reservation_date")
        .annotate(
            total=Count("pk"),
            resolved=Count("pk", filter=Q(status__in=RESOLVED)),
            no_shows=Count("pk", filter=Q(status=Reservation.Status.NO_SHOW)),
        )
    )
    for row in reservations:
        f = figures[(row["store_id"], row["reservation_date"])]
        f.reservations = row["total"]
        f.reservations_resolved = row["resolved"]
        f.no_shows = row["no_shows"]
    return figures


def _stores_with_counts(store_ids: Sequence[str]) -> list[Store]:
    """The stores, each with its active tables and active out-of-stock items counted (one query)."""

    def count_of(queryset) -> Coalesce:
        counted = queryset.filter(store=OuterRef("pk")).order_by().values("store").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return list(
        Store.objects.filter(pk__in=store_ids)
        .annotate(
            active_tables=count_of(Table.objects.filter(is_active=True)),
            out_of_stock_items=count_of(
                InventoryItem.objects.filter(is_active=True, status=InventoryItem.Status.OUT_OF_STOCK)
            ),
        )
        .order_by("pk")
    )


def _ratio(numerator: Decimal, denominator: Decimal, scale: Decimal = Decimal(1)) -> Decimal:
    return q4(numerator * scale / denominator) if denominator else ZERO


def metric_values(store: Store, day: dt.date, f: DayFigures, *, today: dt.date) -> dict[str, tuple[Decimal, dict]]:
    """metric -> (value, metadata) for one store-day from its aggregates."""
    revenue = Decimal(f.revenue_cents) / 100
    tables = getattr(store, "active_tables", None)
    if tables is None:
        tables = store.tables.filter(is_active=True).count()
    seat_hours = Decimal(store.seats) * open_hours(store, day)
    food_cost = Decimal(f.usage_cost_cents + f.waste_cost_cents) / 100
    labor_cost = f.labor_cost_cents / 100
    stock_outs = f.stock_outs
    if day >= today:
        out_now = getattr(store, "out_of_stock_items", None)
        if out_now is None:
            out_now = store.inventory_items.filter(is_active=True, status=InventoryItem.Status.OUT_OF_STOCK).count()
        stock_outs = out_now + f.stock_outs_restocked
    no_revenue = {"undefined": True} if not f.revenue_cents else {}
    return {
        M.REVENUE: (q4(revenue), {"revenue_cents": f.revenue_cents}),
        M.ORDER_COUNT: (q4(f.order_count), {"guest_count": f.guest_count}),
        M.AVERAGE_CHECK: (_ratio(revenue, Decimal(f.order_count)), {"order_count": f.order_count}),
        M.TABLE_TURNOVER: (
            _ratio(Decimal(f.table_orders), Decimal(tables)),
            {"table_orders": f.table_orders, "active_tables": tables},
        ),
        M.REVPASH: (_ratio(revenue, seat_hours), {"seat_hours": str(q4(seat_hours))}),
        M.FOOD_COST_RATIO: (
            _ratio(food_cost, revenue, HUNDRED),
            {"usage_cost_cents": f.usage_cost_cents, "waste_cost_cents": f.waste_cost_cents, **no_revenue},
        ),
        M.LABOR_COST_RATIO: (
            _ratio(labor_cost, revenue, HUNDRED),
            {"labor_cost_cents": str(q4(f.labor_cost_cents)), "labor_hours": str(q4(f.labor_hours)), **no_revenue},
        ),
        M.WASTE_COST: (q4(Decimal(f.waste_cost_cents) / 100), {"waste_cost_cents": f.waste_cost_cents}),
        M.AVERAGE_TICKET_TIME: (_ratio(f.ticket_seconds, Decimal(f.ticket_count * 60)), {"orders": f.ticket_count}),
        M.NO_SHOW_RATE: (
            _ratio(Decimal(f.no_shows), Decimal(f.reservations_resolved), HUNDRED),
            {"no_shows": f.no_shows, "resolved": f.reservations_resolved, "reservations": f.reservations},
        ),
        M.STOCK_OUTS: (q4(stock_outs), {"hit_zero": f.stock_outs}),
    }


def kpi_metrics(*, store: Store, day: dt.date) -> dict[str, Decimal]:
    """The raw metric values of one store-day (no records written)."""
    figures = collect_figures([store.pk], day, day)
    values = metric_values(store, day, figures[(store.pk, day)], today=timezone.localdate())
    return {metric: value for metric, (value, _meta) in values.items()}


# --- targets ----------------------------------------------------------------------------------------


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


# --- computing and storing records ------------------------------------------------------------------


def _validate_range(start: dt.date, end: dt.date) -> None:
    # Future days are allowed here (the seed simulates its own "today"); the API and the command
    # refuse them for people.
    check_range(start, end, start_field="start_date", end_field="end_date")


def _history(store_ids, kpi_ids, start: dt.date) -> dict[tuple[str, str], list[tuple[dt.date, Decimal]]]:
    """The last records before `start` per (kpi, store), oldest first (one windowed query)."""
    rows = (
        KPIRecord.objects.filter(
            store_id__in=store_ids,
            kpi_id__in=kpi_ids,
            record_date__lt=start,
            record_date__gte=start - dt.timedelta(days=TREND_LOOKBACK_DAYS),
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("kpi_id"), F("store_id")], order_by=F("record_date").desc()))
        .filter(rank__lt=TREND_WINDOW)
        .order_by()
        .values_list("kpi_id", "store_id", "record_date", "value")
    )
    history: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for kpi_id, store_id, day, value in rows:
        history[(kpi_id, store_id)].append((day, value))
    for series in history.values():
        series.sort()
    return history


def _compute(store_ids: list[str], start: dt.date, end: dt.date, *, notify: bool) -> list[KPIRecord]:
    """Compute and upsert the records of every active KPI for the stores over [start, end]."""
    _validate_range(start, end)
    kpis = list(KPI.objects.filter(is_active=True).order_by("category", "pk"))
    if not store_ids or not kpis:
        return []
    kpi_ids = [k.pk for k in kpis]
    stores = _stores_with_counts(store_ids)
    today = timezone.localdate()
    figures = collect_figures(store_ids, start, end)
    history = _history(store_ids, kpi_ids, start)
    previous_status = {
        (kpi_id, store_id, day): status
        for kpi_id, store_id, day, status in KPIRecord.objects.filter(
            store_id__in=store_ids, kpi_id__in=kpi_ids, record_date__range=(start, end)
        ).values_list("kpi_id", "store_id", "record_date", "status")
    }

    records: list[KPIRecord] = []
    for store in stores:
        for day in days_between(start, end):
            if store.opening_date and day < store.opening_date:
                continue  # nothing to measure before the store opened
            values = metric_values(store, day, figures.get((store.pk, day), DayFigures()), today=today)
            for kpi in kpis:
                value, meta = values[kpi.metric]
                series = history[(kpi.pk, store.pk)]
                previous = series[-1][1] if series and series[-1][0] == day - dt.timedelta(days=1) else None
                target, warning, critical = effective_targets(kpi, store, day)
                record = KPIRecord(
                    kpi=kpi,
                    store=store,
                    record_date=day,
                    value=value,
                    target_value=target,
                    achievement_rate=kpi_achievement(value, target, direction=kpi.direction),
                    previous_value=previous,
                    change_rate=kpi_change_rate(value, previous),
                    status=kpi_status(value, direction=kpi.direction, warning=warning, critical=critical),
                    trend=kpi_trend([v for _d, v in series[-(TREND_WINDOW - 1) :]] + [value]),
                    metadata={
                        **meta,
                        "warning_threshold": None if warning is None else str(warning),
                        "critical_threshold": None if critical is None else str(critical),
                    },
                )
                series.append((day, value))
                records.append(record)

    update_fields = [
        "value",
        "target_value",
        "achievement_rate",
        "previous_value",
        "change_rate",
        "status",
        "trend",
        "metadata",
        "updated_at",
    ]
    # The callers hold the transaction: the upsert, the events and the notifications commit together.
    KPIRecord.objects.bulk_create(
        records,
        batch_size=UPSERT_BATCH,
        update_conflicts=True,
        unique_fields=["kpi", "store", "record_date"],
        update_fields=update_fields,
    )
    if notify:
        _announce(records, previous_status)
    return records


def _announce(records: list[KPIRecord], previous_status: dict) -> None:
    """One `kpi.updated` per store-day; notifications for records that became off track."""
    from accounts.models import User
    from notifications.services import notification_create

    by_store_day: dict[tuple[str, dt.date], list[KPIRecord]] = defaultdict(list)
    for record in records:
        by_store_day[(record.store_id, record.record_date)].append(record)
    for (store_id, day), rows in by_store_day.items():
        events.publish(
            "kpi.updated", store_id=store_id, data={"date": day, "records": [record_payload(r) for r in rows]}
        )

    went_off = [
        r
        for r in records
        if r.status == Status.OFF_TRACK
        and previous_status.get((r.kpi_id, r.store_id, r.record_date)) != Status.OFF_TRACK
    ]
    if not went_off:
        return
    managers: dict[str, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        store_id__in={r.store_id for r in went_off}, role=roles.Role.MANAGER, is_active=True
    ):
        managers[user.store_id].append(user)
    # One notification per store-day naming every KPI that went off track, not one per KPI.
    by_day: dict[tuple[str, dt.date], list[KPIRecord]] = defaultdict(list)
    for record in went_off:
        by_day[(record.store_id, record.record_date)].append(record)
    for (store_id, day), rows in by_day.items():
        if not managers[store_id]:
            continue
        lines = [
            f"{r.kpi.name}: {_plain(r.value)} {r.kpi.unit} (target {_plain(r.target_value)})".replace("  ", " ")
            for r in rows
        ]
        title = f"{rows[0].kpi.name} off track" if len(rows) == 1 else f"{len(rows)} KPIs off track"
        notification_create(
            recipients=managers[store_id],
            kind=Notification.Kind.KPI_OFF_TRACK,
            level=Notification.Level.WARNING,
            store_id=store_id,
            title=f"{title} on {day.isoformat()}",
            body="\n".join(lines),
            data={
                "date": day.isoformat(),
                "kpis": [
                    {"kpi": r.kpi_id, "value": str(r.value), "target_value": _plain(r.target_value, None)} for r in rows
                ],
            },
        )


def _plain(value: Decimal | None, missing: str | None = "-") -> str | None:
    return missing if value is None else f"{value.normalize():f}"


def record_payload(record: KPIRecord) -> dict[str, Any]:
    """A record as the dashboard and `kpi.updated` show it."""
    kpi = record.kpi

    def s(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "kpi": record.kpi_id,
        "name": kpi.name,
        "unit": kpi.unit,
        "category": kpi.category,
        "direction": kpi.direction,
        "value": s(record.value),
        "target_value": s(record.target_value),
        "achievement_rate": s(record.achievement_rate),
        "change_rate": s(record.change_rate),
        "status": record.status,
        "trend": record.trend,
    }


def _store_ids(stores: Iterable[Store | str] | None) -> list[str]:
    if stores is None:
        return list(Store.objects.filter(status=Store.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    return sorted({s.pk if isinstance(s, Store) else s for s in stores})


def kpi_compute_day(*, store: Store, day: dt.date, notify: bool = True) -> list[KPIRecord]:
    """Compute and upsert one store-day; returns its records (KPI and store loaded)."""
    with transaction.atomic():
        _compute([store.pk], day, day, notify=notify)
        return list(
            KPIRecord.objects.filter(store=store, record_date=day, kpi__is_active=True)
            .select_related("kpi", "store")
            .order_by("kpi__category", "kpi_id")
        )


def kpi_compute(
    *,
    stores: Iterable[Store | str] | None = None,
    start: dt.date,
    end: dt.date | None = None,
    notify: bool = True,
) -> int:
    """Compute [start, end] (default: start only) for the stores (default: every active store).

    One pass of grouped queries covers the whole range; the records are upserted in bulk.
    Returns the number of records written.
    """
    end = end or start
    with transaction.atomic():
        return len(_compute(_store_ids(stores), start, end, notify=notify))


# --- dashboard -------------------------------------------------------------------------------------------


OPEN_EXCLUDED = (Order.Status.COMPLETED, Order.Status.CANCELLED)
LOW_STATUSES = (InventoryItem.Status.LOW, InventoryItem.Status.CRITICAL, InventoryItem.Status.OUT_OF_STOCK)
DASHBOARD_OPEN_ORDERS = 200
DASHBOARD_DAYS = 14


def dashboard_summary(*, store: Store, day: dt.date, user) -> dict[str, Any]:
    """What the live dashboard shows for a store and day (contract: notes/DASHBOARD_CONTRACT.md).

    A fixed number of queries whatever the row counts (about ten).
    """
    lo, hi = local_day_bounds(day)
    day_orders = Order.objects.filter(store=store, order_time__gte=lo, order_time__lt=hi)

    by_status = {s: Count("pk", filter=Q(status=s)) for s in Order.Status.values}
    totals = day_orders.order_by().aggregate(
        revenue_cents=Sum("total_cents", filter=NOT_CANCELLED, default=0),
        order_count=Count("pk", filter=NOT_CANCELLED),
        guest_count=Sum("guest_count", filter=NOT_CANCELLED, default=0),
        open_order_count=Count("pk", filter=~Q(status__in=OPEN_EXCLUDED)),
        **{f"status_{s}": c for s, c in by_status.items()},
    )
    order_count = totals["order_count"]
    revenue_cents = int(totals["revenue_cents"])

    first = day - dt.timedelta(days=DASHBOARD_DAYS - 1)
    range_lo, _ = local_day_bounds(first)
    daily = {
        row["day"]: row
        for row in Order.objects.filter(store=store, order_time__gte=range_lo, order_time__lt=hi)
        .filter(NOT_CANCELLED)
        .annotate(day=local_date("order_time", first, day))
        .order_by()
        .values("day")
        .annotate(revenue_cents=Sum("total_cents", default=0), order_count=Count("pk"))
    }

    kpis = KPIRecord.objects.filter(store=store, record_date=day, kpi__is_active=True).select_related("kpi")
    open_orders = (day_orders.exclude(status__in=OPEN_EXCLUDED).select_related("table").order_by("order_time", "pk"))[
        :DASHBOARD_OPEN_ORDERS
    ]
    reservations = (
        Reservation.objects.filter(store=store, reservation_date=day)
        .prefetch_related("tables")
        .order_by("reservation_time", "pk")
    )
    shifts = (
        Shift.objects.for_user(user)
        .filter(schedule__store=store, schedule__schedule_date=day)
        .select_related("employee")
        .order_by("start_time", "employee_id")
    )
    low_stock = InventoryItem.objects.filter(store=store, is_active=True, status__in=LOW_STATUSES).order_by(
        "status", "name"
    )

    return {
        "store": {"id": store.pk, "name": store.name},
        "date": day.isoformat(),
        "figures": {
            "revenue_cents": revenue_cents,
            "order_count": order_count,
            "average_check_cents": int((Decimal(revenue_cents) / order_count).quantize(Decimal(1), ROUND_HALF_UP))
            if order_count
            else 0,
            "guest_count": int(totals["guest_count"]),
            "open_order_count": totals["open_order_count"],
        },
        "kpis": [record_payload(r) for r in kpis.order_by("kpi__category", "kpi_id")],
        "revenue_14d": [
            {
                "date": d.isoformat(),
                "revenue_cents": int(daily[d]["revenue_cents"]) if d in daily else 0,
                "order_count": daily[d]["order_count"] if d in daily else 0,
            }
            for d in days_between(first, day)
        ],
        "orders_by_status": {s: totals[f"status_{s}"] for s in Order.Status.values},
        "open_orders": [
            {
                "id": o.pk,
                "status": o.status,
                "order_type": o.order_type,
                "table": o.table.number if o.table_id else None,
                "customer_name": o.customer_name,
                "total_cents": o.total_cents,
                "order_time": timezone.localtime(o.order_time).isoformat(),
            }
            for o in open_orders
        ],
        "reservations": [
            {
                "id": r.pk,
                "customer_name": r.customer_name,
                "party_size": r.party_size,
                "reservation_time": r.reservation_time.isoformat(),
                "status": r.status,
                "reservation_type": r.reservation_type,
                "tables": sorted(t.number for t in r.tables.all()),
            }
            for r in reservations
        ],
        "shifts": [
            {
                "id": str(s.pk),
                "employee": s.employee_id,
                "employee_name": s.employee.name,
                "position": s.position,
                "shift_type": s.shift_type,
                "start_time": s.start_time.isoformat(),
                "end_time": s.end_time.isoformat(),
                "is_confirmed": s.is_confirmed,
            }
            for s in shifts
        ],
        "low_stock": [
            {
                "id": i.pk,
                "name": i.name,
                "unit": i.unit,
                "current_quantity": str(i.current_quantity),
                "min_quantity": str(i.min_quantity),
                "status": i.status,
            }
            for i in low_stock
        ],
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
