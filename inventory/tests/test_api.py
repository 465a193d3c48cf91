import datetime as dt
from decimal import Decimal
from uuid import UUID

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from notifications.models import Notification
from zhilian.testing.api import APIResourceTests

D = Decimal
ITEMS = "/api/v1/inventory-items/"
LEDGER = "/api/v1/inventory-transactions/"


def stocked(store, quantity=20, **kwargs):
    item = InventoryItemFactory(store=store, **kwargs)
    if quantity:
        services.stock_record_purchase(item=item, quantity=quantity)
    return item


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


def test_low_stock_lists_the_worst_first(actors, client_for):
    low = stocked(actors.store, 8, name="Leeks", min_quantity=D("10"))
    critical = stocked(actors.store, 3, name="Chili", min_quantity=D("10"))
    out = stocked(actors.store, 0, name="Lotus root", min_quantity=D("10"))
    stocked(actors.store, 30, name="Onions", min_quantity=D("10"))
    stocked(actors.store, 0, name="Retired", is_active=False)
    stocked(actors.other_store, 0, name="Elsewhere")
    response = client_for(actors.staff).get(f"{ITEMS}low-stock/")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [out.pk, critical.pk, low.pk]
    assert [row["status"] for row in body["results"]] == ["out_of_stock", "critical", "low"]


def test_reorder_suggestions_endpoint(actors, client_for):
    stocked(actors.store, 4, name="Bok choy", min_quantity=D("10"), max_quantity=D("30"), unit_cost_cents=5_50)
    stocked(
        actors.store,
        0,
        name="Shrimp",
        min_quantity=D("5"),
        max_quantity=D("20"),
        unit_cost_cents=80_00,
        supplier_name="Sea Co.",
        supplier_contact="021-5555",
    )
    response = client_for(actors.manager).get(f"{ITEMS}reorder-suggestions/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store"] == "STORE001" and body["total_cost_cents"] == 143_00 + 1600_00
    assert [(g["supplier_name"], g["total_cost_cents"], g["item_count"]) for g in body["suppliers"]] == [
        ("Fresh Farm Co.", 143_00, 1),
        ("Sea Co.", 1600_00, 1),
    ]
    line = body["suppliers"][0]["items"][0]
    assert (line["name"], line["quantity"], line["cost_cents"], line["current_quantity"]) == (
        "Bok choy",
        "26.000",
        143_00,
        "4.000",
    )
    assert body["suppliers"][1]["supplier_contact"] == "021-5555"


def test_report_store_scoping(actors, client_for):
    stocked(actors.other_store, 0, name="Elsewhere")
    manager = client_for(actors.manager)
    for url in (f"{ITEMS}reorder-suggestions/", f"{ITEMS}waste-analysis/"):
        assert manager.get(url, {"store": actors.other_store.pk}).status_code == 404
        assert manager.get(url, {"store": "NOPE"}).status_code == 404
        response = client_for(actors.admin).get(url)
        assert response.status_code == 400 and "store" in response.json()
        assert client_for(actors.admin).get(url, {"store": actors.other_store.pk}).status_code == 200
    body = client_for(actors.admin).get(f"{ITEMS}reorder-suggestions/", {"store": actors.other_store.pk}).json()
    assert [i["name"] for g in body["suppliers"] for i in g["items"]] == ["Elsewhere"]


def test_waste_analysis_endpoint(actors, client_for):
    beef = stocked(actors.store, 20, name="Beef", category="meat", unit_cost_cents=60_00)
    today = timezone.localdate()
    services.stock_record_waste(item=beef, quantity="1.5", reason="spoiled")
    old = timezone.now() - dt.timedelta(days=40)
    services.stock_record_waste(item=beef, quantity="1", reason="expired", transaction_time=old)
    client = client_for(actors.manager)
    body = client.get(f"{ITEMS}waste-analysis/").json()  # the last 30 days by default
    assert (body["total_cost_cents"], body["count"], body["end"]) == (90_00, 1, today.isoformat())
    assert body["by_item"][0]["reasons"] == {"spoiled": "1.500"}
    assert body["by_category"] == [{"category": "meat", "quantity": "1.500", "cost_cents": 90_00, "count": 1}]
    wide = client.get(
        f"{ITEMS}waste-analysis/", {"start": (today - dt.timedelta(days=60)).isoformat(), "end": today.isoformat()}
    ).json()
    assert (wide["total_cost_cents"], wide["count"]) == (150_00, 2)
    assert [r["reason"] for r in wide["by_reason"]] == ["spoiled", "expired"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01"},
        {"end": "yesterday"},
        {"start": "2026-05-02", "end": "2026-05-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        {"start": "2099-01-01"},
    ],
)
def test_waste_analysis_bad_dates_are_400(actors, client_for, params):
    response = client_for(actors.manager).get(f"{ITEMS}waste-analysis/", params)
    assert response.status_code == 400, response.content


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
