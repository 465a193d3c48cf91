"""Orders from dish codes through the API: the store's menu fills names and prices, 估清 and hidden
dishes are refused with nothing written, a different price needs a role that may override it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from menu import services as menu_services
from menu.tests.factories import DishModifierFactory
from menu.tests.helpers import build_menu
from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory

ORDERS = "/api/v1/orders/"
ITEMS = "/api/v1/order-items/"


def _post(client, *items, store="STORE001"):
    return client.post(ORDERS, {"store": store, "order_type": "takeaway", "items": list(items)}, format="json")


def _nothing_written():
    return not Order.objects.exists() and not OrderItem.objects.exists()


@pytest.mark.django_db
class TestPricing:
    def test_dish_codes_take_name_and_price_from_the_menu(self, actors, client_for):
        build_menu(actors.store)
        response = _post(client_for(actors.staff), {"item_code": "KP01", "quantity": 2}, {"item_code": "RC01"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert [
            (i["item_code"], i["item_name"], i["unit_price_cents"], i["subtotal_cents"]) for i in body["items"]
        ] == [
            ("KP01", "菜KP01 Dish KP01", 48_00, 96_00),
            ("RC01", "菜RC01 Dish RC01", 3_00, 3_00),
        ]
        assert body["subtotal_cents"] == 99_00
        lines = OrderItem.objects.order_by("item_code")
        assert [(line.dish.code, line.is_open_item) for line in lines] == [("KP01", False), ("RC01", False)]

    def test_the_representation_keeps_its_fields(self, actors, client_for):
        """The line and order shapes do not change with the menu (clients compare them field by field)."""
        build_menu(actors.store)
        body = _post(client_for(actors.staff), {"item_code": "KP01"}).json()
        assert list(body["items"][0]) == [
            "id", "item_code", "item_name", "quantity", "unit_price_cents", "subtotal_cents", "notes", "customizations",
        ]  # fmt: skip
        assert "dish" not in body and "is_open_item" not in body["items"][0]

    def test_the_stores_price_wins_over_the_base_price(self, actors, client_for):
        menu = build_menu(actors.store)
        menu_services.store_dish_override_create(store=actors.store, dish=menu.dishes["KP01"], price_cents=52_00)
        body = _post(client_for(actors.staff), {"item_code": "KP01"}).json()
        assert body["items"][0]["unit_price_cents"] == 52_00
        # The other store keeps the chain's price.
        response = _post(client_for(actors.other_staff), {"item_code": "KP01"}, store="STORE002")
        assert response.json()["items"][0]["unit_price_cents"] == 48_00

    def test_modifiers_are_priced_in_and_recorded_in_customizations(self, actors, client_for):
        menu = build_menu(actors.store)
        DishModifierFactory(
            dish=menu.dishes["KP01"], code="large", name_zh="大份", name_en="Large", price_delta_cents=10_00
        )
        DishModifierFactory(
            dish=menu.dishes["KP01"], code="hot", name_zh="加辣", name_en="Extra hot", price_delta_cents=0
        )
        response = _post(
            client_for(actors.staff),
            {"item_code": "KP01", "modifiers": ["large", "hot"], "customizations": {"note": "x"}},
        )
        assert response.status_code == 201, response.content
        line = response.json()["items"][0]
        assert line["unit_price_cents"] == 58_00
        assert line["customizations"] == {
            "note": "x",
            "modifiers": [
                {"code": "large", "name": "大份 Large", "price_delta_cents": 10_00},
                {"code": "hot", "name": "加辣 Extra hot", "price_delta_cents": 0},
            ],
        }
        response = _post(client_for(actors.staff), {"item_code": "KP01", "modifiers": ["nope"]})
        assert response.status_code == 400
        assert "items[0].modifiers" in response.json()

    def test_open_items_must_be_flagged(self, actors, client_for):
        build_menu(actors.store)
        client = client_for(actors.staff)
        response = _post(client, {"item_code": "TEA", "item_name": "Tea", "unit_price_cents": 5_00})
        assert response.status_code == 400
        assert "items[0].item_code" in response.json()
        assert _nothing_written()
        response = _post(
            client, {"item_code": "TEA", "item_name": "Tea", "unit_price_cents": 5_00, "is_open_item": True}
        )
        assert response.status_code == 201, response.content
        line = OrderItem.objects.get()
        assert line.is_open_item and line.dish is None and line.unit_price_cents == 5_00
        # An open item names its own price.
        response = _post(client, {"item_code": "TEA", "item_name": "Tea", "is_open_item": True})
        assert response.status_code == 400
        assert "items[0].unit_price_cents" in response.json()


@pytest.mark.django_db
class TestRefusals:
    def test_sold_out_is_409_and_nothing_is_written(self, actors, client_for, sent, django_capture_on_commit_callbacks):
        menu = build_menu(actors.store)
        menu_services.dish_set_sold_out(store=actors.store, dish=menu.dishes["MP01"], user=actors.manager)
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client_for(actors.staff), {"item_code": "KP01"}, {"item_code": "MP01"})
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "sold_out" and body["item_code"] == "MP01" and body["index"] == 1
        assert _nothing_written()
        assert sent == []
        # Only that store, only that day.
        assert _post(client_for(actors.other_staff), {"item_code": "MP01"}, store="STORE002").status_code == 201
        override = menu.dishes["MP01"].store_overrides.get(store=actors.store)
        override.sold_out_on = timezone.localdate() - timezone.timedelta(days=1)
        override.save()
        assert _post(client_for(actors.staff), {"item_code": "MP01"}).status_code == 201

    def test_hidden_and_unknown_dishes_are_400(self, actors, client_for):
        menu = build_menu(actors.store)
        menu_services.store_dish_override_create(store=actors.store, dish=menu.dishes["RC01"], is_hidden=True)
        for code in ("RC01", "NOPE"):
            response = _post(client_for(actors.staff), {"item_code": "KP01"}, {"item_code": code})
            assert response.status_code == 400, code
            assert "items[1].item_code" in response.json()
        menu_services.dish_update(dish=menu.dishes["KP01"], is_active=False)
        assert _post(client_for(actors.staff), {"item_code": "KP01"}).status_code == 400
        assert _nothing_written()

    def test_adding_a_sold_out_dish_to_an_order_is_409(self, actors, client_for):
        menu = build_menu(actors.store)
        order = OrderFactory(store=actors.store)
        menu_services.dish_set_sold_out(store=actors.store, dish=menu.dishes["KP01"])
        response = client_for(actors.staff).post(ITEMS, {"order": order.pk, "item_code": "KP01"}, format="json")
        assert response.status_code == 409
        assert order.items.count() == 1
        response = client_for(actors.staff).post(ITEMS, {"order": order.pk, "item_code": "RC01"}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["unit_price_cents"] == 3_00


@pytest.mark.django_db
class TestPriceOverride:
    @pytest.mark.parametrize(("actor", "allowed"), [("admin", True), ("manager", True), ("staff", False)])
    def test_a_different_price_needs_a_role_that_may_override(self, actors, client_for, actor, allowed):
        build_menu(actors.store)
        client = client_for(getattr(actors, actor))
        response = _post(client, {"item_code": "KP01", "unit_price_cents": 40_00})
        if allowed:
            assert response.status_code == 201, response.content
            assert response.json()["items"][0]["unit_price_cents"] == 40_00
        else:
            assert response.status_code == 400
            assert "items[0].unit_price_cents" in response.json()
            assert _nothing_written()

    def test_the_menu_price_sent_back_is_always_accepted(self, actors, client_for):
        build_menu(actors.store)
        response = _post(client_for(actors.staff), {"item_code": "KP01", "unit_price_cents": 48_00})
        assert response.status_code == 201

    def test_the_rule_is_in_the_role_matrix(self):
        from zhilian import roles

        assert roles.OVERRIDE_PRICE in roles.PERMISSIONS["orders.order"]["manager"]
        assert roles.OVERRIDE_PRICE in roles.PERMISSIONS["orders.order"]["admin"]
        assert roles.OVERRIDE_PRICE not in roles.PERMISSIONS["orders.order"]["staff"]


@pytest.mark.django_db
def test_open_items_and_their_moves_read_no_menu(actors):
    """A till's free lines cost what they cost before the menu: no menu or recipe query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders import services

    items = [{"item_code": "TEA", "item_name": "Tea", "unit_price_cents": 5_00, "is_open_item": True}]
    with CaptureQueriesContext(connection) as queries:
        order = services.order_create(store=actors.store, items=items)
        services.order_transition(order=order, status="confirmed")
        services.order_transition(order=order, status="preparing")
        services.order_transition(order=order, status="cancelled", reason="x")
    assert not [q["sql"] for q in queries.captured_queries if "menu_" in q["sql"]]
    assert Order.objects.get(pk=order.pk).stock_deducted_at is None


@pytest.mark.django_db
def test_a_dish_line_keeps_its_dish(actors, client_for):
    build_menu(actors.store)
    body = _post(client_for(actors.manager), {"item_code": "KP01"}).json()
    line_id = body["items"][0]["id"]
    client = client_for(actors.manager)
    response = client.patch(f"{ITEMS}{line_id}/", {"item_code": "MP01"}, format="json")
    assert response.status_code == 400
    assert "item_code" in response.json()
    assert OrderItem.objects.get(pk=line_id).item_code == "KP01"
    # Quantity and (for a manager) the price may change.
    response = client.patch(f"{ITEMS}{line_id}/", {"quantity": 3, "unit_price_cents": 45_00}, format="json")
    assert response.status_code == 200, response.content
    line = OrderItem.objects.get(pk=line_id)
    assert (line.quantity, line.unit_price_cents, line.dish.code) == (3, 45_00, "KP01")
