"""Inventory items API: the resource, validation, permissions, filters."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from inventory.tests.helpers import ITEMS, stocked
from notifications.models import Notification
from zhilian.testing.api import APIResourceTests

D = Decimal

# --- items ---------------------------------------------------------------------------------------


class TestInventoryItemAPI(APIResourceTests):
    list_url = ITEMS

    def make(self, store, **kwargs):
        return InventoryItemFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return {
            "id": "INV777",
            "name": "Sichuan pepper",
            "category": "seasoning",
            "unit": "kg",
            "min_quantity": "2.000",
            "max_quantity": "8.000",
            "unit_cost_cents": 95_00,
            "supplier_name": "Chengdu Spice",
            "initial_quantity": "1.5",
        }

    def check_created(self, obj, payload):
        assert obj.store_id == "STORE001"  # the manager's own store, filled in
        assert obj.current_quantity == D("1.5")
        assert obj.status == InventoryItem.Status.LOW  # 1 < 1.5 <= 2
        assert InventoryTransaction.objects.get(item=obj).quantity == D("1.5")

    def update_payload(self, obj):
        return {"name": "Renamed ingredient", "min_quantity": "20.000", "max_quantity": "60.000"}


def test_create_reports_the_computed_fields(actors, client_for):
    body = {"id": "INV778", "name": "Star anise", "unit": "kg", "min_quantity": "4", "max_quantity": "10"}
    response = client_for(actors.manager).post(ITEMS, {**body, "initial_quantity": "3"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["current_quantity"], data["status"], data["store"]) == ("3.000", "low", "STORE001")
    assert "initial_quantity" not in data


def test_stock_fields_are_read_only(actors, client_for):
    item = stocked(actors.store, 10)
    response = client_for(actors.manager).patch(
        f"{ITEMS}{item.pk}/", {"current_quantity": "999", "status": "normal", "supplier_name": "X"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["current_quantity"] == "10.000"
    item.refresh_from_db()
    assert (item.current_quantity, item.supplier_name) == (D("10"), "X")
    assert services.stock_verify() == []


def test_changing_the_reorder_point_recomputes_the_status(actors, client_for):
    item = stocked(actors.store, 10, min_quantity=D("5"), max_quantity=D("30"))
    response = client_for(actors.manager).patch(f"{ITEMS}{item.pk}/", {"min_quantity": "12"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "low"
    assert Notification.objects.filter(kind="low_stock", recipient=actors.manager).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "bad id!", "name": "A", "unit": "kg"}, "id"),
        ({"id": "INV1", "name": "A", "unit": "kg", "min_quantity": "5", "max_quantity": "4"}, "max_quantity"),
        ({"id": "INV1", "name": "A", "unit": "kg", "min_quantity": "-1"}, "min_quantity"),
        ({"id": "INV1", "name": "A", "unit": "kg", "unit_cost_cents": -1}, "unit_cost_cents"),
        ({"id": "INV1", "name": "A", "unit": "kg", "unit_cost_cents": 10**30}, "unit_cost_cents"),
        ({"id": "INV1", "name": "A", "unit": "kg", "min_quantity": "1e20"}, "min_quantity"),
        ({"id": "INV1", "name": "A", "unit": "kg", "category": "gold"}, "category"),
        ({"id": "INV1", "name": "A", "unit": "kg", "initial_quantity": "-3"}, "initial_quantity"),
        ({"id": "INV1", "name": "A", "unit": "kg", "store": "STORE002"}, "store"),
    ],
)
def test_invalid_items_are_400_with_the_field_named(actors, client_for, body, field):
    response = client_for(actors.manager).post(ITEMS, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not InventoryItem.objects.filter(pk__in=["INV1", "bad id!"]).exists()


def test_duplicate_name_or_id_in_a_store_is_refused(actors, client_for):
    InventoryItemFactory(store=actors.store, id="INV5", name="Garlic")
    client = client_for(actors.manager)
    response = client.post(ITEMS, {"id": "INV6", "name": "Garlic", "unit": "kg"}, format="json")
    assert response.status_code in (400, 409) and response.status_code != 500
    response = client.post(ITEMS, {"id": "INV5", "name": "Ginger", "unit": "kg"}, format="json")
    assert response.status_code == 400 and "id" in response.json()


def test_the_id_and_store_of_an_item_do_not_change(actors, client_for):
    item = stocked(actors.store, 1)
    client = client_for(actors.admin)
    assert client.patch(f"{ITEMS}{item.pk}/", {"id": "NEWID"}, format="json").status_code == 400
    assert client.patch(f"{ITEMS}{item.pk}/", {"store": actors.other_store.pk}, format="json").status_code == 400
    assert client.patch(f"{ITEMS}{item.pk}/", {"initial_quantity": "5"}, format="json").status_code == 400


def test_staff_reads_items_but_cannot_write_them(actors, client_for):
    item = stocked(actors.store, 1)
    client = client_for(actors.staff)
    assert client.get(ITEMS).status_code == 200
    assert client.post(ITEMS, {"id": "INV9", "name": "A", "unit": "kg"}, format="json").status_code == 403
    assert client.patch(f"{ITEMS}{item.pk}/", {"name": "B"}, format="json").status_code == 403
    assert client.delete(f"{ITEMS}{item.pk}/").status_code == 403


def test_an_item_with_history_cannot_be_deleted(actors, client_for):
    item = stocked(actors.store, 1)
    fresh = InventoryItemFactory(store=actors.store)
    client = client_for(actors.manager)
    response = client.delete(f"{ITEMS}{item.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "protected"
    assert client.delete(f"{ITEMS}{fresh.pk}/").status_code == 204


def test_item_filters_search_and_ordering(actors, client_for):
    low = stocked(actors.store, 8, name="Leeks", min_quantity=D("10"), supplier_name="Green Valley")
    out = stocked(actors.store, 0, name="Lotus root", min_quantity=D("10"), category="other")
    normal = stocked(actors.store, 30, name="Onions", min_quantity=D("10"))
    stocked(actors.other_store, 0, name="Leeks")
    client = client_for(actors.manager)

    def ids(params):
        response = client.get(ITEMS, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert set(ids({"status": ["low", "out_of_stock"]})) == {low.pk, out.pk}
    assert ids({"status": "normal"}) == [normal.pk]
    assert ids({"category": "other"}) == [out.pk]
    assert ids({"supplier": "green"}) == [low.pk]
    assert ids({"search": "lotus"}) == [out.pk]
    assert ids({"ordering": "-current_quantity"}) == [normal.pk, low.pk, out.pk]
    assert ids({"store": actors.other_store.pk}) == []  # never another store's rows
    assert client.get(ITEMS, {"status": "gold"}).status_code == 400
    assert client.get(ITEMS, {"is_active": "maybe"}).status_code in (200, 400)
