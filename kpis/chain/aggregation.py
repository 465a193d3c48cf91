"""How a KPI's daily values add up over a period, a store, a region or the chain.

A KPI record holds one store-day. Over several days or stores, the value is recomputed from the
parts the records keep (their ``metadata``, written by `kpis.metrics`), never by averaging
ratios:

- sum (revenue, order count, waste cost, stock-outs): Σ values.
- ratio: Σ numerator parts / Σ denominator parts × scale, e.g. food cost % = Σ (usage + waste
  cost) / Σ revenue × 100; the revenue comes from the revenue KPI's records of the same
  store-days (`REVENUE_REF`), which are computed together with them.
- weighted (average ticket time): Σ (value × weight) / Σ weight, weighted by the day's tickets.
- mean (any KPI with no rule here, e.g. a custom metric): the plain mean of the daily values.

A ratio whose parts are missing (records written before their metadata had them, or no revenue
KPI) falls back to the mean of the daily values.

Targets and thresholds follow the same shape: summed over the days for a sum KPI (the daily
revenue target × days; a store's own target per month), their mean otherwise; the status of a
period value is then `kpis.rules.kpi_status` with those thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from kpis.models import KPI
from kpis.rules import HUNDRED, kpi_status, q4

M = KPI.Metric
SUM, RATIO, WEIGHTED, MEAN = "sum", "ratio", "weighted", "mean"
# A part of another KPI's records: the revenue in cents of the same store-days.
REVENUE_REF = "revenue"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Aggregation:
    kind: str
    # (source, metadata key): source "own" is the KPI's own records, REVENUE_REF the revenue KPI's.
    numerator: tuple[tuple[str, str], ...] = ()
    denominator: tuple[tuple[str, str], ...] = ()
    scale: Decimal = Decimal(1)
    weight: str = ""  # WEIGHTED: the metadata key weighting each day's value


OWN = "own"
REVENUE_CENTS = (REVENUE_REF, "revenue_cents")

AGGREGATIONS: dict[str, Aggregation] = {
    M.REVENUE: Aggregation(SUM),
    M.ORDER_COUNT: Aggregation(SUM),
    M.WASTE_COST: Aggregation(SUM),
    M.STOCK_OUTS: Aggregation(SUM),
    M.AVERAGE_CHECK: Aggregation(RATIO, (REVENUE_CENTS,), ((OWN, "order_count"),), CENT),
    M.TABLE_TURNOVER: Aggregation(RATIO, ((OWN, "table_orders"),), ((OWN, "active_tables"),)),
    M.REVPASH: Aggregation(RATIO, (REVENUE_CENTS,), ((OWN, "seat_hours"),), CENT),
    M.FOOD_COST_RATIO: Aggregation(
        RATIO, ((OWN, "usage_cost_cents"), (OWN, "waste_cost_cents")), (REVENUE_CENTS,), HUNDRED
    ),
    M.LABOR_COST_RATIO: Aggregation(RATIO, ((OWN, "labor_cost_cents"),), (REVENUE_CENTS,), HUNDRED),
    M.AVERAGE_TICKET_TIME: Aggregation(WEIGHTED, weight="orders"),
    M.NO_SHOW_RATE: Aggregation(RATIO, ((OWN, "no_shows"),), ((OWN, "resolved"),), HUNDRED),
    M.THEORETICAL_FOOD_COST: Aggregation(RATIO, ((OWN, "recipe_cost_cents"),), (REVENUE_CENTS,), HUNDRED),
    # Recorded on the day a count period closes, with that period's cost and revenue.
    M.ACTUAL_FOOD_COST: Aggregation(RATIO, ((OWN, "actual_cost_cents"),), ((OWN, "revenue_cents"),), HUNDRED),
}


def aggregation_of(kpi: KPI) -> Aggregation:
    return AGGREGATIONS.get(kpi.metric, Aggregation(MEAN))


NUMBER = DecimalField(max_digits=24, decimal_places=4)
# Each record's parts go to at most three slots (the keys its KPI needs, by KPI: `slot_plan`), so
# a row reads three metadata keys whatever the number of KPIs: the JSON reads are the query's cost.
SLOTS = ("a", "b", "c")


def _meta(key: str):
    # Values are numbers or numeric strings ("12.0000"); JSON null reads as SQL NULL.
    return Cast(KeyTextTransform(key, "metadata"), NUMBER)


def own_keys(kpi: KPI) -> list[str]:
    rule = aggregation_of(kpi)
    keys = [key for source, key in (*rule.numerator, *rule.denominator) if source == OWN]
    return keys + ([rule.weight] if rule.weight else [])


def slot_plan(kpis, revenue_id: str | None) -> dict[str, dict[str, str]]:
    """KPI id -> {slot: metadata key}: its own parts, and the revenue KPI's revenue in cents."""
    plan = {k.pk: dict(zip(SLOTS, own_keys(k), strict=False)) for k in kpis}
    if revenue_id is not None:
        plan[revenue_id] = {"a": REVENUE_CENTS[1]}
    return plan


def sums(plan: dict[str, dict[str, str]], *, prefix: str = "", condition: Q | None = None) -> dict:
    """The aggregate expressions of a grouped KPIRecord query (one row per group); with a
    `condition`, over the rows that meet it only (FILTER), named with `prefix`."""
    weights = {a.weight for a in AGGREGATIONS.values() if a.weight}

    def slot(name: str, *, weighted: bool = False):
        whens = [
            When(kpi_id=kpi_id, then=F("value") * _meta(keys[name]) if weighted else _meta(keys[name]))
            for kpi_id, keys in sorted(plan.items())
            if name in keys and (not weighted or keys[name] in weights)
        ]
        if not whens:
            return Value(None, output_field=NUMBER)
        return Sum(Case(*whens, output_field=NUMBER), filter=condition)

    expressions = {
        "total": Sum("value", filter=condition),
        "n": Count("pk", filter=condition),
        "target_sum": Sum("target_value", filter=condition),
        "target_n": Count("target_value", filter=condition),
        # Thresholds missing on some records of a KPI (edited mid-period) count as the others' mean.
        "warning_sum": Sum(_meta("warning_threshold"), filter=condition),
        "critical_sum": Sum(_meta("critical_threshold"), filter=condition),
        **{f"slot_{name}": slot(name) for name in SLOTS},
        "weighted": slot("a", weighted=True),
    }
    return {f"{prefix}{name}": expression for name, expression in expressions.items()}


def _dec(value) -> Decimal:
    # SQLite hands back floats for some sums: through str() they stay exact enough for 4 places.
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass
class Parts:
    """Summed parts of a group of records of one KPI (addable: stores into regions and the chain)."""

    total: Decimal = Decimal(0)
    n: int = 0
    target_sum: Decimal = Decimal(0)
    target_n: int = 0
    warning_sum: Decimal = Decimal(0)
    warning_n: int = 0
    critical_sum: Decimal = Decimal(0)
    critical_n: int = 0
    parts: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict, keys: dict[str, str], prefix: str = "") -> Parts | None:
        """From a grouped row (None where it counts no record); `keys` names what its slots hold
        (the row KPI's `slot_plan`)."""
        if prefix:
            row = {name[len(prefix) :]: value for name, value in row.items() if name.startswith(prefix)}
        if not row["n"]:
            return None
        parts = {key: _dec(row[f"slot_{name}"]) for name, key in keys.items() if row[f"slot_{name}"] is not None}
        weight = keys.get("a")
        return cls(
            total=_dec(row["total"]),
            n=row["n"],
            target_sum=_dec(row["target_sum"]),
            target_n=row["target_n"],
            warning_sum=_dec(row["warning_sum"]),
            warning_n=row["n"] if row["warning_sum"] is not None else 0,
            critical_sum=_dec(row["critical_sum"]),
            critical_n=row["n"] if row["critical_sum"] is not None else 0,
            parts=parts,
            weighted={weight: _dec(row["weighted"])} if weight and row["weighted"] is not None else {},
        )

    def add(self, other: Parts) -> None:
        for name in ("total", "n", "target_sum", "target_n", "warning_sum", "warning_n", "critical_sum", "critical_n"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.parts, other.parts), (self.weighted, other.weighted)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, Decimal(0)) + value


def _part(parts: Parts, revenue: Parts | None, source: str, key: str) -> Decimal | None:
    holder = parts if source == OWN else revenue
    if holder is None or key not in holder.parts:
        return None
    return holder.parts[key]


def period_value(kpi: KPI, parts: Parts | None, revenue: Parts | None) -> Decimal | None:
    """The KPI's value over the records summed in `parts` (None without records)."""
    if parts is None or not parts.n:
        return None
    rule = aggregation_of(kpi)
    if rule.kind == SUM:
        return q4(parts.total)
    if rule.kind == RATIO:
        numerator = [_part(parts, revenue, *p) for p in rule.numerator]
        denominator = [_part(parts, revenue, *p) for p in rule.denominator]
        if None not in numerator and None not in denominator:
            below = sum(denominator, Decimal(0))
            # No revenue (or no reservations) at all: 0, as a single day's record says.
            return q4(sum(numerator, Decimal(0)) * rule.scale / below) if below else Decimal("0.0000")
    if rule.kind == WEIGHTED and rule.weight in parts.parts and parts.parts[rule.weight]:
        return q4(parts.weighted[rule.weight] / parts.parts[rule.weight])
    return q4(parts.total / parts.n)


def period_thresholds(kpi: KPI, parts: Parts | None) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(target, warning, critical) over the group: summed for a sum KPI, their mean otherwise."""
    if parts is None or not parts.n:
        return None, None, None
    summed = aggregation_of(kpi).kind == SUM

    def pick(total: Decimal, count: int) -> Decimal | None:
        if not count:
            return None
        # A sum KPI's threshold over days the records lack one counts as the KPI's per-day value.
        return q4(total * parts.n / count) if summed else q4(total / count)

    return (
        pick(parts.target_sum, parts.target_n),
        pick(parts.warning_sum, parts.warning_n),
        pick(parts.critical_sum, parts.critical_n),
    )


def period_status(kpi: KPI, value: Decimal | None, parts: Parts | None) -> str | None:
    if value is None:
        return None
    _target, warning, critical = period_thresholds(kpi, parts)
    return kpi_status(value, direction=kpi.direction, warning=warning, critical=critical)
