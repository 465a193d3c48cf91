"""Inventory ledger API (inventory transactions), and the schema of the inventory endpoints."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from inventory.tests.helpers import LEDGER, stocked
from notifications.models import Notification
from zhilian.testing.api import APIResourceTests

D = Decimal

# --- ledger --------------------------------------------------------------------------------------


class TestInventoryTransactionAPI(APIResourceTests):
    list_url = LEDGER

    def make(self, store, **kwargs):
        item = InventoryItemFactory(store=store)
        return services.stock_record_purchase(item=item, quantity=5)

    def create_payload(self, actors):
        item = stocked(actors.store, 10)
        return {"item": item.pk, "transaction_type": "usage", "quantity": "2.5", "reference_id": "ORD-1"}

    def check_created(self, obj, payload):
        assert (obj.quantity, obj.quantity_before, obj.quantity_after) == (D("-2.5"), D("10"), D("7.5"))
        assert obj.reference_id == "ORD-1" and obj.performed_by.username == "manager1"

    def test_partial_update(self, actors, client_for):
        # Ledger rows are never edited: PATCH, PUT and DELETE are not even routed.
        row = self.make(actors.store)
        client = client_for(actors.admin)
        url = self.detail_url(row)
        assert client.patch(url, {"notes": "x", "quantity": "9"}, format="json").status_code == 405
        assert client.put(url, {"notes": "x"}, format="json").status_code == 405
        assert client.delete(url).status_code == 405
        assert client_for(actors.staff).delete(url).status_code == 405
        fresh = InventoryTransaction.objects.get(pk=row.pk)
        assert (fresh.notes, fresh.quantity) == ("", D("5"))


def post(client, body):
    return client.post(LEDGER, body, format="json")


def test_create_answers_with_the_row(actors, client_for):
    item = stocked(actors.store, 10, unit_cost_cents=12_00)
    response = post(client_for(actors.staff), {"item": item.pk, "transaction_type": "usage", "quantity": "3"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quantity"] == "-3.000" and body["quantity_before"] == "10.000" and body["quantity_after"] == "7.000"
    assert (body["total_cost_cents"], body["item_name"], body["unit"]) == (36_00, item.name, "kg")
    assert body["performed_by"] == str(actors.staff.pk) and body["store"] == "STORE001"
    item.refresh_from_db()
    assert item.current_quantity == D("7")


def test_client_cannot_choose_the_sign_or_the_computed_fields(actors, client_for):
    item = stocked(actors.store, 10)
    client = client_for(actors.manager)
    response = post(client, {"item": item.pk, "transaction_type": "usage", "quantity": "-3"})
    assert response.status_code == 400 and "quantity" in response.json()
    response = post(
        client,
        {
            "item": item.pk,
            "transaction_type": "purchase",
            "quantity": "2",
            "quantity_after": "1000",
            "total_cost_cents": 1,
        },
    )
    assert response.status_code == 201
    assert (response.json()["quantity_after"], response.json()["total_cost_cents"]) == ("12.000", 24_00)


def test_usage_beyond_stock_is_409_naming_the_stock(actors, client_for):
    item = stocked(actors.store, D("2.5"), name="Duck")
    response = post(client_for(actors.staff), {"item": item.pk, "transaction_type": "usage", "quantity": "3"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert "2.5 kg" in body["detail"] and body["on_hand"] == "2.500" and body["requested"] == "3.000"
    assert InventoryTransaction.objects.filter(item=item).count() == 1


@pytest.mark.parametrize(
    ("transaction_type", "extra", "staff_may"),
    [
        ("usage", {"quantity": "1"}, True),
        ("waste", {"quantity": "1", "waste_reason": "damaged"}, True),
        ("purchase", {"quantity": "1"}, False),
        ("adjustment", {"counted_quantity": "4"}, False),
        ("transfer", {"quantity": "1", "to_store": "STORE002"}, False),
    ],
)
def test_recording_permissions_per_type(actors, client_for, transaction_type, extra, staff_may):
    item = stocked(actors.store, 10, name="Tofu")
    stocked(actors.other_store, 0, name="Tofu")
    body = {"item": item.pk, "transaction_type": transaction_type, **extra}
    rows = InventoryTransaction.objects.count()
    response = post(client_for(actors.staff), body)
    if staff_may:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert InventoryTransaction.objects.count() == rows
    # Managers and admins record every type.
    for who in (actors.manager, actors.admin):
        item.refresh_from_db()
        assert post(client_for(who), body).status_code == 201


def test_another_stores_item_is_a_400_on_item(actors, client_for):
    theirs = stocked(actors.other_store, 10)
    response = post(client_for(actors.manager), {"item": theirs.pk, "transaction_type": "usage", "quantity": "1"})
    assert response.status_code == 400 and "item" in response.json()
    assert InventoryTransaction.objects.filter(item=theirs).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"transaction_type": "usage"}, "quantity"),
        ({"transaction_type": "usage", "quantity": "0"}, "quantity"),
        ({"transaction_type": "usage", "quantity": "abc"}, "quantity"),
        ({"transaction_type": "usage", "quantity": "1.0001"}, "quantity"),
        ({"transaction_type": "usage", "quantity": "1e40"}, "quantity"),
        ({"transaction_type": "usage", "quantity": "NaN"}, "quantity"),
        ({"transaction_type": "usage", "quantity": [1]}, "quantity"),
        ({"transaction_type": "theft", "quantity": "1"}, "transaction_type"),
        ({"transaction_type": "waste", "quantity": "1"}, "waste_reason"),
        ({"transaction_type": "waste", "quantity": "1", "waste_reason": "stolen"}, "waste_reason"),
        ({"transaction_type": "usage", "quantity": "1", "waste_reason": "spoiled"}, "waste_reason"),
        ({"transaction_type": "adjustment"}, "counted_quantity"),
        ({"transaction_type": "adjustment", "quantity": "3", "counted_quantity": "3"}, "quantity"),
        ({"transaction_type": "adjustment", "counted_quantity": "-1"}, "counted_quantity"),
        ({"transaction_type": "usage", "quantity": "1", "counted_quantity": "3"}, "counted_quantity"),
        ({"transaction_type": "transfer", "quantity": "1"}, "to_store"),
        ({"transaction_type": "transfer", "quantity": "1", "to_store": "NOPE"}, "to_store"),
        ({"transaction_type": "transfer", "quantity": "1", "to_store": "STORE001"}, "to_store"),
        ({"transaction_type": "usage", "quantity": "1", "to_store": "STORE002"}, "to_store"),
        ({"transaction_type": "usage", "quantity": "1", "unit_cost_cents": 5}, "unit_cost_cents"),
        ({"transaction_type": "purchase", "quantity": "1", "unit_cost_cents": -5}, "unit_cost_cents"),
        ({"transaction_type": "purchase", "quantity": "1", "unit_cost_cents": 10**25}, "unit_cost_cents"),
        ({"transaction_type": "purchase", "quantity": "999999999.999"}, "quantity"),  # stock would overflow
        ({"transaction_type": "usage", "quantity": "1", "notes": "x" * 300}, "notes"),
    ],
)
def test_bad_ledger_input_is_400_with_the_field_named(actors, client_for, body, field):
    item = stocked(actors.store, 10)
    response = post(client_for(actors.manager), {"item": item.pk, **body})
    assert response.status_code == 400, response.content
    assert field in response.json()
    item.refresh_from_db()
    assert item.current_quantity == D("10")


def test_unknown_item_and_non_object_bodies_are_400(actors, client_for):
    client = client_for(actors.manager)
    assert post(client, {"item": "NOPE", "transaction_type": "usage", "quantity": "1"}).status_code == 400
    assert client.post(LEDGER, [1, 2], format="json").status_code == 400
    assert client.post(LEDGER, "null", content_type="application/json").status_code == 400


def test_adjustment_and_transfer_through_the_api(actors, client_for):
    item = stocked(actors.store, 10, name="Tofu")
    target = stocked(actors.other_store, 1, name="Tofu")
    client = client_for(actors.manager)
    response = post(client, {"item": item.pk, "transaction_type": "adjustment", "counted_quantity": "8.5"})
    assert response.status_code == 201 and response.json()["quantity"] == "-1.500"
    response = post(client, {"item": item.pk, "transaction_type": "transfer", "quantity": "3", "to_store": "STORE002"})
    assert response.status_code == 201, response.content
    outgoing = response.json()
    assert outgoing["quantity"] == "-3.000" and outgoing["counterpart"]
    incoming = InventoryTransaction.objects.get(pk=outgoing["counterpart"])
    assert (incoming.item_id, incoming.quantity, incoming.counterpart_id) == (target.pk, D("3"), UUID(outgoing["id"]))
    item.refresh_from_db()
    target.refresh_from_db()
    assert (item.current_quantity, target.current_quantity) == (D("5.5"), D("4"))
    # The receiving row belongs to the other store: the sending manager does not see it.
    assert client.get(f"{LEDGER}{incoming.pk}/").status_code == 404
    assert client_for(actors.other_manager).get(f"{LEDGER}{incoming.pk}/").status_code == 200


def test_transfer_without_a_target_item_is_409(actors, client_for):
    item = stocked(actors.store, 10, name="Tofu")
    body = {"item": item.pk, "transaction_type": "transfer", "quantity": "1", "to_store": "STORE002"}
    response = post(client_for(actors.manager), body)
    assert response.status_code == 409 and response.json()["code"] == "transfer_target_missing"


def test_purchase_sets_the_unit_cost(actors, client_for):
    item = stocked(actors.store, 0, unit_cost_cents=10_00)
    body = {"item": item.pk, "transaction_type": "purchase", "quantity": "4", "unit_cost_cents": 11_25}
    response = post(client_for(actors.manager), body)
    assert response.status_code == 201
    assert (response.json()["unit_cost_cents"], response.json()["total_cost_cents"]) == (11_25, 45_00)
    item.refresh_from_db()
    assert item.unit_cost_cents == 11_25


def test_usage_crossing_into_low_notifies_the_managers(actors, client_for):
    item = stocked(actors.store, 12, min_quantity=D("10"), name="Noodles")
    post(client_for(actors.staff), {"item": item.pk, "transaction_type": "usage", "quantity": "3"})
    note = Notification.objects.get(kind="low_stock")
    assert (note.recipient, note.level, note.data["item"]) == (actors.manager, "warning", item.pk)


def test_ledger_filters(actors, client_for):
    a = stocked(actors.store, 10, name="A")
    b = stocked(actors.store, 10, name="B")
    services.stock_record_usage(item=a, quantity=1, user=actors.staff)
    services.stock_record_waste(item=b, quantity=1, reason="spoiled", user=actors.manager)
    past = services.stock_record_usage(item=b, quantity=1, transaction_time=timezone.now() - dt.timedelta(days=10))
    client = client_for(actors.manager)

    def types(params):
        response = client.get(LEDGER, params)
        assert response.status_code == 200, response.content
        return sorted((row["item_name"], row["transaction_type"]) for row in response.json()["results"])

    assert types({"item": a.pk}) == [("A", "purchase"), ("A", "usage")]
    assert types({"transaction_type": ["usage", "waste"]}) == [("A", "usage"), ("B", "usage"), ("B", "waste")]
    assert types({"performed_by": str(actors.staff.pk)}) == [("A", "usage")]
    assert types({"waste_reason": "spoiled"}) == [("B", "waste")]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ("B", "usage") not in types({"time_after": since})
    day = timezone.localtime(past.transaction_time).date().isoformat()
    assert types({"date_after": day, "date_before": day}) == [("B", "usage")]
    assert types({"search": "B", "transaction_type": "waste"}) == [("B", "waste")]
    assert types({"store": "STORE002"}) == []
    assert client.get(LEDGER, {"performed_by": "not-a-uuid"}).status_code == 400
    assert client.get(LEDGER, {"time_after": "last tuesday"}).status_code == 400
    assert client.get(LEDGER, {"date_after": "2026-02-30"}).status_code == 400
    ordered = client.get(LEDGER, {"ordering": "quantity"}).json()["results"]
    assert ordered[0]["quantity"] == "-1.000"


def test_schema_documents_the_inventory_endpoints(actors, client_for):
    response = client_for(actors.admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/inventory-items/low-stock/",
        "/api/v1/inventory-items/reorder-suggestions/",
        "/api/v1/inventory-items/waste-analysis/",
        "/api/v1/inventory-transactions/",
    ):
        assert path in paths
    assert "patch" not in paths["/api/v1/inventory-transactions/{id}/"]
