"""KPI reads for the charts: one KPI's series for a store (the trend chart) and the last values
of many KPI-store pairs at once (the changelist's sparklines). Each is one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q

from kpis.models import KPI, KPIRecord
from kpis.rules import effective_targets
from stores.models import Store

# The periods a trend chart offers, in days.
TREND_PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
# A sparkline shows at most this many values, up to the row's own date.
SPARKLINE_POINTS = 14


def kpi_series(*, kpi: KPI, store: Store, end: dt.date, days: int) -> dict[str, Any]:
    """The KPI's records for the store over the `days` days ending on `end` (oldest first), and
    the store's effective target and thresholds on `end` (kpis.rules.effective_targets), which
    the chart draws as the target line and the status bands. One query."""
    start = end - dt.timedelta(days=days - 1)
    rows = list(
        KPIRecord.objects.filter(kpi=kpi, store=store, record_date__gte=start, record_date__lte=end)
        .order_by("record_date")
        .values("record_date", "value", "target_value", "status")
    )
    target, warning, critical = effective_targets(kpi, store, end)
    return {
        "kpi": kpi,
        "store": store,
        "start": start,
        "end": end,
        "days": days,
        "points": [
            {"date": r["record_date"], "value": r["value"], "target": r["target_value"], "status": r["status"]}
            for r in rows
        ],
        "target": target,
        "warning": warning,
        "critical": critical,
        "direction": kpi.direction,
    }


def recent_values(records: Iterable[KPIRecord], points: int = SPARKLINE_POINTS) -> dict[Any, list[Decimal]]:
    """{record pk: the values of its KPI and store over the last `points` days up to its date,
    oldest first} for every record given, in one query (the changelist page's rows)."""
    records = list(records)
    if not records:
        return {}
    first = min(r.record_date for r in records) - dt.timedelta(days=points - 1)
    last = max(r.record_date for r in records)
    pairs = {(r.kpi_id, r.store_id) for r in records}
    wanted = Q()
    for kpi_id, store_id in pairs:
        wanted |= Q(kpi_id=kpi_id, store_id=store_id)
    series: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    rows = (
        KPIRecord.objects.filter(wanted, record_date__gte=first, record_date__lte=last)
        .order_by("record_date")
        .values_list("kpi_id", "store_id", "record_date", "value")
    )
    for kpi_id, store_id, day, value in rows:
        series[(kpi_id, store_id)].append((day, value))
    result = {}
    for r in records:
        since = r.record_date - dt.timedelta(days=points - 1)
        result[r.pk] = [v for d, v in series[(r.kpi_id, r.store_id)] if since <= d <= r.record_date]
    return result
