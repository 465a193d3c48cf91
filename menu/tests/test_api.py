"""The menu API: the generic resource suite per endpoint, and the sold-out (估清) action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from menu.models import DishModifier, RecipeLine, StoreDishOverride
from menu.tests.factories import (
    DishFactory,
    DishModifierFactory,
    MenuCategoryFactory,
    RecipeLineFactory,
    StoreDishOverrideFactory,
)
from zhilian.testing.api import APIResourceTests


class TestMenuCategoryResource(APIResourceTests):
    list_url = "/api/v1/menu-categories/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return MenuCategoryFactory(**kwargs)

    def create_payload(self, actors):
        return {"code": "cold", "name_zh": "冷菜", "name_en": "Cold dishes", "position": 1}

    def check_created(self, obj, payload):
        assert (obj.code, obj.name_zh) == ("cold", "冷菜")

    def update_payload(self, obj):
        return {"name_en": "Cold starters", "position": 2}


class TestDishResource(APIResourceTests):
    list_url = "/api/v1/dishes/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return DishFactory(**kwargs)

    def create_payload(self, actors):
        return {
            "code": "C009",
            "name_zh": "凉拌木耳",
            "name_en": "Wood Ear Salad",
            "category": MenuCategoryFactory().pk,
            "spice_level": 1,
            "allergens": ["sesame"],
            "base_price_cents": 22_00,
        }

    def check_created(self, obj, payload):
        assert obj.base_price_cents == 22_00 and obj.allergens == ["sesame"]

    def update_payload(self, obj):
        return {"base_price_cents": 26_00, "is_active": False}


class TestDishModifierResource(APIResourceTests):
    list_url = "/api/v1/dish-modifiers/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return DishModifierFactory(**kwargs)

    def create_payload(self, actors):
        return {
            "dish": DishFactory().pk,
            "code": "small",
            "name_zh": "小份",
            "name_en": "Small",
            "price_delta_cents": -8_00,
        }

    def check_created(self, obj, payload):
        assert obj.price_delta_cents == -8_00

    def update_payload(self, obj):
        return {"price_delta_cents": 3_00}


class TestRecipeLineResource(APIResourceTests):
    list_url = "/api/v1/recipe-lines/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return RecipeLineFactory(**kwargs)

    def create_payload(self, actors):
        return {
            "dish": DishFactory().pk,
            "ingredient_sku": "chicken",
            "quantity": "0.350",
            "yield_factor": "0.700",
            "valid_from": "2026-01-01",
        }

    def check_created(self, obj, payload):
        assert str(obj.quantity) == "0.350" and str(obj.yield_factor) == "0.700"

    def update_payload(self, obj):
        return {"quantity": "0.400"}


class TestStoreDishOverrideResource(APIResourceTests):
    list_url = "/api/v1/store-dish-overrides/"

    def make(self, store, **kwargs):
        return StoreDishOverrideFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return {"dish": DishFactory().pk, "price_cents": 45_00, "is_hidden": False}

    def check_created(self, obj, payload):
        assert obj.store_id == "STORE001" and obj.price_cents == 45_00

    def update_payload(self, obj):
        return {"is_hidden": True, "price_cents": 50_00}


@pytest.mark.django_db
class TestChainMenuRules:
    def test_managers_and_staff_read_the_chain_menu_but_do_not_edit_it(self, actors, client_for):
        dish = DishFactory()
        for user in (actors.manager, actors.staff):
            client = client_for(user)
            assert client.get(f"/api/v1/dishes/{dish.pk}/").status_code == 200
            assert client.patch(f"/api/v1/dishes/{dish.pk}/", {"base_price_cents": 1}, format="json").status_code == 403
            assert client.post("/api/v1/recipe-lines/", {}, format="json").status_code == 403

    def test_bad_recipe_values_are_400(self, actors, client_for):
        dish = DishFactory()
        client = client_for(actors.admin)
        for bad in ({"quantity": "0"}, {"yield_factor": "1.5"}, {"yield_factor": "0"}):
            body = {"dish": dish.pk, "ingredient_sku": "x", "quantity": "1", "valid_from": "2026-01-01", **bad}
            response = client.post("/api/v1/recipe-lines/", body, format="json")
            assert response.status_code == 400, bad
        assert not RecipeLine.objects.exists()

    def test_a_duplicate_modifier_code_is_400(self, actors, client_for):
        modifier = DishModifierFactory()
        body = {"dish": modifier.dish_id, "code": modifier.code, "name_zh": "x", "name_en": "x"}
        assert client_for(actors.admin).post("/api/v1/dish-modifiers/", body, format="json").status_code == 400
        assert DishModifier.objects.count() == 1

    def test_a_dish_that_was_sold_cannot_be_deleted(self, actors, client_for):
        from orders.models import OrderItem
        from orders.tests.factories import OrderFactory

        dish = DishFactory()
        OrderItem.objects.filter(order=OrderFactory(store=actors.store)).update(dish=dish)
        response = client_for(actors.admin).delete(f"/api/v1/dishes/{dish.pk}/")
        assert response.status_code == 409
        assert response.json()["code"] == "protected"


@pytest.mark.django_db
class TestSoldOut:
    def url(self, dish):
        return f"/api/v1/dishes/{dish.pk}/sold-out/"

    def test_manager_marks_a_dish_sold_out_for_today_and_the_store_hears_it(
        self, actors, client_for, sent, django_capture_on_commit_callbacks
    ):
        dish = DishFactory(code="KP01")
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(actors.manager).post(self.url(dish), {}, format="json")
        assert response.status_code == 200, response.content
        today = timezone.localdate()
        assert response.json()["sold_out_on"] == str(today)
        assert StoreDishOverride.objects.get(store=actors.store, dish=dish).sold_out_on == today
        [(groups, event)] = sent
        assert groups == ["store.STORE001"]
        assert event["type"] == "menu.sold_out"
        assert event["data"]["code"] == "KP01" and event["data"]["sold_out"] is True

        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(actors.manager).post(self.url(dish), {"sold_out": False}, format="json")
        assert response.json()["sold_out_on"] is None
        assert [e["data"]["sold_out"] for _, e in sent] == [False]

    def test_marking_it_twice_announces_once(self, actors, client_for, sent, django_capture_on_commit_callbacks):
        dish = DishFactory()
        with django_capture_on_commit_callbacks(execute=True):
            client_for(actors.manager).post(self.url(dish), {}, format="json")
            client_for(actors.manager).post(self.url(dish), {}, format="json")
        assert len(sent) == 1
        assert StoreDishOverride.objects.count() == 1

    def test_a_day_ahead_and_the_admin_names_the_store(self, actors, client_for):
        dish = DishFactory()
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        client = client_for(actors.admin)
        assert client.post(self.url(dish), {"date": str(tomorrow)}, format="json").status_code == 400
        response = client.post(self.url(dish), {"store": "STORE002", "date": str(tomorrow)}, format="json")
        assert response.status_code == 200
        assert StoreDishOverride.objects.get(store_id="STORE002").sold_out_on == tomorrow

    def test_staff_may_not_and_other_stores_are_not_found(self, actors, client_for):
        dish = DishFactory()
        assert client_for(actors.staff).post(self.url(dish), {}, format="json").status_code == 403
        response = client_for(actors.other_manager).post(self.url(dish), {"store": "STORE001"}, format="json")
        assert response.status_code == 404
        assert not StoreDishOverride.objects.exists()
