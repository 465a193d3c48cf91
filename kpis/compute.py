"""Computing KPI records: the day figures from each domain's selectors, records upserted in bulk.

Every metric comes from database aggregates: one grouped query per data source (orders, stock
ledger, shifts, reservations — each domain's ``daily_*`` selector) covers a whole date range for
many stores, grouped by store and *local* day. Python then only combines those few aggregate rows
into KPI records (`kpis.metrics`, `kpis.rules`), which are upserted in bulk. Computing one
store-day therefore costs a handful of queries, and 90 days × 10 stores costs the same handful
plus the bulk upsert. Days before the store's ``opening_date`` get no records.

The callers (`kpis.services`) hold the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from inventory.reports import count_period_costs
from inventory.selectors import daily_stock_figures, out_of_stock_items
from kpis.events import announce
from kpis.metrics import DayFigures, metric_values
from kpis.models import KPI, KPIRecord
from kpis.rules import (
    TREND_LOOKBACK_DAYS,
    TREND_WINDOW,
    effective_targets,
    kpi_achievement,
    kpi_change_rate,
    kpi_status,
    kpi_trend,
)
from menu.reports import daily_recipe_cost
from orders.selectors import daily_order_figures
from reservations.selectors import daily_reservation_figures
from scheduling.selectors import daily_labor
from stores.models import Store, Table
from waitlist.selectors import daily_waitlist_figures
from zhilian.dates import check_range, days_between

# Records written per INSERT ... ON CONFLICT statement.
UPSERT_BATCH = 1000
UPDATE_FIELDS = [
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


def collect_figures(store_ids: Sequence[str], start: dt.date, end: dt.date) -> dict[tuple[str, dt.date], DayFigures]:
    """Aggregates per (store, local day) over [start, end]: five grouped queries, and three for
    the recipe cost of the dishes sold (sales per dish-day, recipes, unit costs)."""
    figures: dict[tuple[str, dt.date], DayFigures] = defaultdict(DayFigures)

    for row in daily_order_figures(store_ids, start, end):
        f = figures[(row["store_id"], row["day"])]
        f.revenue_cents = int(row["revenue_cents"])
        f.order_count = row["order_count"]
        f.guest_count = int(row["guest_count"])
        f.table_orders = row["table_orders"]
        f.ticket_count = row["ticket_count"]
        if row["ticket_total"] is not None:
            f.ticket_seconds = Decimal(row["ticket_total"] // dt.timedelta(microseconds=1)) / 1_000_000

    for row in daily_stock_figures(store_ids, start, end):
        f = figures[(row["store_id"], row["day"])]
        f.usage_cost_cents = int(row["usage_cents"])
        f.waste_cost_cents = int(row["waste_cents"])
        f.stock_outs = row["stock_outs"]
        f.stock_outs_restocked = row["restocked"]

    # Labor the way scheduling reports it (one schedule per store-day, summed in SQL), or what was
    # worked and paid once the store-day has closed time entries (attendance).
    for row in daily_labor(store_ids, start, end, actual=True):
        f = figures[(row["store_id"], row["schedule_date"])]
        f.labor_hours = Decimal(row["total_seconds"]) / 3600
        f.labor_cost_cents = Decimal(row["labor_cost_cents"])

    for row in daily_reservation_figures(store_ids, start, end):
        f = figures[(row["store_id"], row["reservation_date"])]
        f.reservations = row["total"]
        f.reservations_resolved = row["resolved"]
        f.no_shows = row["no_shows"]

    # The walk-in waitlist: tickets per store and the day their number was taken.
    for row in daily_waitlist_figures(store_ids, start, end):
        f = figures[(row["store_id"], row["business_date"])]
        f.walk_ins = row["issued"]
        f.walk_ins_seated = row["seated"]
        f.walk_ins_abandoned = row["abandoned"]
        if row["wait_total"] is not None:
            total = row["wait_total"]
            micros = total // dt.timedelta(microseconds=1) if isinstance(total, dt.timedelta) else int(total)
            f.wait_seconds = Decimal(micros) / 1_000_000

    # The theoretical food cost: Σ per (dish, day) over aggregated sales rows (menu.reports).
    for (store_id, day), (cost_cents, dish_revenue_cents) in daily_recipe_cost(store_ids, start, end).items():
        f = figures[(store_id, day)]
        f.recipe_cost_cents = cost_cents
        f.dish_revenue_cents = dish_revenue_cents

    _add_count_periods(figures, store_ids, start, end)
    return figures


def _add_count_periods(figures, store_ids: Sequence[str], start: dt.date, end: dt.date) -> None:
    """The actual food cost of each count period closing in [start, end], on its closing day:
    its consumption (inventory.reports.count_period_costs) against the revenue and the recipe cost
    of the same days. A period that began before `start` reads those earlier days with one more
    grouped query each for orders and recipe costs."""
    periods = count_period_costs(store_ids, start, end)
    if not periods:
        return
    revenue = {key: f.revenue_cents for key, f in figures.items()}
    recipe = {key: f.recipe_cost_cents for key, f in figures.items()}
    first = min(p["start"] for p in periods)
    if first < start:
        before = start - dt.timedelta(days=1)
        for row in daily_order_figures(store_ids, first, before):
            revenue[(row["store_id"], row["day"])] = int(row["revenue_cents"])
        for key, (cost_cents, _dish_revenue) in daily_recipe_cost(store_ids, first, before).items():
            recipe[key] = cost_cents
    for period in periods:
        keys = [(period["store_id"], day) for day in days_between(period["start"], period["end"])]
        figures[(period["store_id"], period["end"])].count_period = {
            "count": str(period["count"]),
            "start": period["start"].isoformat(),
            "end": period["end"].isoformat(),
            "actual_cost_cents": period["actual_cost_cents"],
            "revenue_cents": sum(revenue.get(key, 0) for key in keys),
            "recipe_cost_cents": int(sum(Decimal(recipe.get(key, 0)) for key in keys).quantize(Decimal(1))),
        }


def stores_with_counts(store_ids: Sequence[str]) -> list[Store]:
    """The stores, each with its active tables and active out-of-stock items counted (one query)."""

    def count_of(queryset) -> Coalesce:
        counted = queryset.filter(store=OuterRef("pk")).order_by().values("store").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return list(
        Store.objects.filter(pk__in=store_ids)
        .annotate(
            active_tables=count_of(Table.objects.filter(is_active=True)),
            out_of_stock_items=count_of(out_of_stock_items()),
        )
        .order_by("pk")
    )


def kpi_metrics(*, store: Store, day: dt.date) -> dict[str, Decimal]:
    """The raw metric values of one store-day (no records written)."""
    figures = collect_figures([store.pk], day, day)
    (counted,) = stores_with_counts([store.pk])
    values = metric_values(counted, day, figures[(store.pk, day)], today=timezone.localdate())
    return {metric: value for metric, (value, _meta) in values.items()}


def store_ids_of(stores: Iterable[Store | str] | None) -> list[str]:
    """The IDs of the stores given, or of every active store."""
    if stores is None:
        return list(Store.objects.filter(status=Store.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    return sorted({s.pk if isinstance(s, Store) else s for s in stores})


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


def compute_records(store_ids: list[str], start: dt.date, end: dt.date, *, notify: bool) -> list[KPIRecord]:
    """Compute and upsert the records of every active KPI for the stores over [start, end]."""
    # Future days are allowed here (the seed simulates its own "today"); the API and the command
    # refuse them for people.
    check_range(start, end, start_field="start_date", end_field="end_date")
    kpis = list(KPI.objects.filter(is_active=True).order_by("category", "pk"))
    if not store_ids or not kpis:
        return []
    kpi_ids = [k.pk for k in kpis]
    stores = stores_with_counts(store_ids)
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
                if kpi.metric not in values:
                    continue  # not a daily metric (actual food cost: recorded when a count closes)
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

    # The callers hold the transaction: the upsert, the events and the notifications commit together.
    KPIRecord.objects.bulk_create(
        records,
        batch_size=UPSERT_BATCH,
        update_conflicts=True,
        unique_fields=["kpi", "store", "record_date"],
        update_fields=UPDATE_FIELDS,
    )
    if notify:
        announce(records, previous_status)
    return records
