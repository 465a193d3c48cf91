"""A store's sales over a period worked out by hand for the menu engineering report (one
ingredient per dish, so each recipe cost is one multiplication)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from inventory.tests.factories import InventoryItemFactory
from kpis.tests.helpers import local
from menu.tests.factories import DishFactory, MenuCategoryFactory, RecipeLineFactory
from orders import services as orders
from orders.models import Order

END = timezone.localdate() - dt.timedelta(days=1)
START = END - dt.timedelta(days=6)

# code -> (price, kg of its one ingredient per portion at 10.00/kg, units sold in the period)
DISHES = {
    "A": (50_00, "1.000", 40),  # cost 10.00, margin 40.00
    "B": (30_00, "1.500", 50),  # cost 15.00, margin 15.00
    "C": (80_00, "2.000", 5),  # cost 20.00, margin 60.00
    "D": (20_00, "1.200", 3),  # cost 12.00, margin 8.00
    "E": (40_00, "1.000", 20),  # cost 10.00, margin 30.00
}
# Units 118 over 5 dishes: fair share 20 %, popular from 14 % (16.52 units): A, B, E.
# Margin 40×40 + 50×15 + 5×60 + 3×8 + 20×30 = 3274.00 over 118 units: 27.7458 → 27.75 a portion.
# A star, B plowhorse, C puzzle, D dog, E star.
EXPECTED_CLASSES = {"A": "star", "B": "plowhorse", "C": "puzzle", "D": "dog", "E": "star"}
UNIT_COST = 10_00


def sell(store, lines, when, **fields) -> Order:
    return orders.order_create(
        store=store, items=[{"item_code": c, "quantity": q} for c, q in lines], order_time=when, **fields
    )


def build_sales(store, *, other_store=None, user=None) -> dict[str, object]:
    """The five dishes, the store's ingredient items and the period's sales; noise outside it."""
    category = MenuCategoryFactory(code="hot", name_zh="热菜", name_en="Hot dishes")
    dishes = {}
    for code, (price, kg, _units) in DISHES.items():
        dish = DishFactory(code=code, name_zh=f"菜{code}", name_en=f"Dish {code}", category=category,
                           base_price_cents=price)  # fmt: skip
        RecipeLineFactory(dish=dish, ingredient_sku=f"ing-{code}", quantity=Decimal(kg), valid_from=dt.date(2020, 1, 1))
        InventoryItemFactory(store=store, id=f"{store.pk}-{code}", sku=f"ing-{code}", unit_cost_cents=UNIT_COST)
        if other_store is not None:
            InventoryItemFactory(
                store=other_store, id=f"{other_store.pk}-{code}", sku=f"ing-{code}", unit_cost_cents=99_00
            )
        dishes[code] = dish
    # Split over the first and the last day of the period.
    first = [(code, units // 2) for code, (_p, _k, units) in DISHES.items() if units // 2]
    last = [(code, units - units // 2) for code, (_p, _k, units) in DISHES.items()]
    sell(store, first, local(START, 0, 0, 0))
    sell(store, last, local(END, 23, 59))
    # Not counted: a cancelled order, the days around the period, another store.
    cancelled = sell(store, [("D", 30)], local(END, 12))
    orders.order_transition(order=cancelled, status=Order.Status.CANCELLED, user=user, reason="test")
    sell(store, [("C", 50)], local(START, 0) - dt.timedelta(seconds=1))
    sell(store, [("C", 50)], local(END + dt.timedelta(days=1), 0))
    if other_store is not None:
        sell(other_store, [("D", 100)], local(END, 12))
    return dishes
