"""Inventory services: status thresholds, low-stock alerts, item create/update."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from notifications.models import Notification
from zhilian.errors import InsufficientStock, InvalidInput

D = Decimal
Type = InventoryTransaction.Type
Status = InventoryItem.Status

# --- status thresholds and alerts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "status"),
    [
        ("11", Status.NORMAL),
        ("10.001", Status.NORMAL),
        ("10", Status.LOW),  # at the reorder point
        ("5.001", Status.LOW),
        ("5", Status.CRITICAL),  # at half of it
        ("0.001", Status.CRITICAL),
        ("0", Status.OUT_OF_STOCK),
    ],
)
def test_status_thresholds_through_the_ledger(make_item, quantity, status):
    item = make_item(20, min_quantity=D("10"), max_quantity=D("40"))
    services.stock_record_adjustment(item=item, counted_quantity=quantity)
    item.refresh_from_db()
    assert item.status == status


def low_stock_events(published):
    return [e for e in published if e["type"] == "inventory.low_stock"]


def test_low_stock_alert_only_when_the_status_gets_worse(make_item, manager, other_manager, staff, published):
    item = make_item(20, min_quantity=D("10"), name="Pork belly")
    assert low_stock_events(published) == []  # purchase into normal: no alert

    services.stock_record_usage(item=item, quantity=10)  # 10: normal -> low
    events = low_stock_events(published)
    assert len(events) == 1
    assert events[0]["store"] == item.store_id
    assert events[0]["data"]["status"] == "low" and events[0]["data"]["previous_status"] == "normal"
    assert events[0]["data"]["item"] == item.pk and events[0]["data"]["current_quantity"] == "10.000"
    notes = list(Notification.objects.filter(kind="low_stock"))
    assert [(n.recipient, n.level, n.store_id) for n in notes] == [(manager, "warning", item.store_id)]
    assert "Pork belly" in notes[0].title and "10 kg" in notes[0].body

    services.stock_record_usage(item=item, quantity=1)  # 9: still low, no new alert
    assert len(low_stock_events(published)) == 1

    services.stock_record_usage(item=item, quantity=4)  # 5: low -> critical
    assert [e["data"]["status"] for e in low_stock_events(published)] == ["low", "critical"]
    assert Notification.objects.filter(kind="low_stock", level="critical", recipient=manager).count() == 1

    services.stock_record_purchase(item=item, quantity=20)  # back to normal: no alert
    assert len(low_stock_events(published)) == 2

    services.stock_record_usage(item=item, quantity=25)  # 0: normal -> out of stock
    assert [e["data"]["status"] for e in low_stock_events(published)] == ["low", "critical", "out_of_stock"]
    # Only the item's store managers hear about it, never staff or another store's manager.
    assert set(Notification.objects.values_list("recipient", flat=True)) == {manager.pk}
    assert Notification.objects.filter(recipient__in=[other_manager, staff]).count() == 0


def test_refused_write_sends_no_alert(make_item, manager, published):
    item = make_item(11, min_quantity=D("10"))
    with pytest.raises(InsufficientStock):
        services.stock_record_usage(item=item, quantity=12)
    assert low_stock_events(published) == []
    assert not Notification.objects.exists()


def test_raising_the_reorder_point_recomputes_status_and_alerts(make_item, manager, published):
    item = make_item(8, min_quantity=D("5"), max_quantity=D("20"))
    assert item.status == Status.NORMAL
    services.inventory_item_update(item=item, changes={"min_quantity": D("8")})
    item.refresh_from_db()
    assert item.status == Status.LOW
    assert [e["data"]["status"] for e in low_stock_events(published)] == ["low"]


def test_item_update_never_writes_back_a_stale_quantity(make_item):
    item = make_item(10)
    stale = InventoryItem.objects.get(pk=item.pk)
    services.stock_record_usage(item=item, quantity=4)
    services.inventory_item_update(item=stale, changes={"name": "Renamed", "supplier_name": "New Co."})
    item.refresh_from_db()
    assert (item.name, item.current_quantity) == ("Renamed", D("6"))
    assert stale.current_quantity == D("6")


def test_item_update_refuses_stock_fields(make_item):
    item = make_item(10)
    with pytest.raises(InvalidInput) as exc:
        services.inventory_item_update(item=item, changes={"current_quantity": D("99")})
    assert "current_quantity" in exc.value.errors


def test_item_create_with_opening_stock_writes_an_adjustment(store, manager):
    item = services.inventory_item_create(
        store=store,
        id="INV900",
        name="Rice",
        unit="kg",
        initial_quantity="40",
        user=manager,
        min_quantity=D("10"),
        max_quantity=D("60"),
        unit_cost_cents=6_00,
        category="dry_goods",
    )
    item.refresh_from_db()
    assert (item.current_quantity, item.status) == (D("40"), Status.NORMAL)
    row = InventoryTransaction.objects.get(item=item)
    assert (row.transaction_type, row.quantity, row.notes) == (Type.ADJUSTMENT, D("40"), "Opening stock")
    empty = services.inventory_item_create(store=store, id="INV901", name="Salt", unit="kg")
    assert (empty.current_quantity, empty.status) == (0, Status.OUT_OF_STOCK)
    assert not InventoryTransaction.objects.filter(item=empty).exists()


def test_refresh_status_fixes_a_stale_status(make_item, manager):
    item = make_item(3, min_quantity=D("10"))
    InventoryItem.objects.filter(pk=item.pk).update(status=Status.NORMAL)
    assert services.inventory_item_refresh_status(items=[item]) == 1
    item.refresh_from_db()
    assert item.status == Status.CRITICAL
    assert services.inventory_item_refresh_status(items=[item]) == 0
