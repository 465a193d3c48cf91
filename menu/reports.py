"""Food cost reports over dish sales: the recipe cost of what was sold (the theoretical food cost
KPI, kpis.metrics) and menu engineering (Kasavana–Smith).

Both read the same aggregated rows: dish portions and revenue per (store, local day, dish) from
`orders.selectors.daily_dish_sales` (one grouped query), the recipes valid on each day from
`menu.selectors.RecipeBook` (one query; it expands what a dish consumes, so every recipe
quantity goes through its `usage_on`), and the stores' own unit costs of the ingredient keys
(one query). Python then works over those aggregated rows only, never over orders or lines, so a
report costs the same handful of queries whatever the number of orders or dishes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models import InventoryItem
from menu.models import Dish
from menu.selectors import RecipeBook
from orders.selectors import daily_dish_sales, daily_modifier_sales
from stores.models import Store
from zhilian.dates import check_range

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Kasavana–Smith: a dish is popular when its share of the units sold reaches 70 % of the fair
# share (1 / number of dishes sold in the analysis).
POPULARITY_FACTOR = Decimal("0.7")
# A report's longest period (a year and a day, like the other reports).
MAX_REPORT_DAYS = 367


class DishClass(models.TextChoices):
    STAR = "star", _("Star")
    PLOWHORSE = "plowhorse", _("Plowhorse")
    PUZZLE = "puzzle", _("Puzzle")
    DOG = "dog", _("Dog")


def cents(value: Decimal | int) -> int:
    """Cents rounded half up (costs are exact decimals until they are shown)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _places(value: Decimal, places: str = "0.01") -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def unit_costs(store_ids: Iterable[str], skus: Iterable[str]) -> dict[tuple[str, str], int]:
    """(store id, ingredient key) -> the store's own item's unit cost in cents (one query)."""
    skus = set(skus)
    if not skus:
        return {}
    rows = InventoryItem.objects.filter(store_id__in=list(store_ids), sku__in=skus).values_list(
        "store_id", "sku", "unit_cost_cents"
    )
    return {(store_id, sku): cost for store_id, sku, cost in rows}


@dataclass
class SoldDish:
    """One (store, day, dish) of sales with the recipe cost of its portions (unrounded cents)."""

    store_id: str
    day: dt.date
    dish_id: Any
    portions: int
    revenue_cents: int
    cost_cents: Decimal
    has_recipe: bool
    unpriced: set[str] = field(default_factory=set)


def sold_dishes_with_cost(store_ids: Sequence[str], start: dt.date, end: dt.date) -> list[SoldDish]:
    """The dish sales per (store, local day, dish) over [start, end] with their recipe cost:
    portions × the recipe valid that day (`RecipeBook.usage_on`) × the store's own unit cost of
    each ingredient (0 where the store has no item of that key: listed in `unpriced`), plus what
    the modifiers chosen on those portions change (`RecipeBook.modifier_usage_on`).
    Five queries whatever the number of orders, dishes or days."""
    rows = list(daily_dish_sales(store_ids, start, end))
    if not rows:
        return []
    book = RecipeBook({row["dish_id"] for row in rows}, start, end)
    # One portion's usage per (dish, day), shared by every store's row of that dish-day (a chain
    # year has ~30 stores × the menu × 365 rows); usage is proportional to the portions.
    per_portion: dict[tuple[Any, dt.date], dict[str, Decimal]] = {}
    for row in rows:
        key = (row["dish_id"], row["day"])
        if key not in per_portion:
            per_portion[key] = book.usage_on(row["dish_id"], row["day"], 1)
    # The chosen modifiers change what a portion uses (加辣 adds, 去葱 removes), per (dish, day).
    modifier_rows = list(daily_modifier_sales(store_ids, start, end))
    per_modifier: dict[tuple[Any, dt.date], dict[str, Decimal]] = {}
    for row in modifier_rows:
        key = (row["modifier_id"], row["day"])
        if key not in per_modifier:
            per_modifier[key] = book.modifier_usage_on(row["modifier_id"], row["day"], 1)
    skus = {sku for usage in [*per_portion.values(), *per_modifier.values()] for sku in usage}
    costs = unit_costs(store_ids, skus)
    modifier_usage: dict[tuple[str, dt.date, Any], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in modifier_rows:
        target = modifier_usage[(row["store_id"], row["day"], row["dish_id"])]
        for sku, quantity in per_modifier[(row["modifier_id"], row["day"])].items():
            target[sku] += int(row["portions"]) * quantity
    sold = []
    for row in rows:
        usage = per_portion[(row["dish_id"], row["day"])]
        portions = int(row["portions"])
        entry = SoldDish(
            store_id=row["store_id"],
            day=row["day"],
            dish_id=row["dish_id"],
            portions=portions,
            revenue_cents=int(row["revenue_cents"]),
            cost_cents=ZERO,
            has_recipe=bool(usage),
        )
        total = {sku: portions * quantity for sku, quantity in usage.items()}
        for sku, quantity in modifier_usage.get((row["store_id"], row["day"], row["dish_id"]), {}).items():
            total[sku] = total.get(sku, ZERO) + quantity
        for sku, quantity in total.items():
            unit_cost = costs.get((row["store_id"], sku))
            if unit_cost is None:
                entry.unpriced.add(sku)
                continue
            entry.cost_cents += quantity * unit_cost
        sold.append(entry)
    return sold


def daily_recipe_cost(
    store_ids: Sequence[str], start: dt.date, end: dt.date
) -> dict[tuple[str, dt.date], tuple[Decimal, int]]:
    """(store id, local day) -> (recipe cost of the portions sold in cents, unrounded; the dishes'
    revenue in cents) over [start, end]: the theoretical food cost KPI's inputs (kpis.compute)."""
    totals: dict[tuple[str, dt.date], tuple[Decimal, int]] = {}
    for entry in sold_dishes_with_cost(store_ids, start, end):
        cost, revenue = totals.get((entry.store_id, entry.day), (ZERO, 0))
        totals[(entry.store_id, entry.day)] = (cost + entry.cost_cents, revenue + entry.revenue_cents)
    return totals


# --- menu engineering --------------------------------------------------------------------------


def dish_class(*, high_margin: bool, popular: bool) -> str:
    """Kasavana–Smith: star (high margin, popular), plowhorse (low margin, popular), puzzle
    (high margin, unpopular), dog (low margin, unpopular)."""
    if high_margin:
        return DishClass.STAR if popular else DishClass.PUZZLE
    return DishClass.PLOWHORSE if popular else DishClass.DOG


def menu_engineering(*, store: Store, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Each dish sold in `store` over [start, end] (inclusive local days) with its units,
    revenue, recipe cost (per portion and total), contribution margin (per portion: average
    selling price − recipe cost per portion; and total), menu mix %, popularity index and class,
    plus the summary the classes are drawn against. Four queries whatever the sales.

    - margin is high when the dish's margin per portion is at least the weighted average
      (Σ margins / Σ units of every dish sold);
    - popularity is high when its menu mix (its share of the units sold) is at least 70 % of the
      fair share 1 / N, N the number of dishes sold; the popularity index is menu mix / fair
      share (1 = the fair share, so 0.70 is the line).

    The comparisons are exact (integer cents cross-multiplied), the shown values rounded.
    """
    check_range(start, end, max_days=MAX_REPORT_DAYS)
    per_dish: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"units": 0, "revenue": 0, "cost": ZERO, "has_recipe": False, "unpriced": set()}
    )
    for entry in sold_dishes_with_cost([store.pk], start, end):
        dish = per_dish[entry.dish_id]
        dish["units"] += entry.portions
        dish["revenue"] += entry.revenue_cents
        dish["cost"] += entry.cost_cents
        dish["has_recipe"] = dish["has_recipe"] or entry.has_recipe
        dish["unpriced"] |= entry.unpriced
    sold = {dish_id: d for dish_id, d in per_dish.items() if d["units"] > 0}
    info = {
        row["id"]: row
        for row in Dish.objects.filter(pk__in=list(sold)).values(
            "id", "code", "name_zh", "name_en", "category__name_zh", "category__name_en"
        )
    }

    count = len(sold)
    total_units = sum(d["units"] for d in sold.values())
    total_revenue = sum(d["revenue"] for d in sold.values())
    for d in sold.values():
        d["cost_total"] = cents(d["cost"])  # rounded once per dish; margins are exact from here
        d["margin_total"] = d["revenue"] - d["cost_total"]
    total_cost = sum(d["cost_total"] for d in sold.values())
    total_margin = total_revenue - total_cost

    dishes = []
    for dish_id, d in sold.items():
        units = d["units"]
        # margin_total / units >= total_margin / total_units, without division.
        high_margin = d["margin_total"] * total_units >= total_margin * units
        # units / total_units >= 0.7 / count  <=>  10 × units × count >= 7 × total_units
        popular = 10 * units * count >= 7 * total_units
        mix = Decimal(units) * HUNDRED / total_units
        row = info.get(dish_id, {})
        dishes.append(
            {
                "dish": str(dish_id),
                "code": row.get("code", ""),
                "name_zh": row.get("name_zh", ""),
                "name_en": row.get("name_en", ""),
                "category_zh": row.get("category__name_zh", ""),
                "category_en": row.get("category__name_en", ""),
                "units_sold": units,
                "revenue_cents": d["revenue"],
                "average_price_cents": cents(Decimal(d["revenue"]) / units),
                "recipe_cost_per_portion_cents": cents(Decimal(d["cost_total"]) / units),
                "recipe_cost_cents": d["cost_total"],
                "margin_per_portion_cents": cents(Decimal(d["margin_total"]) / units),
                "margin_cents": d["margin_total"],
                "food_cost_percent": _places(Decimal(d["cost_total"]) * HUNDRED / d["revenue"])
                if d["revenue"]
                else None,
                "menu_mix_percent": _places(mix),
                "popularity_index": _places(mix * count / HUNDRED),
                "high_margin": high_margin,
                "high_popularity": popular,
                "dish_class": dish_class(high_margin=high_margin, popular=popular),
                "has_recipe": d["has_recipe"],
                "unpriced_ingredients": sorted(d["unpriced"]),
            }
        )
    dishes.sort(key=lambda r: (-r["units_sold"], -r["revenue_cents"], r["code"]))
    classes = {c: sum(1 for r in dishes if r["dish_class"] == c) for c in DishClass.values}
    return {
        "store": store.pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "summary": {
            "dish_count": count,
            "units_sold": total_units,
            "revenue_cents": total_revenue,
            "recipe_cost_cents": total_cost,
            "margin_cents": total_margin,
            "food_cost_percent": _places(Decimal(total_cost) * HUNDRED / total_revenue) if total_revenue else None,
            # The two thresholds: the weighted average margin per portion and 70 % of the fair share.
            "average_margin_cents": cents(Decimal(total_margin) / total_units) if total_units else 0,
            "popularity_threshold_percent": _places(POPULARITY_FACTOR * HUNDRED / count) if count else "0.00",
            "popularity_index_threshold": _places(POPULARITY_FACTOR),
            "classes": classes,
        },
        "dishes": dishes,
    }


def dish_costs_per_portion(dish_ids: Iterable, *, day: dt.date, store_id: str | None = None) -> dict[Any, int | None]:
    """Each dish's recipe cost of one portion on `day` in cents (`RecipeBook.usage_on` × unit
    costs: one store's items, or the chain's average over the stores that stock the ingredient);
    None for a dish without a recipe. Two queries for any number of dishes (an admin page)."""
    dish_ids = list(dish_ids)
    if not dish_ids:
        return {}
    book = RecipeBook(dish_ids, day, day)
    usages = {dish_id: book.usage_on(dish_id, day, 1) for dish_id in dish_ids}
    skus = {sku for usage in usages.values() for sku in usage}
    items = InventoryItem.objects.filter(sku__in=skus)
    if store_id is not None:
        items = items.filter(store_id=store_id)
    costs = dict(
        items.order_by().values("sku").annotate(cost=models.Avg("unit_cost_cents")).values_list("sku", "cost")
    ) if skus else {}  # fmt: skip
    return {
        dish_id: cents(sum((q * Decimal(str(costs.get(sku) or 0)) for sku, q in usage.items()), ZERO))
        if usage
        else None
        for dish_id, usage in usages.items()
    }


def margin_percent(price_cents: int, cost_cents: int | None) -> Decimal | None:
    """(price − recipe cost) / price × 100, one decimal; None without a cost or a price."""
    if cost_cents is None or not price_cents:
        return None
    return (Decimal(price_cents - cost_cents) * HUNDRED / price_cents).quantize(Decimal("0.1"), ROUND_HALF_UP)
