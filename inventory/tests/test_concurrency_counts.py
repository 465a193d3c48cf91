"""Stock counts under concurrency (PostgreSQL only: SQLite serialises writers on the whole file,
so these races cannot happen there)."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction, StockCount
from menu.tests.helpers import build_menu
from orders import services as orders
from orders.models import Order
from zhilian.errors import DomainError
from zhilian.testing.concurrency import run_in_threads

D = Decimal
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_managers_opening_at_once_get_one_count(store, manager):
    build_menu(store)
    outcomes = run_in_threads(2, lambda _i: services.stock_count_open(store=store, user=manager))
    assert len(outcomes.ok) == 1, outcomes.results
    assert [e.code for e in outcomes.refused(DomainError)] == ["count_open"]
    assert StockCount.objects.filter(store=store).count() == 1


def test_closing_while_orders_deduct_neither_deadlocks_nor_loses_a_row(store, manager):
    menu = build_menu(store)
    count = services.stock_count_open(store=store, user=manager)
    counted = {line.item_id: line.expected_quantity - D("0.5") for line in count.lines.all()}
    services.stock_count_record(
        count=count, quantities=[{"item": k, "counted_quantity": v} for k, v in counted.items()], user=manager
    )
    pending = [
        orders.order_create(
            store=store, items=[{"item_code": "KP01", "quantity": 1}, {"item_code": "MP01", "quantity": 1}]
        )
        for _ in range(8)
    ]
    pending = [orders.order_transition(order=o, status=Order.Status.CONFIRMED, user=manager) for o in pending]

    def work(index):
        if index == 8:
            return services.stock_count_close(count=StockCount.objects.get(pk=count.pk), user=manager)
        order = Order.objects.get(pk=pending[index].pk)
        return orders.order_transition(order=order, status=Order.Status.PREPARING, user=manager)

    outcomes = run_in_threads(9, work)
    assert outcomes.failures == []
    # Each adjustment brought its item exactly to the counted quantity, whatever ran before it.
    adjustments = InventoryTransaction.objects.filter(reference_id=count.reference)
    assert {row.item_id: row.quantity_after for row in adjustments} == counted
    # ...and the ledger still adds up to every item's stock.
    assert services.stock_verify() == []
    assert (
        InventoryTransaction.objects.filter(transaction_type="usage", quantity__lt=0)
        .values("reference_id")
        .distinct()
        .count()
        == 8
    )
    for item in InventoryItem.objects.filter(pk__in=[i.pk for i in menu.items.values()]):
        assert item.current_quantity <= counted[item.pk]
