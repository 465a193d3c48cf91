"""The menu engineering scatter chart as plain coordinates for an inline SVG drawn by the
template (no script, no library): popularity (menu mix %) across, margin per portion up, the
two Kasavana–Smith threshold lines, one dot per dish coloured by its class."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 48
TICKS = 5


def _nice_step(span: float) -> float:
    """A round tick step (1, 2 or 5 × a power of ten) giving about TICKS ticks over `span`."""
    raw = span / TICKS if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _ticks(low: float, high: float) -> tuple[float, float, list[float]]:
    step = _nice_step(high - low)
    start = (low // step) * step
    end = -((-high) // step) * step
    if end <= start:
        end = start + step
    ticks, value = [], start
    while value <= end + step / 1000:
        ticks.append(round(value, 6))
        value += step
    return start, end, ticks


def _label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def scatter(report: dict[str, Any]) -> dict[str, Any]:
    """Coordinates for the template: the plot box, axis ticks, the threshold lines and the dots."""
    dishes = report["dishes"]
    summary = report["summary"]
    threshold_x = float(Decimal(summary["popularity_threshold_percent"]))
    threshold_y = summary["average_margin_cents"] / 100
    xs = [float(Decimal(d["menu_mix_percent"])) for d in dishes] + [threshold_x, 0.0]
    ys = [d["margin_per_portion_cents"] / 100 for d in dishes] + [threshold_y, 0.0]
    x0, x1, x_ticks = _ticks(0.0, max(xs) * 1.05 or 1.0)
    y0, y1, y_ticks = _ticks(min(ys), max(ys) * 1.05 if max(ys) > 0 else 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + (x - x0) / (x1 - x0) * plot_w, 1)

    def py(y: float) -> float:
        return round(TOP + plot_h - (y - y0) / (y1 - y0) * plot_h, 1)

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
        "x_ticks": [{"at": px(t), "label": _label(t)} for t in x_ticks],
        "y_ticks": [{"at": py(t), "label": _label(t)} for t in y_ticks],
        "x_axis_y": TOP + plot_h,
        "x_label_at": (LEFT + plot_w / 2, HEIGHT - 8),
        "y_label_at": (16, TOP + plot_h / 2),
        "threshold_x": px(threshold_x),
        "threshold_y": py(threshold_y),
        "zero_y": py(0.0) if y0 < 0 else None,
        "dots": [
            {
                "x": px(float(Decimal(d["menu_mix_percent"]))),
                "y": py(d["margin_per_portion_cents"] / 100),
                "dish_class": d["dish_class"],
                "code": d["code"],
                "dish": d,
            }
            for d in dishes
        ],
    }
