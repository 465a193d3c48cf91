"""Menu list filters."""

from __future__ import annotations

import django_filters as filters

from menu.models import Dish, DishModifier, MenuCategory, RecipeLine, StoreDishOverride
from zhilian.api.filters import FilterSet


class MenuCategoryFilter(FilterSet):
    class Meta:
        model = MenuCategory
        fields = ["code", "is_active"]


class DishFilter(FilterSet):
    category = filters.CharFilter(field_name="category__code", label="Category code")

    class Meta:
        model = Dish
        fields = ["code", "category", "is_active", "spice_level"]


class DishModifierFilter(FilterSet):
    dish = filters.UUIDFilter(field_name="dish_id")
    dish_code = filters.CharFilter(field_name="dish__code")

    class Meta:
        model = DishModifier
        fields = ["dish", "dish_code", "is_active"]


class RecipeLineFilter(FilterSet):
    dish = filters.UUIDFilter(field_name="dish_id")
    dish_code = filters.CharFilter(field_name="dish__code")
    modifier = filters.UUIDFilter(field_name="modifier_id")
    for_modifier = filters.BooleanFilter(
        field_name="modifier", lookup_expr="isnull", exclude=True, label="A modifier's line (false: the dish's own)"
    )

    class Meta:
        model = RecipeLine
        fields = ["dish", "dish_code", "modifier", "for_modifier", "ingredient_sku", "valid_from"]


class StoreDishOverrideFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id")
    dish = filters.UUIDFilter(field_name="dish_id")

    class Meta:
        model = StoreDishOverride
        fields = ["store", "dish", "is_hidden", "sold_out_on"]
