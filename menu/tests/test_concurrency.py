"""Orders racing to the kitchen: stock ends exactly at the expected sum, nobody deadlocks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.models import InventoryItem, InventoryTransaction
from menu.tests.helpers import STOCK, build_menu, expected_usage
from orders import services
from orders.models import Order
from stores.tests.factories import StoreFactory
from zhilian.testing.concurrency import run_in_threads

S = Order.Status


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_orders_sharing_ingredients_leave_the_expected_stock():
    store = StoreFactory(id="CONCMENU")
    menu = build_menu(store)
    # Every order holds dishes that share the oil, in different line orders, so each locks
    # several of the same items: without a fixed lock order two of them would deadlock.
    shapes = [
        [("KP01", 1), ("MP01", 2)],
        [("MP01", 1), ("RC01", 3), ("KP01", 2)],
        [("RC01", 2), ("KP01", 1)],
        [("MP01", 3)],
    ]
    orders = []
    for index in range(20):
        lines = shapes[index % len(shapes)]
        order = services.order_create(store=store, items=[{"item_code": c, "quantity": q} for c, q in lines])
        services.order_transition(order=order, status=S.CONFIRMED)
        orders.append(order.pk)

    def to_kitchen(index):
        return services.order_transition(order=Order.objects.get(pk=orders[index]), status=S.PREPARING)

    outcomes = run_in_threads(20, to_kitchen)
    assert outcomes.failures == []
    assert Order.objects.filter(pk__in=orders, status=S.PREPARING).count() == 20
    # Each order's rows are its own rounding; the stock is the sum of them.
    per_order = Decimal(0)
    expected: dict[str, Decimal] = {sku: Decimal(q) for sku, q in STOCK.items()}
    for index in range(20):
        for sku, quantity in expected_usage(shapes[index % len(shapes)]).items():
            expected[sku] -= quantity
            per_order += quantity
    stock = {sku: InventoryItem.objects.get(pk=item.pk).current_quantity for sku, item in menu.items.items()}
    assert stock == expected
    used = InventoryTransaction.objects.filter(store=store, transaction_type="usage")
    assert used.count() == sum(len(expected_usage(shapes[i % len(shapes)])) for i in range(20))
    assert -sum(r.quantity for r in used) == per_order
