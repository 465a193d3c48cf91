"""Small builders for KPI tests: local datetimes, ledger rows, consistent orders."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from inventory.models import InventoryTransaction
from orders.tests.factories import OrderFactory


def local(day: dt.date, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm, ss)), timezone.get_current_timezone())


def order(store, when, cents: int, **kwargs):
    return OrderFactory(store=store, order_time=when, items=[("X1", "Dish", 1, cents)], **kwargs)


def ledger(item, kind: str, quantity: str, before: str, cost_cents: int, when, **kwargs):
    quantity, before = Decimal(quantity), Decimal(before)
    return InventoryTransaction.objects.create(
        item=item,
        store=item.store,
        transaction_type=kind,
        quantity=quantity,
        unit_cost_cents=item.unit_cost_cents,
        total_cost_cents=cost_cents,
        quantity_before=before,
        quantity_after=before + quantity,
        waste_reason="spoiled" if kind == "waste" else "",
        transaction_time=when,
        **kwargs,
    )
