"""The low-stock scan job (inventory/tasks.py), eagerly through Celery: it corrects statuses that
drifted from the stock, alerts the managers of items that got worse once, and counts what is short."""

from decimal import Decimal

from inventory.models import InventoryItem
from inventory.tasks import scan_low_stock
from inventory.tests.factories import InventoryItemFactory
from notifications.models import Notification
from stores.models import Store
from stores.tests.factories import StoreFactory

Status = InventoryItem.Status


def test_scan_corrects_drifted_statuses_and_alerts_once(store, other_store, manager, other_manager):
    fine = InventoryItemFactory(store=store, current_quantity=Decimal("40"))
    # Statuses left behind by writes that bypassed the ledger (a bulk UPDATE, an import in SQL).
    drifted_low = InventoryItemFactory(store=store, current_quantity=Decimal("8"))
    drifted_out = InventoryItemFactory(store=other_store, current_quantity=Decimal("3"))
    InventoryItem.objects.filter(pk=drifted_low.pk).update(status=Status.NORMAL)
    InventoryItem.objects.filter(pk=drifted_out.pk).update(current_quantity=Decimal("0"))
    closed = StoreFactory(id="STORE009", status=Store.Status.CLOSED)
    untouched = InventoryItemFactory(store=closed, current_quantity=Decimal("1"))
    InventoryItem.objects.filter(pk=untouched.pk).update(status=Status.NORMAL)

    result = scan_low_stock.apply()
    assert result.successful(), result.traceback
    assert result.result == {"stores": 2, "changed": 2, "low": 1, "critical": 0, "out_of_stock": 1}
    statuses = dict(InventoryItem.objects.values_list("pk", "status"))
    assert statuses == {
        fine.pk: Status.NORMAL,
        drifted_low.pk: Status.LOW,
        drifted_out.pk: Status.OUT_OF_STOCK,
        untouched.pk: Status.NORMAL,  # a closed store is not scanned
    }
    alerts = sorted(Notification.objects.values_list("recipient__username", "store_id", "kind"))
    assert alerts == [("manager1", "STORE001", "low_stock"), ("manager2", "STORE002", "low_stock")]

    assert scan_low_stock.apply().result == {"stores": 2, "changed": 0, "low": 1, "critical": 0, "out_of_stock": 1}
    assert dict(InventoryItem.objects.values_list("pk", "status")) == statuses
    assert Notification.objects.count() == 2
