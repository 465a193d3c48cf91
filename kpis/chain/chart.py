"""One KPI across stores (or regions) over time: the series (one grouped query) and the
coordinates of a server-drawn SVG line chart (no script, no library), as menu/charts.py draws the
menu engineering scatter.

Points are days, or ISO weeks (Monday) when the period is longer than `DAILY_UP_TO` days; each
point is the KPI's value over the records of that day or week (`kpis.chain.aggregation`). A region
line of a sum KPI is its per-store average, so regions of different sizes compare; the target line
is the mean target of one store over the same point (a sum KPI's target over a week is 7 days').
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.db.models.functions import TruncWeek

from kpis.chain.aggregation import SUM, Parts, aggregation_of, period_thresholds, period_value, slot_plan, sums
from kpis.chain.report import NO_REGION, Period, report_stores, revenue_kpi
from kpis.models import KPI, KPIRecord
from kpis.rules import q4
from menu.charts import _label, _ticks  # the same axis ticks as the menu engineering chart
from stores.models import Region

BY_STORE, BY_REGION = "store", "region"
DAILY_UP_TO = 92
WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
PALETTE_SIZE = 10  # series classes s0..s9 (kpis/static/kpis/chain_report.css)


def kpi_series(*, user, kpi: KPI, period: Period, by: str = BY_STORE, region: Region | None = None) -> dict[str, Any]:
    """{"bucket": "day"|"week", "points": [dates], "lines": [{key, label, values}], "target": [..]}:
    four queries (stores, the revenue KPI, the records grouped by store and point)."""
    stores = report_stores(user, region)
    revenue = revenue_kpi([kpi])
    weekly = period.days > DAILY_UP_TO
    plan = slot_plan([kpi], revenue.pk if revenue else None)
    kpi_ids = set(plan)
    rows = (
        KPIRecord.objects.for_user(user)
        .filter(store_id__in=[s.pk for s in stores], kpi_id__in=kpi_ids, record_date__range=(period.start, period.end))
        .annotate(point=TruncWeek("record_date") if weekly else F("record_date"))
        .values("store_id", "kpi_id", "point")
        .annotate(**sums(plan))
        .order_by()
    )
    parts: dict[tuple[str, str, dt.date], Parts] = {}
    for row in rows:
        point = row["point"].date() if isinstance(row["point"], dt.datetime) else row["point"]
        found = Parts.from_row(row, plan[row["kpi_id"]])
        if found is not None:
            parts[(row["store_id"], row["kpi_id"], point)] = found
    points = sorted({p for (_s, _k, p) in parts})
    revenue_id = revenue.pk if revenue else None

    groups: dict[str, dict[str, Any]] = {}
    for store in stores:
        if by == BY_REGION:
            key = store.region.code if store.region else NO_REGION
            label = store.region.name if store.region else ""
        else:
            key, label = store.pk, f"{store.pk} · {store.name}"
        groups.setdefault(key, {"key": key, "label": label, "members": []})["members"].append(store.pk)

    def pooled(members, point):
        own, rev, counted = None, None, 0
        for store_id in members:
            found = parts.get((store_id, kpi.pk, point))
            if found is None:
                continue
            counted += 1
            own = own or Parts()
            own.add(found)
            if (store_id, revenue_id, point) in parts:
                rev = rev or Parts()
                rev.add(parts[(store_id, revenue_id, point)])
        return own, rev, counted

    summed = aggregation_of(kpi).kind == SUM
    lines = []
    for group in groups.values():
        values = []
        for point in points:
            own, rev, counted = pooled(group["members"], point)
            value = period_value(kpi, own, rev)
            if value is not None and summed and counted > 1:
                value = q4(value / counted)
            values.append(value)
        if any(v is not None for v in values):
            lines.append({"key": group["key"], "label": group["label"], "values": values})
    target = []
    for point in points:
        own, _rev, counted = pooled([s.pk for s in stores], point)
        goal = period_thresholds(kpi, own)[0]
        target.append(q4(goal / counted) if goal is not None and summed and counted else goal)
    return {
        "kpi": {"id": kpi.pk, "name": kpi.name, "unit": kpi.unit},
        "by": by,
        "bucket": "week" if weekly else "day",
        "points": points,
        "lines": lines,
        "target": target,
    }


def line_chart(series: dict[str, Any]) -> dict[str, Any] | None:
    """Coordinates for the template: the plot box, ticks, one polyline per line, the target."""
    points = series["points"]
    values = [float(v) for line in series["lines"] for v in line["values"] if v is not None]
    values += [float(v) for v in series["target"] if v is not None]
    if not points or not values:
        return None
    y0, y1, y_ticks = _ticks(min(0.0, min(values)), max(values) * 1.05 or 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(len(points) - 1, 1)

    def px(i: int) -> float:
        return round(LEFT + (i / span if len(points) > 1 else 0.5) * plot_w, 1)

    def py(v: Decimal | float) -> float:
        return round(TOP + plot_h - (float(v) - y0) / (y1 - y0) * plot_h, 1)

    def path(vals) -> list[str]:
        # Gaps (days without a record) break the line into segments.
        segments, current = [], []
        for i, v in enumerate(vals):
            if v is None:
                if current:
                    segments.append(" ".join(current))
                current = []
            else:
                current.append(f"{px(i)},{py(v)}")
        if current:
            segments.append(" ".join(current))
        return segments

    step = max(1, len(points) // 8)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "box": {
            "left": LEFT,
            "top": TOP,
            "right": WIDTH - RIGHT,
            "bottom": TOP + plot_h,
            "width": plot_w,
            "height": plot_h,
        },
        "y_ticks": [{"at": py(t), "label": _label(t)} for t in y_ticks],
        "x_ticks": [{"at": px(i), "label": f"{p:%m-%d}"} for i, p in enumerate(points) if i % step == 0],
        "lines": [
            {
                "key": line["key"],
                "label": line["label"],
                "css": f"s{n % PALETTE_SIZE}",
                "segments": path(line["values"]),
                "dots": [{"x": px(i), "y": py(v), "value": v} for i, v in enumerate(line["values"]) if v is not None],
                "last": next((v for v in reversed(line["values"]) if v is not None), None),
            }
            for n, line in enumerate(series["lines"])
        ],
        "target": path(series["target"]),
    }
