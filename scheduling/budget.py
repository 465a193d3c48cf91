"""The labor budget: a store's target labor % of forecast sales, applied to a day's demand.

The budget of a day is ``target_labor_percent`` of its forecast sales. The demand's planned cost
is Σ heads × period hours × the position's mean hourly wage (the store's active staff in it; the
store's mean for a position nobody holds). Then, one head at a time:

* over the budget, the head the load needs least is trimmed (the lowest load per remaining head),
  never below a position's minimum;
* under it, an optional head (``Period.extra``) is added where one head serves the most load over
  its nominal ratio (a head the slack made absorb up to 20 %), while it fits in the budget. The
  demand model never adds a head the load does not ask for: a budget is a ceiling, not a quota.

Optional heads are staffed after all demand, from whoever is left, and are not in the coverage.
A higher target therefore never plans fewer hours. A store without a target keeps its demand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from scheduling.demand import Period


def position_wages(employees: Iterable[tuple[str, int]]) -> dict[str, float]:
    """Mean hourly wage in cents per position from (position, hourly_wage_cents) pairs; "" = all."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for position, wage in employees:
        for key in (position, ""):
            totals[key][0] += wage or 0
            totals[key][1] += 1
    return {key: total / count for key, (total, count) in totals.items() if count}


def _wage(wages: Mapping[str, float], position: str) -> float:
    return wages.get(position, wages.get("", 0.0))


def planned_cost_cents(periods: Iterable[Period], wages: Mapping[str, float], *, extra: bool = True) -> float:
    return sum(
        (n + (p.extra.get(pos, 0) if extra else 0)) * p.hours * _wage(wages, pos)
        for p in periods
        for pos, n in {**dict.fromkeys(p.extra, 0), **p.needs}.items()
    )


def apply_budget(
    periods: list[Period], *, sales_cents: int, target_percent: Decimal | float | None, wages: Mapping[str, float]
) -> dict[str, Any]:
    """Trim or extend the periods' heads towards the budget (in place); returns the summary for the
    generation report."""
    summary: dict[str, Any] = {
        "forecast_sales_cents": int(sales_cents),
        "target_labor_percent": float(target_percent) if target_percent is not None else None,
        "labor_budget_cents": None,
        "trimmed_heads": 0,
        "extra_heads": 0,
    }
    if target_percent is None or not periods:
        summary["planned_labor_cost_cents"] = round(planned_cost_cents(periods, wages))
        return summary
    budget = float(target_percent) / 100 * sales_cents
    summary["labor_budget_cents"] = round(budget)
    cost = planned_cost_cents(periods, wages)
    while cost > budget:
        removable = [(p, pos) for p in periods for pos, n in p.needs.items() if n > p.minimums.get(pos, 0)]
        if not removable:
            break
        # The head whose loss overloads the others least: lowest load per remaining head.
        period, position = min(removable, key=lambda c: c[0].ratios.get(c[1], 0) / max(c[0].needs[c[1]] - 1, 0.5))
        period.needs[position] -= 1
        if not period.needs[position]:
            del period.needs[position]
        cost -= period.hours * _wage(wages, position)
        summary["trimmed_heads"] += 1
    while True:
        candidates = [
            (p, pos)
            for p in periods
            for pos, ratio in p.ratios.items()
            if p.needs.get(pos, 0)
            and ratio > p.needs[pos] + p.extra.get(pos, 0)
            and cost + p.hours * _wage(wages, pos) <= budget
        ]
        if not candidates:
            break
        period, position = max(
            candidates,
            key=lambda c: c[0].ratios[c[1]] / max(c[0].needs.get(c[1], 0) + c[0].extra.get(c[1], 0), 0.5),
        )
        period.extra[position] = period.extra.get(position, 0) + 1
        cost += period.hours * _wage(wages, position)
        summary["extra_heads"] += 1
    summary["planned_labor_cost_cents"] = round(cost)
    return summary
