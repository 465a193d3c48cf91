"""KPI charts as plain coordinates for inline SVG drawn by templates (no script, no library), in
the shape of menu/charts.py: the trend chart (values over days, the target line and the status
bands of kpis.rules.kpi_status) and the changelist's sparklines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.html import format_html

from kpis.models import KPI, KPIRecord
from menu.charts import _label, _ticks

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 40
X_LABELS = 7
SPARK_W, SPARK_H = 84, 22

Status = KPIRecord.Status


def _bands(direction: str, warning: float | None, critical: float | None, y0: float, y1: float) -> list[dict]:
    """The status bands as value ranges, as kpi_status judges them: higher-is-better on track at
    or above the warning threshold, at risk down to the critical one, off track below; lower-is-
    better mirrored. A missing threshold merges its two bands."""
    cuts = [t for t in (warning, critical) if t is not None]
    if not cuts:
        return []
    if direction == KPI.Direction.LOWER_IS_BETTER:
        edges = [y0, *(t for t in (warning, critical) if t is not None), y1]
        statuses = [Status.ON_TRACK, *([Status.AT_RISK] if warning is not None and critical is not None else [])]
        statuses.append(Status.OFF_TRACK if critical is not None else Status.AT_RISK)
    else:
        edges = [y0, *(t for t in (critical, warning) if t is not None), y1]
        statuses = [Status.OFF_TRACK if critical is not None else Status.AT_RISK]
        statuses += [Status.AT_RISK] if warning is not None and critical is not None else []
        statuses.append(Status.ON_TRACK)
    bands = []
    for (lo, hi), status in zip(zip(edges, edges[1:]), statuses):
        lo, hi = max(lo, y0), min(hi, y1)
        if hi > lo:
            bands.append({"status": status, "low": lo, "high": hi})
    return bands


def trend_chart(series: dict[str, Any]) -> dict[str, Any]:
    """Coordinates of a trend chart for `kpis.selectors.kpi_series`'s answer."""
    points = series["points"]
    start: dt.date = series["start"]
    days: int = series["days"]
    target, warning, critical = (
        None if v is None else float(v) for v in (series["target"], series["warning"], series["critical"])
    )
    values = [float(p["value"]) for p in points]
    targets = [float(p["target"]) for p in points if p["target"] is not None]
    known = values + targets + [v for v in (target, warning, critical) if v is not None] + [0.0]
    low, high = min(known), max(known)
    y0, y1, y_ticks = _ticks(low, high * 1.08 if high > 0 else 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(days - 1, 1)

    def px(day: dt.date) -> float:
        return round(LEFT + (day - start).days * step, 1)

    def py(value: float) -> float:
        return round(TOP + plot_h - (value - y0) / (y1 - y0) * plot_h, 1)

    # The line breaks where a day has no record (it was not computed), rather than bridging it.
    segments: list[list[str]] = []
    previous: dt.date | None = None
    for p in points:
        if previous is None or (p["date"] - previous).days > 1:
            segments.append([])
        segments[-1].append(f"{px(p['date'])},{py(float(p['value']))}")
        previous = p["date"]
    # The records' own targets (a store's monthly revenue target changes by month), else the
    # KPI's target as a level line.
    if targets:
        target_line = " ".join(f"{px(p['date'])},{py(float(p['target']))}" for p in points if p["target"] is not None)
    elif target is not None:
        target_line = f"{LEFT},{py(target)} {LEFT + plot_w},{py(target)}"
    else:
        target_line = ""
    label_every = max(1, round(days / X_LABELS))
    x_ticks = [
        {"at": px(start + dt.timedelta(days=i)), "label": (start + dt.timedelta(days=i)).strftime("%m-%d")}
        for i in range(days - 1, -1, -label_every)
    ]
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
        },  # fmt: skip
        "y_ticks": [{"at": py(t), "label": _label(t)} for t in y_ticks],
        "x_ticks": x_ticks,
        "bands": [
            {"status": b["status"], "y": py(b["high"]), "height": round(py(b["low"]) - py(b["high"]), 1)}
            for b in _bands(series["direction"], warning, critical, y0, y1)
        ],
        "segments": [" ".join(s) for s in segments],
        "dots": [
            {
                "x": px(p["date"]),
                "y": py(float(p["value"])),
                "status": p["status"],
                "date": p["date"],
                "value": p["value"],
            }
            for p in points
        ],  # fmt: skip
        "target_line": target_line,
        "has_data": bool(points),
        "center": (LEFT + plot_w // 2, TOP + plot_h // 2),
    }


def sparkline(values: list[Decimal]) -> str:
    """A small inline SVG of the values (oldest first), or "" with fewer than two."""
    if len(values) < 2:
        return ""
    numbers = [float(v) for v in values]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = (SPARK_W - 4) / (len(numbers) - 1)
    coords = " ".join(
        f"{round(2 + i * step, 1)},{round(SPARK_H - 2 - (n - low) / span * (SPARK_H - 4), 1)}"
        for i, n in enumerate(numbers)
    )
    return format_html(
        '<svg class="kpi-spark" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true">'
        '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>',
        SPARK_W,
        SPARK_H,
        SPARK_W,
        SPARK_H,
        coords,
    )
