"""A small menu over a few shared ingredients, for the menu and stock tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from inventory import services as inventory
from inventory.models import InventoryItem
from menu import services
from menu.models import Dish

D = Decimal
START = dt.date(2020, 1, 1)

# dish code -> (price, [(ingredient, quantity per portion, yield)])
RECIPES = {
    "KP01": (48_00, [("chicken", "0.180", "0.700"), ("peanuts", "0.030", "1"), ("oil", "0.020", "1")]),
    "MP01": (32_00, [("tofu", "0.300", "0.950"), ("oil", "0.015", "1")]),
    "RC01": (3_00, [("rice", "0.120", "1")]),
}
STOCK = {"chicken": "50", "peanuts": "10", "oil": "20", "tofu": "30", "rice": "40"}


@dataclass
class Menu:
    dishes: dict[str, Dish]
    items: dict[str, InventoryItem]


def build_menu(store, *, stock: dict[str, str] | None = None, stores=()) -> Menu:
    """Categories, dishes and recipes through the services; the stores' items with opening stock."""
    category = services.menu_category_create(code="hot", name_zh="热菜", name_en="Hot dishes", position=1)
    dishes = {}
    for code, (price, lines) in RECIPES.items():
        dish = services.dish_create(
            code=code, name_zh=f"菜{code}", name_en=f"Dish {code}", category=category, base_price_cents=price
        )
        for sku, quantity, yield_factor in lines:
            services.recipe_line_create(
                dish=dish, ingredient_sku=sku, quantity=D(quantity), yield_factor=D(yield_factor), valid_from=START
            )
        dishes[code] = dish
    items = {}
    for target in (store, *stores):
        for index, (sku, quantity) in enumerate((stock or STOCK).items()):
            item = inventory.inventory_item_create(
                store=target,
                id=f"{target.pk}-{sku}"[:50],
                name=f"Item {sku}",
                sku=sku,
                unit="kg",
                initial_quantity=quantity,
                unit_cost_cents=10_00 + index,
            )
            if target is store:
                items[sku] = item
    return Menu(dishes, items)


def expected_usage(lines: list[tuple[str, int]]) -> dict[str, Decimal]:
    """Σ portions × quantity / yield per ingredient, rounded once to three decimals."""
    totals: dict[str, Decimal] = {}
    for code, portions in lines:
        for sku, quantity, yield_factor in RECIPES[code][1]:
            totals[sku] = totals.get(sku, D(0)) + portions * D(quantity) / D(yield_factor)
    return {sku: total.quantize(D("0.001"), rounding=ROUND_HALF_UP) for sku, total in totals.items()}
