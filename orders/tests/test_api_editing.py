"""Orders API: editing an order and its items."""

import pytest

from orders.models import Order
from orders.tests.factories import OrderFactory
from orders.tests.helpers import ITEMS_URL, ORDERS, order_body, transition
from stores.tests.factories import EmployeeFactory, TableFactory

S = Order.Status


@pytest.mark.django_db
class TestEditing:
    def test_patch_changes_editable_fields_and_recomputes(self, actors, client_for):
        order = OrderFactory(store=actors.store)  # one item of 48.00
        waiter = EmployeeFactory(store=actors.store)
        response = client_for(actors.manager).patch(
            f"{ORDERS}{order.pk}/",
            {"discount_cents": 800, "waiter": waiter.pk, "total_cents": 1, "status": "completed"},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["subtotal_cents"], body["discount_cents"], body["total_cents"]) == (4800, 800, 4000)
        assert body["status"] == "pending"
        assert body["waiter"] == waiter.pk and body["waiter_name"] == waiter.name

    def test_patch_cannot_touch_items_store_or_time(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        client = client_for(actors.admin)
        assert "items" in client.patch(f"{ORDERS}{order.pk}/", {"items": []}, format="json").json()
        response = client.patch(f"{ORDERS}{order.pk}/", {"store": "STORE002"}, format="json")
        assert response.status_code == 400 and "store" in response.json()
        before = order.order_time
        client.patch(f"{ORDERS}{order.pk}/", {"order_time": "2020-01-01T00:00:00Z"}, format="json")
        order.refresh_from_db()
        assert order.order_time == before and order.store_id == "STORE001"

    def test_patch_table_of_another_store(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        table = TableFactory(store=actors.other_store)
        response = client_for(actors.admin).patch(f"{ORDERS}{order.pk}/", {"table": str(table.pk)}, format="json")
        assert response.status_code == 400
        assert "table" in response.json()

    def test_discount_locked_once_preparing(self, actors, client_for):
        order = OrderFactory(store=actors.store, status=S.PREPARING)
        client = client_for(actors.manager)
        response = client.patch(f"{ORDERS}{order.pk}/", {"discount_cents": 100}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "locked"
        # The service fields still follow the meal.
        assert client.patch(f"{ORDERS}{order.pk}/", {"notes": "moved to A2"}, format="json").status_code == 200

    def test_items_through_the_api_follow_the_editable_rule(self, actors, client_for):
        client = client_for(actors.manager)
        order_id = client.post(ORDERS, order_body(), format="json").json()["id"]
        order = Order.objects.get(pk=order_id)
        added = client.post(
            ITEMS_URL,
            {"order": order_id, "is_open_item": True, "item_code": "T", "item_name": "Tea", "unit_price_cents": 500},
            format="json",
        )
        assert added.status_code == 201
        item_url = f"{ITEMS_URL}{added.json()['id']}/"
        assert client.patch(item_url, {"quantity": 3}, format="json").json()["subtotal_cents"] == 1500
        order.refresh_from_db()
        assert order.total_cents == 128_00 + 15_00

        transition(client, order, "confirmed")
        assert client.patch(item_url, {"quantity": 2}, format="json").status_code == 200
        transition(client, order, "preparing")

        refused = [
            client.post(
                ITEMS_URL,
                {"order": order_id, "is_open_item": True, "item_code": "X", "item_name": "X", "unit_price_cents": 1},
            ),
            client.patch(item_url, {"quantity": 9}, format="json"),
            client.delete(item_url),
        ]
        assert [r.status_code for r in refused] == [409, 409, 409]
        assert {r.json()["code"] for r in refused} == {"locked"}
        order.refresh_from_db()
        assert order.total_cents == 128_00 + 10_00
        assert order.items.count() == 3

    def test_item_cannot_move_orders(self, actors, client_for):
        item = OrderFactory(store=actors.store).items.get()
        other = OrderFactory(store=actors.store)
        client_for(actors.manager).patch(f"{ITEMS_URL}{item.pk}/", {"order": other.pk}, format="json")
        item.refresh_from_db()
        assert item.order_id != other.pk

    def test_item_on_another_stores_order(self, actors, client_for):
        theirs = OrderFactory(store=actors.other_store)
        response = client_for(actors.manager).post(
            ITEMS_URL,
            {"order": theirs.pk, "is_open_item": True, "item_code": "T", "item_name": "Tea", "unit_price_cents": 5},
            format="json",
        )
        assert response.status_code == 400
        assert "order" in response.json()

    def test_removing_the_last_item_is_refused(self, actors, client_for):
        item = OrderFactory(store=actors.store).items.get()
        response = client_for(actors.manager).delete(f"{ITEMS_URL}{item.pk}/")
        assert response.status_code == 409
        assert response.json()["code"] == "last_item"


@pytest.mark.django_db
def test_an_order_may_name_its_table_by_number(actors, client_for):
    table = TableFactory(store=actors.store, number="A07", capacity=4)
    TableFactory(store=actors.other_store, number="A08", capacity=4)
    client = client_for(actors.manager)
    items = [{"item_code": "X1", "item_name": "Tea", "unit_price_cents": 500, "is_open_item": True}]
    body = {"store": "STORE001", "order_type": "dine_in", "table_number": "A07", "items": items}
    created = client.post(ORDERS, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["table"] == str(table.pk) and created.json()["table_number"] == "A07"
    # Another store's table number is not this store's table.
    missing = client.post(ORDERS, {**body, "table_number": "A08"}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"table_number": ["The store has no table 'A08'."]}
