"""Modifier recipes: a chosen modifier changes what a line takes out of stock (加辣 adds chili oil,
大份 half a portion more of the protein, 去葱 removes scallion, never below zero); chosen
modifiers are rows of their own (OrderItemModifier) that the sales reports aggregate in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.utils import timezone

from inventory.models import InventoryTransaction
from menu import services as menu_services
from menu.models import RecipeLine
from menu.selectors import RecipeBook
from menu.tests.helpers import STOCK, build_menu
from orders import services
from orders.models import Order, OrderItemModifier
from orders.selectors import daily_dish_sales, daily_modifier_sales
from orders.tests.factories import OrderFactory

D = Decimal
S = Order.Status
START = dt.date(2020, 1, 1)


def _menu(store, stores=()):
    menu = build_menu(store, stock={**STOCK, "chili_oil": "5", "scallion": "5"}, stores=stores)
    kp, mp = menu.dishes["KP01"], menu.dishes["MP01"]
    menu_services.recipe_line_create(dish=mp, ingredient_sku="scallion", quantity=D("0.008"), valid_from=START)
    mods = {
        "hot": menu_services.dish_modifier_create(dish=kp, code="hot", name_zh="加辣", name_en="Extra hot",
                                                  price_delta_cents=2_00),
        "large": menu_services.dish_modifier_create(dish=kp, code="large", name_zh="大份", name_en="Large",
                                                    price_delta_cents=10_00),
        "noscallion": menu_services.dish_modifier_create(dish=mp, code="noscallion", name_zh="去葱",
                                                         name_en="No scallion", price_delta_cents=0),
        "lessscallion": menu_services.dish_modifier_create(dish=mp, code="lessscallion", name_zh="少葱",
                                                           name_en="Less scallion", price_delta_cents=0),
    }  # fmt: skip
    for code, sku, quantity, yield_factor in (
        ("hot", "chili_oil", "0.010", "1"),
        ("large", "chicken", "0.090", "0.700"),  # half of the dish's 0.180 at the same yield
        ("noscallion", "scallion", "-0.010", "1"),  # more than the dish has: takes it all, no more
        ("lessscallion", "scallion", "-0.003", "1"),
    ):
        menu_services.recipe_line_create(
            modifier=mods[code], ingredient_sku=sku, quantity=D(quantity), yield_factor=D(yield_factor),
            valid_from=START,
        )  # fmt: skip
    return menu, mods


def _order(store, lines, **fields):
    return services.order_create(
        store=store,
        items=[{"item_code": code, "quantity": qty, "modifiers": mods} for code, qty, mods in lines],
        **fields,
    )


def _to_kitchen(order):
    for status in (S.CONFIRMED, S.PREPARING):
        order = services.order_transition(order=order, status=status)
    return order


def _ledger(order) -> dict[str, Decimal]:
    rows = InventoryTransaction.objects.filter(
        reference_id=order.pk, transaction_type=InventoryTransaction.Type.USAGE
    ).select_related("item")
    return {row.item.sku: -row.quantity for row in rows}


LINES = [
    ("KP01", 2, ["hot", "large"]),
    ("KP01", 1, []),
    ("MP01", 3, ["noscallion"]),
    ("MP01", 1, []),
    ("MP01", 2, ["lessscallion"]),
]


@pytest.mark.django_db
class TestDeduction:
    def test_the_ledger_holds_the_dish_recipes_plus_the_modifier_changes(self, actors):
        menu, _ = _menu(actors.store)
        order = _to_kitchen(_order(actors.store, LINES))
        q = lambda text: D(text)  # noqa: E731
        hand = {
            # 3 × 0.18 / 0.7 + 2 × 0.09 / 0.7 = 1.02857… → 1.029 (大份 on two portions)
            "chicken": (3 * q("0.18") + 2 * q("0.09")) / q("0.7"),
            "peanuts": 3 * q("0.03"),
            "oil": 3 * q("0.02") + 6 * q("0.015"),
            "chili_oil": 2 * q("0.010"),  # 加辣 on two portions
            "tofu": 6 * q("0.3") / q("0.95"),
            # 去葱 × 3: 0.008 − min(0.010, 0.008) = 0; plain × 1: 0.008; 少葱 × 2: 2 × (0.008 − 0.003)
            "scallion": q("0.008") + 2 * q("0.005"),
        }
        expected = {sku: v.quantize(D("0.001"), rounding=ROUND_HALF_UP) for sku, v in hand.items()}
        assert expected["chicken"] == D("1.029") and expected["scallion"] == D("0.018")
        assert _ledger(order) == expected

    def test_a_removal_that_takes_everything_writes_no_row_for_it(self, actors):
        _menu(actors.store)
        order = _to_kitchen(_order(actors.store, [("MP01", 2, ["noscallion"])]))
        ledger = _ledger(order)
        assert "scallion" not in ledger
        assert ledger == {"tofu": D("0.632"), "oil": D("0.030")}

    def test_the_modifier_recipe_of_the_order_day_is_used(self, actors):
        _, mods = _menu(actors.store)
        today = timezone.localdate()
        menu_services.recipe_line_create(
            modifier=mods["hot"], ingredient_sku="chili_oil", quantity=D("0.025"), valid_from=today
        )
        old = _to_kitchen(
            _order(actors.store, [("KP01", 1, ["hot"])], order_time=timezone.now() - dt.timedelta(days=1))
        )
        new = _to_kitchen(_order(actors.store, [("KP01", 1, ["hot"])]))
        assert (_ledger(old)["chili_oil"], _ledger(new)["chili_oil"]) == (D("0.010"), D("0.025"))
        # The dish's own recipe is versioned apart: it did not change.
        assert _ledger(old)["chicken"] == _ledger(new)["chicken"] == D("0.257")


@pytest.mark.django_db
class TestChosenModifiersAreRows:
    def test_a_row_per_chosen_modifier_with_its_snapshot_and_customizations_unchanged(self, actors, client_for):
        _, mods = _menu(actors.store)
        response = client_for(actors.staff).post(
            "/api/v1/orders/",
            {"store": "STORE001", "order_type": "takeaway",
             "items": [{"item_code": "KP01", "quantity": 2, "modifiers": ["hot", "large"]}, {"item_code": "RC01"}]},
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        line = response.json()["items"][0]
        assert line["unit_price_cents"] == 48_00 + 2_00 + 10_00
        # The API's existing shape: the snapshot in customizations.
        assert line["customizations"]["modifiers"] == [
            {"code": "hot", "name": "加辣 Extra hot", "price_delta_cents": 2_00},
            {"code": "large", "name": "大份 Large", "price_delta_cents": 10_00},
        ]
        rows = OrderItemModifier.objects.filter(order_item_id=line["id"]).order_by("code")
        assert [(r.modifier_id, r.code, r.name, r.price_delta_cents) for r in rows] == [
            (mods["hot"].pk, "hot", "加辣 Extra hot", 2_00),
            (mods["large"].pk, "large", "大份 Large", 10_00),
        ]
        # A menu change later leaves the snapshot alone.
        menu_services.dish_modifier_update(dish_modifier=mods["hot"], price_delta_cents=3_00, name_zh="特辣")
        assert OrderItemModifier.objects.get(order_item_id=line["id"], code="hot").price_delta_cents == 2_00

    def test_a_line_added_to_an_order_records_its_modifiers(self, actors, client_for):
        _, mods = _menu(actors.store)
        order = OrderFactory(store=actors.store)
        response = client_for(actors.staff).post(
            "/api/v1/order-items/", {"order": order.pk, "item_code": "MP01", "modifiers": ["noscallion"]},
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        assert list(OrderItemModifier.objects.filter(order_item_id=response.json()["id"]).values_list(
            "modifier_id", flat=True)) == [mods["noscallion"].pk]  # fmt: skip

    def test_a_modifier_with_sales_cannot_be_deleted(self, actors, client_for):
        _, mods = _menu(actors.store)
        _order(actors.store, [("KP01", 1, ["hot"])])
        response = client_for(actors.admin).delete(f"/api/v1/dish-modifiers/{mods['hot'].pk}/")
        assert response.status_code == 409 and response.json()["code"] == "protected"


@pytest.mark.django_db
class TestReports:
    def test_daily_modifier_sales_group_by_store_day_dish_and_modifier(self, actors, other_store):
        menu, mods = _menu(actors.store, stores=[other_store])
        today = timezone.localdate()
        _order(actors.store, LINES)
        _order(actors.store, [("KP01", 4, ["hot"])], order_time=timezone.now() - dt.timedelta(days=1))
        _order(other_store, [("KP01", 1, ["hot"])])
        cancelled = _order(actors.store, [("KP01", 9, ["hot"])])
        services.order_transition(order=cancelled, status=S.CANCELLED, reason="test")
        rows = {
            (r["store_id"], r["day"], r["dish_id"], r["modifier_id"]): r["portions"]
            for r in daily_modifier_sales([actors.store.pk, other_store.pk], today - dt.timedelta(days=1), today)
        }
        kp, mp = menu.dishes["KP01"].pk, menu.dishes["MP01"].pk
        yesterday = today - dt.timedelta(days=1)
        assert rows == {
            (actors.store.pk, today, kp, mods["hot"].pk): 2,
            (actors.store.pk, today, kp, mods["large"].pk): 2,
            (actors.store.pk, today, mp, mods["noscallion"].pk): 3,
            (actors.store.pk, today, mp, mods["lessscallion"].pk): 2,
            (actors.store.pk, yesterday, kp, mods["hot"].pk): 4,
            (other_store.pk, today, kp, mods["hot"].pk): 1,
        }

    def test_sales_times_the_recipe_book_equals_the_ledger(self, actors):
        """What a food cost report computes from the two sales reads equals what left stock."""
        _menu(actors.store)
        orders = [_to_kitchen(_order(actors.store, LINES)), _to_kitchen(_order(actors.store, [("KP01", 3, ["large"])]))]
        day = timezone.localdate()
        dishes = list(daily_dish_sales([actors.store.pk], day, day))
        book = RecipeBook({r["dish_id"] for r in dishes}, day, day)
        theoretical: dict[str, Decimal] = {}
        for row in dishes:
            for sku, quantity in book.usage_on(row["dish_id"], row["day"], row["portions"]).items():
                theoretical[sku] = theoretical.get(sku, D(0)) + quantity
        for row in daily_modifier_sales([actors.store.pk], day, day):
            for sku, quantity in book.modifier_usage_on(row["modifier_id"], row["day"], row["portions"]).items():
                theoretical[sku] = theoretical.get(sku, D(0)) + quantity
        ledger: dict[str, Decimal] = {}
        for order in orders:
            for sku, quantity in _ledger(order).items():
                ledger[sku] = ledger.get(sku, D(0)) + quantity
        assert set(ledger) == set(theoretical)
        for sku, quantity in theoretical.items():
            assert abs(quantity - ledger[sku]) <= D("0.001"), (sku, quantity, ledger[sku])  # rounded per order


@pytest.mark.django_db
class TestModifierRecipeLines:
    def test_quantities_and_dishes_are_checked(self, actors, client_for):
        menu, mods = _menu(actors.store)
        client = client_for(actors.admin)
        url = "/api/v1/recipe-lines/"
        # A modifier's line: the dish follows the modifier, a negative quantity removes.
        response = client.post(url, {"modifier": str(mods["large"].pk), "ingredient_sku": "peanuts",
                                     "quantity": "-0.010", "valid_from": "2026-01-01"}, format="json")  # fmt: skip
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["dish"], body["modifier"], body["quantity"]) == (
            str(menu.dishes["KP01"].pk), str(mods["large"].pk), "-0.010",
        )  # fmt: skip
        bad = [
            ({"dish": str(menu.dishes["KP01"].pk), "quantity": "-0.010"}, "quantity"),  # a dish's line removes nothing
            ({"modifier": str(mods["hot"].pk), "quantity": "0"}, "quantity"),
            ({"dish": str(menu.dishes["MP01"].pk), "modifier": str(mods["hot"].pk), "quantity": "0.1"}, "modifier"),
            ({"quantity": "0.1"}, "dish"),
        ]
        for extra, field in bad:
            response = client.post(url, {"ingredient_sku": "x", "valid_from": "2026-01-01", **extra}, format="json")
            assert response.status_code == 400, (extra, response.content)
            assert field in response.json(), (extra, response.json())
        assert not RecipeLine.objects.filter(ingredient_sku="x").exists()
        # The filter tells the two kinds apart.
        own = client.get(url, {"dish": str(menu.dishes["MP01"].pk), "for_modifier": "false"}).json()["results"]
        assert {r["ingredient_sku"] for r in own} == {"tofu", "oil", "scallion"}
        assert {r["modifier"] for r in own} == {None}

    def test_the_admin_saves_a_modifier_line_inline(self, actors):
        menu, mods = _menu(actors.store)
        dish = menu.dishes["KP01"]
        client = Client()
        client.force_login(actors.admin)
        url = f"/admin/menu/dish/{dish.pk}/change/"
        page = client.get(url).content.decode()
        assert f'<option value="{mods["hot"].pk}">' in page and str(mods["noscallion"].pk) not in page
        existing = list(dish.recipe_lines.all())
        modifiers = list(dish.modifiers.all())
        data = {
            "code": dish.code, "name_zh": dish.name_zh, "name_en": dish.name_en, "category": str(dish.category_id),
            "position": "0", "is_active": "on", "description": "", "spice_level": "0", "allergens": "",
            "base_price_cents": "48.00",
            "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0",
            "recipe_lines-TOTAL_FORMS": str(len(existing) + 1), "recipe_lines-INITIAL_FORMS": str(len(existing)),
            "modifiers-TOTAL_FORMS": str(len(modifiers)), "modifiers-INITIAL_FORMS": str(len(modifiers)),
        }  # fmt: skip
        for i, line in enumerate(existing):
            values = {
                "id": line.pk, "dish": dish.pk, "modifier": line.modifier_id or "",
                "ingredient_sku": line.ingredient_sku, "quantity": line.quantity,
                "yield_factor": line.yield_factor, "valid_from": line.valid_from,
            }  # fmt: skip
            data.update({f"recipe_lines-{i}-{name}": str(value) for name, value in values.items()})
        n = len(existing)
        data.update({
            f"recipe_lines-{n}-dish": str(dish.pk), f"recipe_lines-{n}-modifier": str(mods["hot"].pk),
            f"recipe_lines-{n}-ingredient_sku": "sichuan_pepper", f"recipe_lines-{n}-quantity": "0.002",
            f"recipe_lines-{n}-yield_factor": "1", f"recipe_lines-{n}-valid_from": "2026-01-01",
        })  # fmt: skip
        for i, m in enumerate(modifiers):
            data.update({
                f"modifiers-{i}-id": str(m.pk), f"modifiers-{i}-dish": str(dish.pk), f"modifiers-{i}-code": m.code,
                f"modifiers-{i}-name_zh": m.name_zh, f"modifiers-{i}-name_en": m.name_en,
                f"modifiers-{i}-price_delta_cents": str(m.price_delta_cents), f"modifiers-{i}-is_active": "on",
            })  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == 302, response.context["errors"] if response.context else response
        line = RecipeLine.objects.get(ingredient_sku="sichuan_pepper")
        assert (line.dish_id, line.modifier_id, line.quantity) == (dish.pk, mods["hot"].pk, D("0.002"))


@pytest.mark.django_db
def test_an_order_sent_to_the_kitchen_as_it_is_created_deducts_its_set_meals_and_modifiers(actors, client_for):
    """send_to_kitchen (a counter POS): the modifier rows exist before the deduction reads them."""
    from menu.tests.helpers import add_set_meal

    menu, _ = _menu(actors.store)
    add_set_meal(menu)
    response = client_for(actors.staff).post(
        "/api/v1/orders/",
        {"store": "STORE001", "order_type": "takeaway", "send_to_kitchen": True,
         "items": [{"item_code": "KP01", "modifiers": ["hot"]}, {"item_code": "SET2"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "preparing"
    order = Order.objects.get(pk=response.json()["id"])
    # KP01 × 2 (one plain + one in the set), MP01 × 1, RC01 × 2, chili oil for the one 加辣.
    assert _ledger(order) == {
        "chicken": (2 * (D("0.18") / D("0.7"))).quantize(D("0.001"), rounding=ROUND_HALF_UP),
        "peanuts": D("0.060"),
        "oil": D("0.055"),
        "chili_oil": D("0.010"),
        "tofu": (D("0.3") / D("0.95")).quantize(D("0.001"), rounding=ROUND_HALF_UP),
        "scallion": D("0.008"),
        "rice": D("0.240"),
    }


@pytest.mark.django_db
def test_the_order_page_shows_the_modifiers_chosen_on_each_line(actors):
    _menu(actors.store)
    order = _order(actors.store, [("KP01", 1, ["hot", "large"]), ("RC01", 1, [])])
    client = Client()
    client.force_login(actors.manager)
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert "加辣 Extra hot、大份 Large" in page.content.decode()


@pytest.mark.django_db
def test_the_theoretical_food_cost_and_the_variance_report_count_the_modifiers(actors):
    """What the ledger took for an order with modifiers is what the food cost reports call
    theoretical: the daily recipe cost (the KPI's input) and the variance report's usage."""
    from inventory import reports
    from inventory.models import InventoryItem
    from inventory.tests.test_variance_report import _count
    from menu.reports import daily_recipe_cost

    menu, _mods = _menu(actors.store)
    today = timezone.localdate()
    _count(actors.store, actors.manager, today - dt.timedelta(days=1), {})
    order = _to_kitchen(_order(actors.store, LINES))
    ledger = _ledger(order)
    costs = dict(InventoryItem.objects.filter(store=actors.store).values_list("sku", "unit_cost_cents"))
    expected_cents = sum(quantity * costs[sku] for sku, quantity in ledger.items())
    cost_cents, _revenue = daily_recipe_cost([actors.store.pk], today, today)[(actors.store.pk, today)]
    # The ledger rounds once per ingredient per order to 0.001: within a tenth of a cent per unit.
    assert abs(cost_cents - expected_cents) <= sum(costs[sku] for sku in ledger) * D("0.001")
    assert "chili_oil" in ledger  # the modifier's own ingredient is costed
    closing = _count(actors.store, actors.manager, today, {})
    theoretical = {
        line["sku"]: line["theoretical_usage"]
        for line in reports.stock_variance_for_count(closing)["lines"]
        if line["theoretical_usage"]
    }
    assert theoretical == ledger
