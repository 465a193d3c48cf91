"""Orders API: the order and order-item resources, and creating an order."""

import pytest

from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory
from orders.tests.helpers import ITEMS_URL, ORDERS, order_body
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.testing.api import APIResourceTests


@pytest.mark.django_db
class TestOrderResource(APIResourceTests):
    list_url = ORDERS

    def make(self, store, **kwargs):
        return OrderFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return order_body(table=str(TableFactory(store=actors.store).pk))

    def update_payload(self, obj):
        return {"customer_name": "Li Lei", "discount_cents": 500, "notes": "birthday"}

    def check_created(self, obj, payload):
        assert obj.store_id == "STORE001"
        assert obj.total_cents == 128_00
        assert str(obj.table_id) == payload["table"]
        assert obj.items.count() == 2


@pytest.mark.django_db
class TestOrderItemResource(APIResourceTests):
    list_url = ITEMS_URL

    def make(self, store, **kwargs):
        return OrderItemFactory(order=OrderFactory(store=store, items=[]), **kwargs)

    def create_payload(self, actors):
        order = OrderFactory(store=actors.store)
        return {
            "order": order.pk,
            "is_open_item": True,
            "item_code": "T01",
            "item_name": "Jasmine tea",
            "quantity": 2,
            "unit_price_cents": 800,
        }

    def update_payload(self, obj):
        return {"quantity": 3, "notes": "extra spicy"}

    def check_created(self, obj, payload):
        assert obj.subtotal_cents == 1600
        obj.order.refresh_from_db()
        assert obj.order.subtotal_cents == 48_00 + 16_00


@pytest.mark.django_db
class TestCreateOrder:
    def test_totals_and_ids_are_the_servers(self, actors, client_for):
        body = order_body(
            id="HACK-1",
            subtotal_cents=1,
            total_cents=1,
            status="completed",
            discount_cents=800,
            confirmed_at="2020-01-01T00:00:00Z",
        )
        body["items"][0]["subtotal_cents"] = 5
        response = client_for(actors.staff).post(ORDERS, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["id"].startswith("STORE001-") and data["id"] != "HACK-1"
        assert (data["subtotal_cents"], data["discount_cents"], data["total_cents"]) == (128_00, 800, 120_00)
        assert data["status"] == "pending" and data["confirmed_at"] is None
        assert data["store"] == "STORE001"
        assert [(i["item_code"], i["quantity"], i["subtotal_cents"]) for i in data["items"]] == [
            ("D001", 2, 9600),
            ("D002", 1, 3200),
        ]
        assert data["allowed_transitions"] == ["confirmed", "cancelled"]
        stored = Order.objects.get(pk=data["id"])
        assert stored.total_cents == 120_00

    def test_needs_items(self, actors, client_for):
        response = client_for(actors.manager).post(ORDERS, order_body(items=[]), format="json")
        assert response.status_code == 400
        assert "items" in response.json()
        assert not Order.objects.exists()

    def test_discount_above_subtotal(self, actors, client_for):
        response = client_for(actors.manager).post(ORDERS, order_body(discount_cents=999_00), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["discount_cents"]

    @pytest.mark.parametrize(
        ("patch", "field"),
        [
            ({"quantity": 0}, "quantity"),
            ({"quantity": 10**30}, "quantity"),
            ({"quantity": "many"}, "quantity"),
            ({"unit_price_cents": -5}, "unit_price_cents"),
            ({"unit_price_cents": 10**20}, "unit_price_cents"),
            ({"item_name": ""}, "item_name"),
        ],
    )
    def test_bad_items_are_400_naming_the_field(self, actors, client_for, patch, field):
        body = order_body()
        body["items"][0].update(patch)
        response = client_for(actors.manager).post(ORDERS, body, format="json")
        assert response.status_code == 400
        assert field in response.json()["items"]["0"]  # DRF reports list errors by index

    @pytest.mark.parametrize(
        "patch",
        [
            {"order_type": "teleport"},
            {"discount_cents": -1},
            {"discount_cents": 10**25},
            {"order_time": "yesterday"},
            {"guest_count": 0},
            {"items": "lots"},
            {"table": "not-a-uuid"},
            {"metadata": "x"},
        ],
    )
    def test_malformed_bodies_are_400(self, actors, client_for, patch):
        response = client_for(actors.manager).post(ORDERS, order_body(**patch), format="json")
        assert response.status_code == 400, response.content
        assert set(patch) & set(response.json())

    @pytest.mark.parametrize("field", ["table", "waiter"])
    @pytest.mark.parametrize("actor", ["manager", "admin"])
    def test_table_or_waiter_of_another_store(self, actors, client_for, field, actor):
        other = (
            TableFactory(store=actors.other_store) if field == "table" else EmployeeFactory(store=actors.other_store)
        )
        body = order_body(**{field: str(other.pk)})
        if actor == "admin":
            body["store"] = "STORE001"
        response = client_for(getattr(actors, actor)).post(ORDERS, body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Order.objects.exists()

    def test_manager_cannot_create_in_another_store(self, actors, client_for):
        response = client_for(actors.manager).post(ORDERS, order_body(store="STORE002"), format="json")
        assert response.status_code == 400
        assert "store" in response.json()
