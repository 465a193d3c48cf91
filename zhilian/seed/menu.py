"""The demo chain's menu, written through the menu services: categories in menu order, every
dish of the catalogue with its recipe (the catalogue's stock keys are the items' SKUs), valid
from a date before any seeded history so every seeded order resolves to a recipe."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db.models import F

from inventory.models import InventoryItem
from inventory.services import inventory_item_update
from menu import services
from menu.models import Dish, MenuCategory
from zhilian.seed import catalog as cat

RECIPES_VALID_FROM = dt.date(2020, 1, 1)
# code -> (Chinese, English), in menu order.
CATEGORIES = {
    "cold": ("冷菜", "Cold dishes"),
    "hot": ("热菜", "Hot dishes"),
    "signature": ("招牌菜", "Signature dishes"),
    "dim_sum": ("点心", "Dim sum"),
    "staple": ("主食", "Staples"),
    "soup": ("汤", "Soups"),
    "dessert": ("甜品", "Desserts"),
    "drink": ("饮品", "Drinks"),
}
# What preparation loses of an ingredient (trimming, bones, thawing); 1 elsewhere.
YIELDS = {key: Decimal(value) for key, value in cat.YIELDS.items()}


def ensure_menu() -> dict[str, uuid.UUID]:
    """Create what is missing of the menu (idempotent); returns dish code -> dish id."""
    categories = {c.code: c for c in MenuCategory.objects.filter(code__in=list(CATEGORIES))}
    for position, (code, (zh, en)) in enumerate(CATEGORIES.items(), start=1):
        if code not in categories:
            categories[code] = services.menu_category_create(code=code, name_zh=zh, name_en=en, position=position)
    dishes = {d.code: d for d in Dish.objects.filter(code__in=[d.code for d in cat.MENU])}
    for position, entry in enumerate(cat.MENU, start=1):
        if entry.code in dishes:
            continue
        dish = services.dish_create(
            code=entry.code,
            name_zh=entry.name_zh,
            name_en=entry.name_en,
            category=categories[entry.category],
            spice_level=2 if entry.spicy else 0,
            allergens=_allergens(entry),
            base_price_cents=entry.price_cents,
            position=position,
        )
        for key, quantity in entry.recipe:
            services.recipe_line_create(
                dish=dish,
                ingredient_sku=key,
                quantity=Decimal(str(quantity)).quantize(Decimal("0.001")),
                yield_factor=YIELDS.get(key, Decimal("1")),
                valid_from=RECIPES_VALID_FROM,
            )
        if entry.spicy:
            services.dish_modifier_create(dish=dish, code="mild", name_zh="微辣", name_en="Mild", price_delta_cents=0)
        if entry.category in ("hot", "staple"):
            services.dish_modifier_create(
                dish=dish, code="large", name_zh="大份", name_en="Large", price_delta_cents=entry.price_cents // 2
            )
        dishes[entry.code] = dish
    return {code: dish.pk for code, dish in dishes.items()}


def align_ingredient_keys() -> int:
    """Give the items of a chain seeded before the menu (whose migration made each item's name its
    key) the catalogue's keys the recipes name, through the item service; returns how many."""
    keys = {stock.name: stock.key for stock in cat.STOCK}
    stale = InventoryItem.objects.filter(name__in=list(keys), sku=F("name")).order_by("pk")
    for item in stale:
        inventory_item_update(item=item, changes={"sku": keys[item.name]})
    return len(stale)


def _allergens(entry: cat.Dish) -> list[str]:
    keys = {key for key, _ in entry.recipe}
    found = []
    for allergen, sources in (
        ("peanut", {"peanuts"}),
        ("shellfish", {"shrimp"}),
        ("fish", {"snakehead_fish", "sea_bass", "mandarin_fish"}),
        ("gluten", {"flour", "noodles", "soy_sauce"}),
        ("egg", {"eggs"}),
        ("soy", {"tofu", "soy_sauce"}),
    ):
        if keys & sources:
            found.append(allergen)
    return found
