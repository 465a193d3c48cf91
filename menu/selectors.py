"""Menu reads: a store's view of the chain menu, recipes valid on a day, an order's ingredient
usage and a dish's cost per portion (aggregated in SQL or in one query per call, never per row)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Max, OuterRef, Q, Subquery

from inventory.models import InventoryItem
from inventory.quantities import QUANTIZE
from menu.models import Dish, RecipeLine, StoreDishOverride


def store_menu_entries(*, store_id: str, codes: Iterable[str]) -> dict[str, tuple[Dish, StoreDishOverride | None]]:
    """The active dishes of these codes with the store's override of each (two queries)."""
    dishes = {d.code: d for d in Dish.objects.filter(code__in=set(codes), is_active=True).prefetch_related("modifiers")}
    overrides = {
        o.dish_id: o for o in StoreDishOverride.objects.filter(store_id=store_id, dish__in=list(dishes.values()))
    }
    return {code: (dish, overrides.get(dish.pk)) for code, dish in dishes.items()}


def recipe_lines_on(dish_ids: Iterable, day: dt.date) -> dict[Any, list[RecipeLine]]:
    """Each dish's recipe valid on `day`: the lines of its latest `valid_from` on or before it."""
    latest = (
        RecipeLine.objects.filter(dish_id=OuterRef("dish_id"), valid_from__lte=day)
        .order_by()
        .values("dish_id")
        .annotate(latest=Max("valid_from"))
        .values("latest")
    )
    lines: dict[Any, list[RecipeLine]] = defaultdict(list)
    for line in RecipeLine.objects.filter(dish_id__in=list(dish_ids), valid_from=Subquery(latest)).order_by(
        "dish_id", "ingredient_sku"
    ):
        lines[line.dish_id].append(line)
    return lines


def portion_usage(quantity: Decimal, yield_factor: Decimal) -> Decimal:
    """What one portion takes out of stock: the usable quantity divided by the yield (unrounded)."""
    return Decimal(quantity) / Decimal(yield_factor)


def order_ingredient_usage(order) -> dict[str, Decimal]:
    """What an order's dish lines take out of stock per ingredient key: Σ portions × quantity /
    yield over its lines, with the recipes valid on the order's local day, rounded once per
    ingredient to the ledger's three decimals (half up)."""
    from django.utils import timezone

    portions: dict[Any, int] = defaultdict(int)
    for dish_id, quantity in order.items.filter(dish__isnull=False).values_list("dish_id", "quantity"):
        portions[dish_id] += quantity
    if not portions:
        return {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for dish_id, lines in recipe_lines_on(portions, timezone.localdate(order.order_time)).items():
        for line in lines:
            totals[line.ingredient_sku] += portions[dish_id] * portion_usage(line.quantity, line.yield_factor)
    return {sku: total.quantize(QUANTIZE, rounding=ROUND_HALF_UP) for sku, total in sorted(totals.items())}


def dish_cost_per_portion(dish: Dish, *, day: dt.date, store_id: str | None = None) -> int | None:
    """The recipe cost of one portion in cents at the items' unit costs (one store's, or the
    chain's average over the stores that stock the ingredient); None without a recipe."""
    lines = recipe_lines_on([dish.pk], day).get(dish.pk, [])
    if not lines:
        return None
    items = InventoryItem.objects.filter(sku__in=[line.ingredient_sku for line in lines])
    if store_id is not None:
        items = items.filter(store_id=store_id)
    costs = dict(items.order_by().values("sku").annotate(cost=Avg("unit_cost_cents")).values_list("sku", "cost"))
    total = sum(
        portion_usage(line.quantity, line.yield_factor) * Decimal(str(costs.get(line.ingredient_sku) or 0))
        for line in lines
    )
    return int(Decimal(total).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


class RecipeBook:
    """Every recipe version of some dishes that is valid at some point of [start, end], loaded in
    one query, answering "the recipe of this dish on that day" without another query: reports
    over a period multiply each day's sold portions by the recipe valid that day."""

    def __init__(self, dish_ids: Iterable, start: dt.date, end: dt.date) -> None:
        dish_ids = list(dish_ids)
        # The latest version that starts on or before `start` is valid on `start`; later ones
        # starting within the period take over from their own date.
        first = (
            RecipeLine.objects.filter(dish_id=OuterRef("dish_id"), valid_from__lte=start)
            .order_by()
            .values("dish_id")
            .annotate(latest=Max("valid_from"))
            .values("latest")
        )
        lines = RecipeLine.objects.filter(dish_id__in=dish_ids).filter(
            Q(valid_from=Subquery(first)) | Q(valid_from__gt=start, valid_from__lte=end)
        )
        versions: dict[Any, dict[dt.date, list[RecipeLine]]] = defaultdict(lambda: defaultdict(list))
        for line in lines.order_by("dish_id", "valid_from", "ingredient_sku"):
            versions[line.dish_id][line.valid_from].append(line)
        # Per dish: (valid_from, lines) oldest first.
        self._versions = {dish_id: sorted(by_date.items()) for dish_id, by_date in versions.items()}

    def lines_on(self, dish_id, day: dt.date) -> list[RecipeLine]:
        """The recipe of `dish_id` valid on `day` (empty: none yet)."""
        found: list[RecipeLine] = []
        for valid_from, lines in self._versions.get(dish_id, ()):
            if valid_from > day:
                break
            found = lines
        return found

    def usage_on(self, dish_id, day: dt.date, portions: int | Decimal) -> dict[str, Decimal]:
        """What `portions` of the dish take out of stock on `day`, per ingredient key (unrounded)."""
        return {
            line.ingredient_sku: portions * portion_usage(line.quantity, line.yield_factor)
            for line in self.lines_on(dish_id, day)
        }
