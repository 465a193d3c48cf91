"""Menu reads: a store's view of the chain menu, recipes valid on a day, an order's ingredient
usage and a dish's cost per portion (aggregated in SQL or in one query per call, never per row)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, OuterRef, Q, Subquery

from inventory.quantities import QUANTIZE
from menu.models import Dish, RecipeLine, SetMealComponent, StoreDishOverride


def store_menu_entries(*, store_id: str, codes: Iterable[str]) -> dict[str, tuple[Dish, StoreDishOverride | None]]:
    """The active dishes of these codes with the store's override of each (two queries; two more
    when a set meal is among them: its components, and their overrides come with the others).

    A set meal's components are set on it as `store_components`: [(component, override or None)]
    (each component's `dish` loaded), so the caller can refuse a set whose dish is not available."""
    dishes = {d.code: d for d in Dish.objects.filter(code__in=set(codes), is_active=True).prefetch_related("modifiers")}
    set_meals = [d for d in dishes.values() if d.is_set_meal]
    components: dict[Any, list[SetMealComponent]] = defaultdict(list)
    if set_meals:
        for component in SetMealComponent.objects.filter(set_meal__in=set_meals).select_related("dish"):
            components[component.set_meal_id].append(component)
    dish_ids = {d.pk for d in dishes.values()} | {c.dish_id for found in components.values() for c in found}
    overrides = {o.dish_id: o for o in StoreDishOverride.objects.filter(store_id=store_id, dish_id__in=dish_ids)}
    for set_meal in set_meals:
        set_meal.store_components = [(c, overrides.get(c.dish_id)) for c in components[set_meal.pk]]
    return {code: (dish, overrides.get(dish.pk)) for code, dish in dishes.items()}


def recipe_lines_on(dish_ids: Iterable, day: dt.date) -> dict[Any, list[RecipeLine]]:
    """Each dish's recipe valid on `day`: the lines of its latest `valid_from` on or before it."""
    latest = (
        RecipeLine.objects.filter(dish_id=OuterRef("dish_id"), modifier__isnull=True, valid_from__lte=day)
        .order_by()
        .values("dish_id")
        .annotate(latest=Max("valid_from"))
        .values("latest")
    )
    lines: dict[Any, list[RecipeLine]] = defaultdict(list)
    for line in RecipeLine.objects.filter(
        dish_id__in=list(dish_ids), modifier__isnull=True, valid_from=Subquery(latest)
    ).order_by("dish_id", "ingredient_sku"):
        lines[line.dish_id].append(line)
    return lines


def portion_usage(quantity: Decimal, yield_factor: Decimal) -> Decimal:
    """What one portion takes out of stock: the usable quantity divided by the yield (unrounded)."""
    return Decimal(quantity) / Decimal(yield_factor)


def order_ingredient_usage(order) -> dict[str, Decimal]:
    """What an order's dish lines take out of stock per ingredient key: Σ portions × quantity /
    yield over its lines (a set meal: over its components' recipes; a chosen modifier adds its
    own recipe's changes), with the recipes valid on the order's local day, rounded once per
    ingredient to the ledger's three decimals (half up); an ingredient that nets to zero is
    left out. Read through RecipeBook, the same expansion the food cost reports use."""
    from django.utils import timezone

    # One query: the dish lines joined to their chosen modifiers (a line once per modifier).
    lines: dict[Any, tuple[Any, int, list]] = {}
    for item_id, dish_id, quantity, modifier_id in order.items.filter(dish__isnull=False).values_list(
        "id", "dish_id", "quantity", "chosen_modifiers__modifier_id"
    ):
        line = lines.setdefault(item_id, (dish_id, quantity, []))
        if modifier_id is not None:
            line[2].append(modifier_id)
    if not lines:
        return {}
    portions: dict[tuple[Any, frozenset], int] = defaultdict(int)
    for dish_id, quantity, modifier_ids in lines.values():
        portions[dish_id, frozenset(modifier_ids)] += quantity
    day = timezone.localdate(order.order_time)
    book = RecipeBook({dish_id for dish_id, _ in portions}, day, day)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (dish_id, modifier_ids), count in portions.items():
        for sku, quantity in book.line_usage_on(dish_id, day, count, sorted(modifier_ids, key=str)).items():
            totals[sku] += quantity
    rounded = {sku: total.quantize(QUANTIZE, rounding=ROUND_HALF_UP) for sku, total in sorted(totals.items())}
    return {sku: quantity for sku, quantity in rounded.items() if quantity}


class RecipeBook:
    """Every recipe version of some dishes (and of their modifiers) that is valid at some point
    of [start, end], loaded in two queries (the set meals' components among the dishes, then the
    recipe lines of the dishes, components and modifiers), answering "the recipe of this dish on
    that day" without another query: reports over a period multiply each day's sold portions by
    the recipe valid that day, a set meal's portions by its components' recipes (`usage_on`
    expands it), and the portions sold with a modifier by its recipe (`modifier_usage_on`)."""

    def __init__(self, dish_ids: Iterable, start: dt.date, end: dt.date) -> None:
        dish_ids = list(dish_ids)
        # Set meals among them: their components (one query), whose recipes are loaded too.
        components: dict[Any, list[tuple[Any, int]]] = defaultdict(list)
        for set_meal_id, dish_id, quantity in (
            SetMealComponent.objects.filter(set_meal_id__in=dish_ids)
            .order_by("set_meal_id", "dish_id")
            .values_list("set_meal_id", "dish_id", "quantity")
        ):
            components[set_meal_id].append((dish_id, quantity))
        self._components = dict(components)
        dish_ids = {*dish_ids, *(dish_id for found in components.values() for dish_id, _ in found)}
        # The latest version that starts on or before `start` is valid on `start`; later ones
        # starting within the period take over from their own date. A dish's own recipe and
        # each of its modifiers' are versioned apart.
        first_of_dish = (
            RecipeLine.objects.filter(dish_id=OuterRef("dish_id"), modifier__isnull=True, valid_from__lte=start)
            .order_by()
            .values("dish_id")
            .annotate(latest=Max("valid_from"))
            .values("latest")
        )
        first_of_modifier = (
            RecipeLine.objects.filter(modifier_id=OuterRef("modifier_id"), valid_from__lte=start)
            .order_by()
            .values("modifier_id")
            .annotate(latest=Max("valid_from"))
            .values("latest")
        )
        lines = RecipeLine.objects.filter(dish_id__in=dish_ids).filter(
            Q(modifier__isnull=True, valid_from=Subquery(first_of_dish))
            | Q(modifier__isnull=False, valid_from=Subquery(first_of_modifier))
            | Q(valid_from__gt=start, valid_from__lte=end)
        )
        versions: dict[Any, dict[dt.date, list[RecipeLine]]] = defaultdict(lambda: defaultdict(list))
        modifier_versions: dict[Any, dict[dt.date, list[RecipeLine]]] = defaultdict(lambda: defaultdict(list))
        self._modifier_dish: dict[Any, Any] = {}
        for line in lines.order_by("dish_id", "valid_from", "ingredient_sku"):
            if line.modifier_id is None:
                versions[line.dish_id][line.valid_from].append(line)
            else:
                modifier_versions[line.modifier_id][line.valid_from].append(line)
                self._modifier_dish[line.modifier_id] = line.dish_id
        # Per dish (per modifier): (valid_from, lines) oldest first.
        self._versions = {dish_id: sorted(by_date.items()) for dish_id, by_date in versions.items()}
        self._modifier_versions = {m: sorted(by_date.items()) for m, by_date in modifier_versions.items()}

    @staticmethod
    def _valid_on(versions, day: dt.date) -> list[RecipeLine]:
        found: list[RecipeLine] = []
        for valid_from, lines in versions:
            if valid_from > day:
                break
            found = lines
        return found

    def lines_on(self, dish_id, day: dt.date) -> list[RecipeLine]:
        """The recipe of `dish_id` valid on `day` (empty: none yet)."""
        return self._valid_on(self._versions.get(dish_id, ()), day)

    def modifier_lines_on(self, modifier_id, day: dt.date) -> list[RecipeLine]:
        """The recipe of a modifier valid on `day` (empty: it changes no ingredient)."""
        return self._valid_on(self._modifier_versions.get(modifier_id, ()), day)

    def components_of(self, dish_id) -> list[tuple[Any, int]]:
        """A set meal's (component dish id, portions per set); empty for a plain dish."""
        return self._components.get(dish_id, [])

    def usage_on(self, dish_id, day: dt.date, portions: int | Decimal) -> dict[str, Decimal]:
        """What `portions` of the dish take out of stock on `day`, per ingredient key (unrounded).

        A set meal expands into its components: Σ component portions × the component's recipe
        valid that day (plus the set's own lines, if it has any, e.g. a takeaway box). Modifiers
        are not included: `modifier_usage_on` (reports) or `line_usage_on` (an order line)."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines_on(dish_id, day):
            totals[line.ingredient_sku] += portions * portion_usage(line.quantity, line.yield_factor)
        for component_id, per_set in self.components_of(dish_id):
            for line in self.lines_on(component_id, day):
                totals[line.ingredient_sku] += portions * per_set * portion_usage(line.quantity, line.yield_factor)
        return dict(totals)

    def modifier_usage_on(self, modifier_id, day: dt.date, portions: int | Decimal) -> dict[str, Decimal]:
        """What choosing the modifier on `portions` portions of its dish changes on `day`, per
        ingredient key (unrounded; negative: less is used). A removal takes at most what the
        dish itself uses of the ingredient that day, so the dish's usage plus this never goes
        below zero. The modifier's dish must be among the book's dishes (it is whenever the
        book is built from the dishes sold)."""
        lines = self.modifier_lines_on(modifier_id, day)
        if not lines:
            return {}
        base: dict[str, Decimal] | None = None
        totals: dict[str, Decimal] = {}
        for line in lines:
            delta = portion_usage(line.quantity, line.yield_factor)
            if delta < 0:
                if base is None:
                    base = self.usage_on(self._modifier_dish[modifier_id], day, 1)
                delta = max(delta, -base.get(line.ingredient_sku, Decimal(0)))
            totals[line.ingredient_sku] = totals.get(line.ingredient_sku, Decimal(0)) + portions * delta
        return totals

    def line_usage_on(self, dish_id, day: dt.date, portions: int | Decimal, modifier_ids=()) -> dict[str, Decimal]:
        """What an order line (a dish, its chosen modifiers, `portions`) takes out of stock on
        `day`: `usage_on` plus each modifier's `modifier_usage_on`, no ingredient below zero."""
        totals = defaultdict(Decimal, self.usage_on(dish_id, day, portions))
        for modifier_id in modifier_ids:
            for sku, quantity in self.modifier_usage_on(modifier_id, day, portions).items():
                totals[sku] += quantity
        return {sku: max(total, Decimal(0)) for sku, total in totals.items()}
