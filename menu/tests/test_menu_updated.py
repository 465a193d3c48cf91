"""`menu.updated`: a change of what a store sells reaches the live channel of every store it
changes (all of them for the chain menu, one for a store's override), once, after the commit;
a change that changes nothing, a recipe and a 估清 (its own event) say nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from menu import services
from menu.tests.factories import DishFactory, MenuCategoryFactory, RecipeLineFactory
from zhilian.errors import InvalidInput

pytestmark = pytest.mark.django_db


def updates(sent):
    return sorted((groups[0], event["data"]["kind"], event["data"]["id"]) for groups, event in sent
                  if event["type"] == "menu.updated")  # fmt: skip


def test_the_chain_menu_changes_reach_every_store(actors, sent, django_capture_on_commit_callbacks):
    category = MenuCategoryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        dish = services.dish_create(
            code="KP10", name_zh="宫保鸡丁", name_en="Kung Pao Chicken", category=category,
            base_price_cents=48_00, user=actors.admin,
        )  # fmt: skip
    assert updates(sent) == [("store.STORE001", "dish", str(dish.pk)), ("store.STORE002", "dish", str(dish.pk))]
    assert {event["data"]["by"] for _, event in sent} == {str(actors.admin.pk)}

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.dish_update(dish=dish, base_price_cents=52_00, user=actors.admin)
        services.dish_update(dish=dish, base_price_cents=52_00, user=actors.admin)  # no change: no event
    assert updates(sent) == [("store.STORE001", "dish", str(dish.pk)), ("store.STORE002", "dish", str(dish.pk))]

    sent.clear()
    dish_id = str(dish.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.dish_delete(dish=dish, user=actors.admin)
    assert updates(sent) == [("store.STORE001", "dish", dish_id), ("store.STORE002", "dish", dish_id)]


def test_a_store_override_reaches_that_store_only(actors, sent, django_capture_on_commit_callbacks):
    dish = DishFactory()
    with django_capture_on_commit_callbacks(execute=True):
        override = services.store_dish_override_create(
            store=actors.store, dish=dish, price_cents=40_00, user=actors.manager
        )
    assert updates(sent) == [("store.STORE001", "override", str(override.pk))]

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.store_dish_override_update(store_dish_override=override, is_hidden=True, user=actors.manager)
    assert updates(sent) == [("store.STORE001", "override", str(override.pk))]


def test_recipes_sold_out_and_a_refused_change_say_nothing(actors, sent, django_capture_on_commit_callbacks):
    dish = DishFactory()
    line = RecipeLineFactory(dish=dish, ingredient_sku="rice", quantity=Decimal("0.100"))
    with django_capture_on_commit_callbacks(execute=True):
        services.recipe_line_update(recipe_line=line, quantity=Decimal("0.120"), user=actors.admin)
        services.dish_set_sold_out(store=actors.store, dish=dish, user=actors.manager)
    assert updates(sent) == []
    assert [event["type"] for _, event in sent] == ["menu.sold_out"]  # 估清 has its own event
    with pytest.raises(InvalidInput), django_capture_on_commit_callbacks(execute=True):
        services.dish_update(dish=dish, base_price_cents=-1, user=actors.admin)
    assert updates(sent) == []
