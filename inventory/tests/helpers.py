"""Helpers shared by the inventory tests."""

from decimal import Decimal

from django.db.models import Sum

from inventory.models import InventoryTransaction

D = Decimal


def ledger_sum(item) -> Decimal:
    return InventoryTransaction.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"] or D("0")
