"""One formatter for what users read: money as ¥ with separators, ratios as percentages, KPI
values in their unit. The admin (readonly fields, changelist cells, KPI columns) and the
dashboard's server-rendered parts use these; the API keeps raw cents and decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import pgettext

YUAN_UNITS = frozenset({"CNY", "¥", "yuan"})
PERCENT_UNITS = frozenset({"%", "percent"})


def format_yuan(cents: int | None) -> str:
    """¥1,234.50 from 123450 cents ("-" for none)."""
    if cents is None:
        return "-"
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def _number(value: Decimal, places: int) -> str:
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places, use_l10n=True, force_grouping=True)


def format_percent(value: Decimal | float | None, places: int = 1) -> str:
    """A value already in percent: 35.2 %."""
    if value is None:
        return "-"
    return f"{_number(Decimal(str(value)), places)} %"


def format_rate(rate: Decimal | float | None, places: int = 1) -> str:
    """A fraction as a percentage with its sign where it is a change: 0.8734 -> 87.3 %."""
    if rate is None:
        return "-"
    return format_percent(Decimal(str(rate)) * 100, places)


def format_change(rate: Decimal | float | None, places: int = 1) -> str:
    """A change as a signed percentage: -0.2934 -> −29.3 %, 0.05 -> +5.0 %."""
    if rate is None:
        return "-"
    value = Decimal(str(rate)) * 100
    text = format_percent(abs(value), places)
    return text if value == 0 else ("+" if value > 0 else "−") + text


def format_kpi_value(value: Decimal | float | None, unit: str) -> str:
    """A KPI value in its unit: ¥16,056.00 for CNY, 35.2 % for %, 12.5 min, 3 items (whole
    counts without decimals)."""
    if value is None:
        return "-"
    value = Decimal(str(value))
    if unit in YUAN_UNITS:
        cents = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return format_yuan(cents)
    if unit in PERCENT_UNITS:
        return format_percent(value)
    places = 0 if value == value.to_integral_value() else (1 if unit == "min" else 2)
    text = _number(value, places)
    return f"{text} {pgettext('KPI unit', unit) if unit else ''}".strip()
