"""Set meals (套餐): sold like a dish (one line at the set's price), made of component dishes whose
recipes leave stock; refused while a component is not available; components written by admins
through the API and the admin, with no nesting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from inventory.models import InventoryItem, InventoryTransaction
from menu import services as menu_services
from menu.models import Dish, SetMealComponent
from menu.reports import dish_costs_per_portion
from menu.selectors import RecipeBook
from menu.tests.factories import DishFactory, MenuCategoryFactory
from menu.tests.helpers import STOCK, add_set_meal, build_menu, expand, expected_usage
from orders import services
from orders.models import Order, OrderItem
from orders.selectors import daily_dish_sales
from zhilian.audit import audit_entries
from zhilian.errors import InvalidInput

D = Decimal
S = Order.Status
ORDERS = "/api/v1/orders/"
DISHES = "/api/v1/dishes/"


def _order(store, lines, user=None, **fields):
    return services.order_create(
        store=store, items=[{"item_code": code, "quantity": qty} for code, qty in lines], user=user, **fields
    )


def _to(order, *statuses, user=None):
    for status in statuses:
        order = services.order_transition(order=order, status=status, user=user, reason="test")
    return order


def _ledger(order) -> dict[str, Decimal]:
    rows = InventoryTransaction.objects.filter(
        reference_id=order.pk, transaction_type=InventoryTransaction.Type.USAGE
    ).select_related("item")
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.item.sku] = totals.get(row.item.sku, D(0)) - row.quantity
    return totals


@pytest.mark.django_db
class TestSellingASetMeal:
    def test_one_line_at_the_set_price_whose_components_recipes_leave_stock(self, actors):
        menu = build_menu(actors.store)
        set_meal = add_set_meal(menu)
        order = _order(actors.store, [("SET2", 2), ("KP01", 1)], user=actors.staff)
        line = order.items.get(item_code="SET2")
        assert (line.dish_id, line.quantity, line.unit_price_cents, line.subtotal_cents, line.item_name) == (
            set_meal.pk, 2, 78_00, 156_00, "双人套餐 Set for two",
        )  # fmt: skip
        assert order.subtotal_cents == 156_00 + 48_00
        _to(order, S.CONFIRMED, S.PREPARING, user=actors.staff)

        # By hand: KP01 2 × 1 + 1 = 3 portions, MP01 2 × 1, RC01 2 × 2.
        # chicken 3 × 0.18 / 0.7 = 0.7714 → 0.771; tofu 2 × 0.3 / 0.95 = 0.6316 → 0.632;
        # oil 3 × 0.02 + 2 × 0.015 = 0.090; peanuts 3 × 0.03; rice 4 × 0.12.
        expected = {"chicken": D("0.771"), "oil": D("0.090"), "peanuts": D("0.090"), "rice": D("0.480"),
                    "tofu": D("0.632")}  # fmt: skip
        assert expected == expected_usage(expand([("SET2", 2), ("KP01", 1)]))
        assert _ledger(order) == expected
        assert InventoryTransaction.objects.filter(reference_id=order.pk).count() == len(expected)
        stock = {i.sku: i.current_quantity for i in InventoryItem.objects.filter(store=actors.store)}
        assert stock == {sku: D(STOCK[sku]) - q for sku, q in expected.items()}

        # A cancellation puts the components' ingredients back.
        _to(order, S.CANCELLED, user=actors.manager)
        stock = {i.sku: i.current_quantity for i in InventoryItem.objects.filter(store=actors.store)}
        assert stock == {sku: D(q) for sku, q in STOCK.items()}

    def test_the_components_recipes_of_the_order_day_are_used(self, actors):
        menu = build_menu(actors.store)
        add_set_meal(menu)
        today = timezone.localdate()
        menu_services.recipe_line_create(
            dish=menu.dishes["RC01"], ingredient_sku="rice", quantity=D("0.150"), valid_from=today
        )
        old = _order(actors.store, [("SET2", 1)], order_time=timezone.now() - dt.timedelta(days=1))
        new = _order(actors.store, [("SET2", 1)])
        _to(old, S.CONFIRMED, S.PREPARING)
        _to(new, S.CONFIRMED, S.PREPARING)
        assert _ledger(old)["rice"] == D("0.240") and _ledger(new)["rice"] == D("0.300")

    def test_the_stores_price_of_the_set_meal_wins(self, actors, client_for):
        menu = build_menu(actors.store)
        set_meal = add_set_meal(menu)
        menu_services.store_dish_override_create(store=actors.store, dish=set_meal, price_cents=72_00)
        response = client_for(actors.staff).post(
            ORDERS, {"store": "STORE001", "order_type": "takeaway", "items": [{"item_code": "SET2"}]}, format="json"
        )
        assert response.status_code == 201, response.content
        assert [(i["item_code"], i["unit_price_cents"]) for i in response.json()["items"]] == [("SET2", 72_00)]

    @pytest.mark.parametrize("why", ["sold_out", "hidden", "inactive"])
    def test_a_set_meal_with_an_unavailable_component_is_409_and_nothing_is_written(self, actors, client_for, why):
        menu = build_menu(actors.store)
        add_set_meal(menu)
        rice = menu.dishes["RC01"]
        if why == "sold_out":
            menu_services.dish_set_sold_out(store=actors.store, dish=rice, user=actors.manager)
        elif why == "hidden":
            menu_services.store_dish_override_create(store=actors.store, dish=rice, is_hidden=True)
        else:
            menu_services.dish_update(dish=rice, is_active=False)
        body = {"store": "STORE001", "order_type": "takeaway", "items": [{"item_code": "KP01"}, {"item_code": "SET2"}]}
        response = client_for(actors.staff).post(ORDERS, body, format="json")
        assert response.status_code == 409, response.content
        error = response.json()
        assert (error["code"], error["item_code"], error["component_code"], error["index"]) == (
            "sold_out", "SET2", "RC01", 1,
        )  # fmt: skip
        assert "RC01" in error["detail"] or "菜RC01" in error["detail"]
        assert not Order.objects.exists() and not OrderItem.objects.exists()
        # The other store's component is available: the set sells there.
        body["store"] = "STORE002"
        if why != "inactive":
            assert client_for(actors.other_staff).post(ORDERS, body, format="json").status_code == 201

    def test_a_set_meal_without_dishes_is_not_sold(self, actors):
        menu = build_menu(actors.store)
        menu_services.dish_create(
            code="SET0", name_zh="空套餐", name_en="Empty set", category=menu.dishes["KP01"].category,
            base_price_cents=10_00, is_set_meal=True,
        )  # fmt: skip
        with pytest.raises(Exception) as caught:
            _order(actors.store, [("SET0", 1)])
        assert getattr(caught.value, "code", None) == "sold_out"


@pytest.mark.django_db
class TestReportsCountSetMeals:
    def test_recipe_book_expands_a_set_meal_and_the_cost_is_its_components(self, actors):
        menu = build_menu(actors.store)
        set_meal = add_set_meal(menu)
        day = timezone.localdate()
        book = RecipeBook([set_meal.pk], day, day)
        assert book.components_of(set_meal.pk) == sorted(
            [(menu.dishes[c].pk, q) for c, q in (("KP01", 1), ("MP01", 1), ("RC01", 2))]
        )
        usage = book.usage_on(set_meal.pk, day, 3)
        hand = {"chicken": 3 * (D("0.18") / D("0.7")), "peanuts": D("0.09"), "oil": D("0.06") + D("0.045"),
                "tofu": 3 * (D("0.3") / D("0.95")), "rice": D("0.72")}  # fmt: skip
        assert usage == hand
        # Cost of a portion at one store's unit costs (build_menu: 10.00 + index yuan per kg).
        cost = dish_costs_per_portion([set_meal.pk], day=day, store_id=actors.store.pk)[set_meal.pk]
        each = dish_costs_per_portion([d.pk for d in menu.dishes.values()], day=day, store_id=actors.store.pk)
        parts = sum(each[menu.dishes[c].pk] * q for c, q in (("KP01", 1), ("MP01", 1), ("RC01", 2)))
        assert abs(cost - parts) <= 2  # each part rounded to the cent on its own

    def test_daily_sales_times_recipe_book_equals_the_ledger(self, actors):
        """The theoretical usage the food cost reports compute equals what the orders deducted."""
        menu = build_menu(actors.store)
        add_set_meal(menu)
        orders = [_order(actors.store, lines) for lines in ([("SET2", 2)], [("SET2", 1), ("MP01", 2)])]
        for order in orders:
            _to(order, S.CONFIRMED, S.PREPARING)
        day = timezone.localdate()
        rows = list(daily_dish_sales([actors.store.pk], day, day))
        book = RecipeBook({r["dish_id"] for r in rows}, day, day)
        theoretical: dict[str, Decimal] = {}
        for row in rows:
            for sku, q in book.usage_on(row["dish_id"], row["day"], row["portions"]).items():
                theoretical[sku] = theoretical.get(sku, D(0)) + q
        ledger: dict[str, Decimal] = {}
        for order in orders:
            for sku, q in _ledger(order).items():
                ledger[sku] = ledger.get(sku, D(0)) + q
        assert {sku: q.quantize(D("0.001")) for sku, q in theoretical.items()}.keys() == ledger.keys()
        for sku, q in theoretical.items():
            assert abs(q - ledger[sku]) <= D("0.001"), sku  # the ledger rounds once per order


@pytest.mark.django_db
class TestComponentRules:
    def test_no_nesting_no_self_no_plain_dish_no_duplicates(self, actors):
        menu = build_menu(actors.store)
        set_meal = add_set_meal(menu)
        other = menu_services.dish_create(
            code="SET3", name_zh="三人套餐", name_en="Set for three", category=set_meal.category,
            base_price_cents=99_00, is_set_meal=True,
        )  # fmt: skip
        cases = [
            ([{"dish": set_meal, "quantity": 1}], "components[0].dish"),
            ([{"dish": other, "quantity": 1}], "components[0].dish"),
            ([{"dish": menu.dishes["KP01"], "quantity": 1}, {"dish": menu.dishes["KP01"], "quantity": 2}],
             "components[1].dish"),
            ([{"dish": menu.dishes["KP01"], "quantity": 0}], "components[0].quantity"),
        ]  # fmt: skip
        for components, field in cases:
            with pytest.raises(InvalidInput) as caught:
                menu_services.set_meal_components_set(set_meal=other, components=components)
            assert field in caught.value.errors, (components, caught.value.errors)
        with pytest.raises(InvalidInput) as caught:
            menu_services.set_meal_components_set(
                set_meal=menu.dishes["KP01"], components=[{"dish": menu.dishes["RC01"], "quantity": 1}]
            )
        assert "components" in caught.value.errors
        # A component cannot become a set meal; a set meal with components cannot stop being one.
        with pytest.raises(InvalidInput) as caught:
            menu_services.dish_update(dish=menu.dishes["RC01"], is_set_meal=True)
        assert "is_set_meal" in caught.value.errors
        with pytest.raises(InvalidInput):
            menu_services.dish_update(dish=set_meal, is_set_meal=False)
        # ...unless its components go with it.
        menu_services.dish_update(dish=set_meal, is_set_meal=False, components=[])
        assert not SetMealComponent.objects.filter(set_meal=set_meal).exists()
        assert SetMealComponent.objects.count() == 0

    def test_a_component_with_sales_history_cannot_be_deleted(self, actors):
        menu = build_menu(actors.store)
        add_set_meal(menu)
        with pytest.raises(Exception) as caught:
            menu_services.dish_delete(dish=menu.dishes["RC01"])
        assert type(caught.value).__name__ == "ProtectedError"
        assert Dish.objects.filter(code="RC01").exists()

    def test_changing_the_components_is_audited_and_announced(self, actors, sent, django_capture_on_commit_callbacks):
        menu = build_menu(actors.store)
        set_meal = add_set_meal(menu, user=actors.admin)
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            changed = menu_services.set_meal_components_set(
                set_meal=set_meal,
                components=[{"dish": menu.dishes["KP01"], "quantity": 2}, {"dish": menu.dishes["RC01"], "quantity": 2}],
                user=actors.admin,
            )
            unchanged = menu_services.set_meal_components_set(
                set_meal=set_meal,
                components=[{"dish": menu.dishes["RC01"], "quantity": 2}, {"dish": menu.dishes["KP01"], "quantity": 2}],
                user=actors.admin,
            )
        assert (changed, unchanged) == (True, False)
        assert sorted((c.dish.code, c.quantity) for c in SetMealComponent.objects.filter(set_meal=set_meal)) == [
            ("KP01", 2),
            ("RC01", 2),
        ]
        updates = [(g[0], e["data"]["kind"]) for g, e in sent if e["type"] == "menu.updated"]
        assert updates == [("store.STORE001", "dish"), ("store.STORE002", "dish")]
        entry = [e for e in audit_entries(set_meal) if e.additional_data.get("event") == "set_meal.components"][0]
        assert entry.actor_id == actors.admin.pk
        assert entry.changes_dict["components"] == [
            "['1 × KP01', '1 × MP01', '2 × RC01']",
            "['2 × KP01', '2 × RC01']",
        ] or entry.changes_dict["components"] == [["1 × KP01", "1 × MP01", "2 × RC01"], ["2 × KP01", "2 × RC01"]]


@pytest.mark.django_db
class TestComponentsAPI:
    def _body(self, menu, **extra):
        return {
            "code": "SET5",
            "name_zh": "商务套餐",
            "name_en": "Business set",
            "category": str(menu.dishes["KP01"].category_id),
            "base_price_cents": 58_00,
            "is_set_meal": True,
            "components": [
                {"dish": str(menu.dishes["KP01"].pk), "quantity": 1},
                {"dish": str(menu.dishes["RC01"].pk), "quantity": 2},
            ],
            **extra,
        }

    def test_an_admin_creates_a_set_meal_with_its_components_and_everyone_reads_them(self, actors, client_for):
        menu = build_menu(actors.store)
        response = client_for(actors.admin).post(DISHES, self._body(menu), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["is_set_meal"] is True
        assert [(c["dish_code"], c["quantity"]) for c in body["components"]] == [("KP01", 1), ("RC01", 2)]
        assert body["components"][0]["dish"] == str(menu.dishes["KP01"].pk)
        read = client_for(actors.staff).get(f"{DISHES}{body['id']}/").json()
        assert read["components"] == body["components"]
        plain = client_for(actors.staff).get(f"{DISHES}{menu.dishes['KP01'].pk}/").json()
        assert (plain["is_set_meal"], plain["components"]) == (False, [])

        # PATCH replaces the list.
        response = client_for(actors.admin).patch(
            f"{DISHES}{body['id']}/",
            {"components": [{"dish": str(menu.dishes["MP01"].pk), "quantity": 3}]},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert [(c["dish_code"], c["quantity"]) for c in response.json()["components"]] == [("MP01", 3)]
        # A manager may not.
        response = client_for(actors.manager).patch(f"{DISHES}{body['id']}/", {"components": []}, format="json")
        assert response.status_code == 403

    def test_bad_components_are_400_naming_the_field_and_nothing_is_written(self, actors, client_for):
        menu = build_menu(actors.store)
        set_meal = add_set_meal(menu)
        client = client_for(actors.admin)
        kp = str(menu.dishes["KP01"].pk)
        cases = [
            ({"components": [{"dish": str(set_meal.pk), "quantity": 1}]}, "components[0].dish"),
            ({"components": [{"dish": kp, "quantity": 1}, {"dish": kp, "quantity": 1}]}, "components[1].dish"),
            ({"is_set_meal": False}, "components"),
        ]
        for extra, field in cases:
            response = client.post(DISHES, self._body(menu, **extra), format="json")
            assert response.status_code == 400, (extra, response.content)
            assert field in response.json(), response.json()
        # Field errors inside the nested list: keyed by the index, as for an order's items.
        response = client.post(DISHES, self._body(menu, components=[{"dish": kp, "quantity": 0}]), format="json")
        assert response.status_code == 400
        assert response.json()["components"]["0"]["quantity"]
        response = client.post(DISHES, self._body(menu, components=[{"dish": "nope"}]), format="json")
        assert response.status_code == 400 and response.json()["components"]["0"]["dish"]
        # A set meal in another set meal, by PATCH.
        response = client.patch(
            f"{DISHES}{set_meal.pk}/", {"components": [{"dish": str(set_meal.pk), "quantity": 1}]}, format="json"
        )
        assert response.status_code == 400 and "components[0].dish" in response.json()
        assert not Dish.objects.filter(code="SET5").exists()
        assert SetMealComponent.objects.filter(set_meal=set_meal).count() == 3


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
class TestAdmin:
    def _data(self, category, components, **extra):
        data = {
            "code": "SET7",
            "name_zh": "双人套餐",
            "name_en": "Set for two",
            "category": str(category.pk),
            "position": "1",
            "is_set_meal": "on",
            "is_active": "on",
            "description": "",
            "spice_level": "0",
            "allergens": "",
            "base_price_cents": "78.00",
            **_management("components", len(components)),
            **_management("recipe_lines", 0),
            **_management("modifiers", 0),
            **extra,
        }
        for index, (dish, quantity) in enumerate(components):
            data[f"components-{index}-dish"] = str(dish.pk)
            data[f"components-{index}-quantity"] = str(quantity)
        return data

    def test_an_admin_adds_a_set_meal_with_its_dishes_inline_and_sees_its_cost(self, actors):
        menu = build_menu(actors.store)
        client = Client()
        client.force_login(actors.admin)
        data = self._data(menu.dishes["KP01"].category, [(menu.dishes["KP01"], 1), (menu.dishes["RC01"], 2)])
        response = client.post("/admin/menu/dish/add/", data)
        assert response.status_code == 302, response.context["errors"] if response.context else response
        set_meal = Dish.objects.get(code="SET7")
        assert set_meal.is_set_meal
        assert sorted((c.dish.code, c.quantity) for c in set_meal.components.all()) == [("KP01", 1), ("RC01", 2)]
        assert any(e.additional_data.get("event") == "set_meal.components" for e in audit_entries(set_meal))
        page = client.get(f"/admin/menu/dish/{set_meal.pk}/change/").content.decode()
        cost = dish_costs_per_portion([set_meal.pk], day=timezone.localdate())[set_meal.pk]
        assert cost is not None and f"{cost / 100:,.2f}" in page

    def test_a_set_meal_in_a_set_meal_is_refused_on_the_form(self, actors):
        menu = build_menu(actors.store)
        other = add_set_meal(menu)
        client = Client()
        client.force_login(actors.admin)
        data = self._data(menu.dishes["KP01"].category, [(other, 1)])
        response = client.post("/admin/menu/dish/add/", data)
        assert response.status_code == 200
        assert "A set meal cannot contain another set meal." in response.content.decode()
        assert not Dish.objects.filter(code="SET7").exists()


@pytest.mark.django_db
def test_the_category_factory_keeps_set_meals_apart():
    """A plain dish is not a set meal by default, in the database too (db_default)."""
    dish = DishFactory(category=MenuCategoryFactory())
    assert Dish.objects.filter(pk=dish.pk, is_set_meal=False).exists()


@pytest.mark.django_db
def test_sold_out_names_the_set_meals_that_hold_the_dish(actors, sent, django_capture_on_commit_callbacks):
    menu = build_menu(actors.store)
    add_set_meal(menu)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        menu_services.dish_set_sold_out(store=actors.store, dish=menu.dishes["RC01"], user=actors.manager)
        menu_services.dish_set_sold_out(store=actors.store, dish=menu.dishes["SET2"], user=actors.manager)
    data = [e["data"] for _, e in sent if e["type"] == "menu.sold_out"]
    assert [(d["code"], d["set_meals"]) for d in data] == [("RC01", ["SET2"]), ("SET2", [])]
