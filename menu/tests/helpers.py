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


# 双人套餐: 1 × KP01 + 1 × MP01 + 2 × RC01, sold at less than its dishes (48 + 32 + 2 × 3 = 86 yuan).
SET_MEAL = ("SET2", 78_00, [("KP01", 1), ("MP01", 1), ("RC01", 2)])


def add_set_meal(menu: Menu, *, user=None) -> Dish:
    """The set meal SET2 over the menu's dishes, through the services."""
    code, price, components = SET_MEAL
    set_meal = services.dish_create(
        code=code,
        name_zh="双人套餐",
        name_en="Set for two",
        category=menu.dishes["KP01"].category,
        base_price_cents=price,
        is_set_meal=True,
        components=[{"dish": menu.dishes[c], "quantity": q} for c, q in components],
        user=user,
    )
    menu.dishes[code] = set_meal
    return set_meal


def expand(lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Dish lines with the set meal replaced by its components' portions (hand expansion)."""
    out = []
    for code, portions in lines:
        if code == SET_MEAL[0]:
            out.extend((c, portions * q) for c, q in SET_MEAL[2])
        else:
            out.append((code, portions))
    return out
