"""The dish admin: recipe lines and modifiers inline, written through the services, cost shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from inventory.tests.factories import InventoryItemFactory
from menu.models import Dish, RecipeLine
from menu.tests.factories import MenuCategoryFactory
from zhilian.audit import audit_entries

ADD = "/admin/menu/dish/add/"


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
def test_an_admin_adds_a_dish_with_its_recipe_and_sees_its_cost(actors):
    category = MenuCategoryFactory()
    InventoryItemFactory(store=actors.store, sku="chicken", unit_cost_cents=30_00)
    InventoryItemFactory(store=actors.other_store, sku="chicken", unit_cost_cents=34_00)
    InventoryItemFactory(store=actors.store, sku="peanuts", unit_cost_cents=20_00)
    client = Client()
    client.force_login(actors.admin)
    data = {
        "code": "KP09",
        "name_zh": "宫保鸡丁",
        "name_en": "Kung Pao Chicken",
        "category": str(category.pk),
        "position": "1",
        "is_active": "on",
        "description": "",
        "spice_level": "2",
        "allergens": "花生，麸质、 芝麻 ,",
        "base_price_cents": "48.00",
        **_management("components", 0),
        **_management("recipe_lines", 2),
        "recipe_lines-0-ingredient_sku": "chicken",
        "recipe_lines-0-quantity": "0.180",
        "recipe_lines-0-yield_factor": "0.900",
        "recipe_lines-0-valid_from": "2026-01-01",
        "recipe_lines-1-ingredient_sku": "peanuts",
        "recipe_lines-1-quantity": "0.030",
        "recipe_lines-1-yield_factor": "1",
        "recipe_lines-1-valid_from": "2026-01-01",
        **_management("modifiers", 1),
        "modifiers-0-code": "large",
        "modifiers-0-name_zh": "大份",
        "modifiers-0-name_en": "Large",
        "modifiers-0-price_delta_cents": "1000",
        "modifiers-0-is_active": "on",
    }
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    dish = Dish.objects.get(code="KP09")
    assert dish.base_price_cents == 48_00
    # Typed on one line, with any of the separators people use; shown back the same way.
    assert dish.allergens == ["花生", "麸质", "芝麻"]
    assert dish.modifiers.get().price_delta_cents == 1000
    lines = RecipeLine.objects.filter(dish=dish).order_by("ingredient_sku")
    assert [(line.ingredient_sku, line.quantity) for line in lines] == [
        ("chicken", Decimal("0.180")),
        ("peanuts", Decimal("0.030")),
    ]
    assert [e.additional_data["event"] for e in audit_entries(lines[0])] == ["recipe_line.create"]
    assert audit_entries(lines[0])[0].actor_id == actors.admin.pk

    page = client.get(f"/admin/menu/dish/{dish.pk}/change/").content.decode()
    # 0.18 / 0.9 kg × ¥32.00 (the two stores' average) + 0.03 kg × ¥20.00 = ¥6.40 + ¥0.60
    assert 'value="花生, 麸质, 芝麻"' in page
    assert "¥7.00" in page
    assert "85.4 %" in page  # (48 − 7) / 48


@pytest.mark.django_db
def test_recipe_lines_changed_and_removed_in_the_admin_go_through_the_services(actors):
    from menu.tests.factories import DishFactory, RecipeLineFactory

    dish = DishFactory()
    keep = RecipeLineFactory(dish=dish, ingredient_sku="rice", quantity=Decimal("0.100"))
    drop = RecipeLineFactory(dish=dish, ingredient_sku="oil", quantity=Decimal("0.010"))
    client = Client()
    client.force_login(actors.admin)
    data = {
        "code": dish.code,
        "name_zh": dish.name_zh,
        "name_en": dish.name_en,
        "category": str(dish.category_id),
        "position": "0",
        "is_active": "on",
        "description": "",
        "spice_level": "0",
        "allergens": "",
        "base_price_cents": "48.00",
        **_management("components", 0),
        **_management("recipe_lines", 2, 2),
        "recipe_lines-0-id": str(keep.pk),
        "recipe_lines-0-dish": str(dish.pk),
        "recipe_lines-0-ingredient_sku": "rice",
        "recipe_lines-0-quantity": "0.150",
        "recipe_lines-0-yield_factor": "1",
        "recipe_lines-0-valid_from": str(keep.valid_from),
        "recipe_lines-1-id": str(drop.pk),
        "recipe_lines-1-dish": str(dish.pk),
        "recipe_lines-1-ingredient_sku": "oil",
        "recipe_lines-1-quantity": "0.010",
        "recipe_lines-1-yield_factor": "1",
        "recipe_lines-1-valid_from": str(drop.valid_from),
        "recipe_lines-1-DELETE": "on",
        **_management("modifiers", 0),
    }
    response = client.post(f"/admin/menu/dish/{dish.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(RecipeLine.objects.filter(dish=dish).values_list("ingredient_sku", "quantity")) == [
        ("rice", Decimal("0.150"))
    ]
    assert [e.additional_data["event"] for e in audit_entries(keep)] == ["recipe_line.update"]
