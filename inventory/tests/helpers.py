"""Helpers shared by the inventory tests."""

from decimal import Decimal

from django.db.models import Sum

from inventory import services
from inventory.models import InventoryTransaction
from inventory.tests.factories import InventoryItemFactory

D = Decimal
ITEMS = "/api/v1/inventory-items/"
LEDGER = "/api/v1/inventory-transactions/"


def ledger_sum(item) -> Decimal:
    return InventoryTransaction.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"] or D("0")


def stocked(store, quantity=20, **kwargs):
    item = InventoryItemFactory(store=store, **kwargs)
    if quantity:
        services.stock_record_purchase(item=item, quantity=quantity)
    return item
