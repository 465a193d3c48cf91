"""The chain report (HQ comparison): stores as rows, the active KPIs as columns, over a period.

Each cell is the KPI's value over the period (`kpis.chain.aggregation`: sums summed, ratios
recomputed from their parts), its value over the previous period of the same length, the change
(absolute and %), the status by the KPI's rule with the period's thresholds, and the store's rank
among the rows (1 = best, by the KPI's direction; ties share a rank). Regions and the chain get
the same cells from their stores' parts added up ("total") and, for sum KPIs, the total per store
("average"; a ratio's average is its pooled value).

Three queries whatever the number of stores and days: the visible stores, the active KPIs and
one grouped aggregate over both periods' KPI records (by store, KPI and period).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.chain.aggregation import (
    SUM,
    Parts,
    aggregation_of,
    period_status,
    period_thresholds,
    period_value,
    slot_plan,
    sums,
)
from kpis.models import KPI, KPIRecord
from kpis.rules import HUNDRED, q4
from stores.models import Region, Store
from zhilian.dates import check_range
from zhilian.errors import InvalidInput

DAY, WEEK, MONTH, CUSTOM = "day", "week", "month", "custom"
PERIOD_KINDS = (DAY, WEEK, MONTH, CUSTOM)
# A custom period of at most a year and a day (its previous period doubles what is read).
MAX_PERIOD_DAYS = 367
NO_REGION = ""


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of the same length just before (a month: the previous calendar month)."""
        if self.kind == MONTH:
            end = self.start - dt.timedelta(days=1)
            return Period(MONTH, end.replace(day=1), end)
        length = dt.timedelta(days=self.days)
        return Period(self.kind, self.start - length, self.end - length)

    def as_dict(self) -> dict[str, Any]:
        previous = self.previous
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "days": self.days,
            "previous_start": previous.start,
            "previous_end": previous.end,
        }


def period_of(
    kind: str, *, day: dt.date | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> Period:
    """The period a report asks for: the day, the Monday-to-Sunday week or the calendar month
    holding `day` (default yesterday), or the custom range start..end."""
    if kind not in PERIOD_KINDS:
        raise InvalidInput({"period": _("Choose day, week, month or custom.")})
    if kind == CUSTOM:
        if start is None or end is None:
            raise InvalidInput({"from" if start is None else "to": _("A custom period needs both dates.")})
        check_range(start, end, start_field="from", end_field="to", max_days=MAX_PERIOD_DAYS)
        return Period(CUSTOM, start, end)
    day = day or timezone.localdate() - dt.timedelta(days=1)
    if kind == DAY:
        return Period(DAY, day, day)
    if kind == WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(WEEK, monday, monday + dt.timedelta(days=6))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(MONTH, day.replace(day=1), day.replace(day=last))


def report_stores(user, region: Region | None = None) -> list[Store]:
    """The stores the user sees (in the region), with their region: one query."""
    stores = Store.objects.for_user(user).select_related("region").order_by("region__name", "pk")
    if region is not None:
        stores = stores.filter(region=region)
    return list(stores.only("pk", "name", "status", "region__code", "region__name"))


# Columns in the order HQ reads them: sales first, then guests, efficiency, costs, quality.
CATEGORY_ORDER = [KPI.Category.REVENUE, KPI.Category.CUSTOMER, KPI.Category.EFFICIENCY, KPI.Category.COST]


def report_kpis() -> list[KPI]:
    kpis = KPI.objects.filter(is_active=True).order_by("pk")
    rank = {category: n for n, category in enumerate(CATEGORY_ORDER)}
    return sorted(kpis, key=lambda k: (rank.get(k.category, len(rank)), k.pk != "KPI_REVENUE"))


def revenue_kpi(kpis: list[KPI]) -> KPI | None:
    """The KPI whose records give the revenue that ratio KPIs divide by."""
    return next((k for k in kpis if k.metric == KPI.Metric.REVENUE), None) or next(
        iter(KPI.objects.filter(metric=KPI.Metric.REVENUE).order_by("pk")), None
    )


def grouped_parts(user, store_ids, kpis, revenue_id, period: Period) -> dict[tuple[str, str, bool], Parts]:
    """(store, KPI, is current period) -> summed parts, for both periods in one grouped query."""
    previous = period.previous
    plan = slot_plan(kpis, revenue_id)
    kpi_ids = list(plan)
    current = Q(record_date__gte=period.start)
    # Both periods as conditional sums over (store, KPI) groups: few groups, hashed, no sort.
    rows = (
        KPIRecord.objects.for_user(user)
        .filter(store_id__in=store_ids, kpi_id__in=kpi_ids, record_date__range=(previous.start, period.end))
        .values("store_id", "kpi_id")
        .annotate(**sums(plan, prefix="cur_", condition=current), **sums(plan, prefix="prev_", condition=~current))
        .order_by()
    )
    found: dict[tuple[str, str, bool], Parts] = {}
    for row in rows:
        for is_current, prefix in ((True, "cur_"), (False, "prev_")):
            parts = Parts.from_row(row, plan[row["kpi_id"]], prefix)
            if parts is not None:
                found[(row["store_id"], row["kpi_id"], is_current)] = parts
    return found


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(q4(value))


def cell(kpi: KPI, current: Parts | None, previous: Parts | None, revenue: tuple, *, per: int = 1) -> dict[str, Any]:
    """The report's cell of a KPI over a group's parts; `per` divides a sum KPI (the average)."""
    divide = per if aggregation_of(kpi).kind == SUM and per > 1 else 1
    value = period_value(kpi, current, revenue[0])
    before = period_value(kpi, previous, revenue[1])
    target, warning, critical = period_thresholds(kpi, current)
    status = period_status(kpi, value, current)
    if divide > 1:
        value, before = (None if v is None else q4(v / divide) for v in (value, before))
        target = None if target is None else q4(target / divide)
    change = None if value is None or before is None else value - before
    percent = None if change is None or not before else q4(change / abs(before) * HUNDRED)
    return {
        "value": _text(value),
        "previous": _text(before),
        "change": _text(change),
        "change_percent": _text(percent),
        "target": _text(target),
        "status": status,
        "days": current.n if current else 0,
        "rank": None,
    }


def _rank(rows: list[dict], kpis: list[KPI]) -> None:
    """Competition ranking of the store rows per KPI (1 = best by the KPI's direction)."""
    for kpi in kpis:
        valued = [r for r in rows if r["values"][kpi.pk]["value"] is not None]
        lower = kpi.direction == KPI.Direction.LOWER_IS_BETTER
        valued.sort(key=lambda r: Decimal(r["values"][kpi.pk]["value"]), reverse=not lower)
        previous_value, previous_rank = None, 0
        for position, row in enumerate(valued, start=1):
            value = Decimal(row["values"][kpi.pk]["value"])
            rank = previous_rank if value == previous_value else position
            row["values"][kpi.pk]["rank"] = rank
            previous_value, previous_rank = value, rank


def _summed(members: list[str], kpi_id, current: bool, parts, *, having=None) -> Parts | None:
    """The parts of `kpi_id` added up over the members (only those with `having`'s records)."""
    total = None
    for store_id in members:
        found = parts.get((store_id, kpi_id, current))
        if found is None or (having is not None and (store_id, having, current) not in parts):
            continue
        total = total or Parts()
        total.add(found)
    return total


def _group(kpis, revenue_id, members: list[str], parts) -> dict[str, Any]:
    """Total and per-store average cells of a group of stores from their parts added up. A ratio
    divides by the revenue of the stores that have the ratio's own records only."""
    total, average = {}, {}
    for kpi in kpis:
        current, previous = (_summed(members, kpi.pk, c, parts) for c in (True, False))
        revenue = tuple(_summed(members, revenue_id, c, parts, having=kpi.pk) for c in (True, False))
        total[kpi.pk] = cell(kpi, current, previous, revenue)
        average[kpi.pk] = cell(kpi, current, previous, revenue, per=len(members))
    return {"stores": len(members), "total": total, "average": average}


def kpi_columns(kpis: list[KPI]) -> list[dict[str, Any]]:
    return [
        {
            "id": k.pk,
            "name": _(k.name),
            "unit": k.unit,
            "metric": k.metric,
            "direction": k.direction,
            "aggregation": aggregation_of(k).kind,
        }
        for k in kpis
    ]


def chain_report(*, user, period: Period, region: Region | None = None) -> dict[str, Any]:
    """The report as plain data (the API serializes it; the admin page and exports render it)."""
    stores = report_stores(user, region)
    kpis = report_kpis()
    revenue = revenue_kpi(kpis)
    revenue_id = revenue.pk if revenue else None
    kpi_ids = [k.pk for k in kpis] + ([revenue_id] if revenue_id and revenue not in kpis else [])
    parts = grouped_parts(user, [s.pk for s in stores], kpis, revenue_id, period) if stores and kpis else {}

    rows = []
    for store in stores:
        has_records = any((store.pk, k, c) in parts for k in kpi_ids for c in (True, False))
        if store.status != Store.Status.ACTIVE and not has_records:
            continue  # a closed or preparing store with nothing to compare
        revenue_parts = (parts.get((store.pk, revenue_id, True)), parts.get((store.pk, revenue_id, False)))
        rows.append(
            {
                "store": store.pk,
                "name": store.name,
                "region": store.region.code if store.region else NO_REGION,
                "region_name": store.region.name if store.region else _("No region"),
                "dashboard_url": f"{reverse('dashboard')}?store={store.pk}",
                "values": {
                    k.pk: cell(k, parts.get((store.pk, k.pk, True)), parts.get((store.pk, k.pk, False)), revenue_parts)
                    for k in kpis
                },
            }
        )
    _rank(rows, kpis)

    regions: dict[str, dict[str, Any]] = {}
    for row in rows:
        regions.setdefault(row["region"], {"region": row["region"], "name": row["region_name"], "members": []})
        regions[row["region"]]["members"].append(row["store"])
    region_rows = [
        {"region": r["region"], "name": r["name"], **_group(kpis, revenue_id, r["members"], parts)}
        for r in regions.values()
    ]
    return {
        "period": period.as_dict(),
        "region": region.code if region else None,
        "kpis": kpi_columns(kpis),
        "stores": rows,
        "regions": region_rows,
        "chain": _group(kpis, revenue_id, [r["store"] for r in rows], parts),
    }
