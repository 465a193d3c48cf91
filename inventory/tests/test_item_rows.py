"""The item list is built from rows (inventory.selectors.item_payloads); it must stay equal, byte
for byte, to InventoryItemSerializer over model instances, whatever the time zone."""

from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import InventoryItem
from inventory.selectors import item_payloads, item_rows
from inventory.serializers import InventoryItemSerializer
from inventory.tests.factories import InventoryItemFactory
from zhilian.api.renderers import JSONRenderer


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def items(store, other_store):
    InventoryItemFactory(store=store, name="猪肉 Pork", current_quantity=Decimal("0"))
    InventoryItemFactory(store=store, name="Rice", current_quantity=Decimal("4.5"), min_quantity=Decimal("0.001"))
    InventoryItemFactory(store=store, name="Salt", current_quantity=Decimal("123456789.125"), unit_cost_cents=0,
                         supplier_name="", supplier_contact="", is_active=False)  # fmt: skip
    InventoryItemFactory(store=other_store, name="Oil")
    return store


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_item_payloads_equal_the_serializer(items, zone):
    with timezone.override(zone):
        fast = item_payloads(item_rows().order_by("store", "name"))
        declared = InventoryItemSerializer(InventoryItem.objects.order_by("store", "name"), many=True).data
    assert len(fast) == 4
    assert rendered(fast) == rendered(declared)
    assert [list(p) for p in fast] == [list(p) for p in declared]  # same keys, same order


def test_item_list_answers_as_the_serializer(items, manager, client_for):
    client = client_for(manager)
    body = client.get("/api/v1/inventory-items/", {"store": items.pk}).json()
    declared = InventoryItemSerializer(InventoryItem.objects.filter(store=items).order_by("name"), many=True).data
    assert body["count"] == 3
    assert rendered(body["results"]) == rendered(declared)
    # Filters, search, ordering and pages apply to the rows as they did to instances.
    page = client.get("/api/v1/inventory-items/", {"ordering": "-current_quantity", "page_size": 1, "page": 2}).json()
    assert [i["name"] for i in page["results"]] == ["Rice"]
    assert [i["name"] for i in client.get("/api/v1/inventory-items/", {"search": "pork"}).json()["results"]] == [
        "猪肉 Pork"
    ]
