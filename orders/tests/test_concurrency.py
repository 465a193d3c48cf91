import threading

import pytest

from orders import services
from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory
from stores.tests.factories import StoreFactory
from zhilian.testing.concurrency import run_in_threads

ITEMS = [
    {
        "is_open_item": True,
        "item_code": "D001",
        "item_name": "Kung Pao Chicken",
        "quantity": 1,
        "unit_price_cents": 48_00,
    }
]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_creations_get_distinct_ids():
    store = StoreFactory(id="CONC01")
    ids = []
    lock = threading.Lock()

    def create(_index):
        order = services.order_create(store=store, items=ITEMS)
        with lock:
            ids.append(order.id)

    errors = run_in_threads(50, create).failures
    assert errors == []
    assert len(set(ids)) == 50
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in ids)
    assert numbers == list(range(1, 51))
    assert Order.objects.filter(store=store).count() == 50


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_item_adds_keep_totals_right():
    order = OrderFactory(store=StoreFactory(id="CONC02"), items=[("A", "Soup", 1, 10_00)])

    def add(index):
        services.order_item_add(
            order=order, is_open_item=True, item_code=f"X{index}", item_name="Tea", unit_price_cents=1_00
        )

    assert run_in_threads(20, add).failures == []
    order.refresh_from_db()
    assert order.items.count() == 21
    assert order.subtotal_cents == order.total_cents == 10_00 + 20 * 1_00


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_only_one_of_racing_moves_wins():
    order = OrderFactory(store=StoreFactory(id="CONC03"))
    results = []

    def move(index):
        status = Order.Status.CONFIRMED if index % 2 else Order.Status.CANCELLED
        try:
            services.order_transition(order=Order.objects.get(pk=order.pk), status=status, reason="race")
            results.append(status)
        except services.InvalidTransition:
            results.append("refused")

    assert run_in_threads(10, move).failures == []
    order.refresh_from_db()
    winners = [r for r in results if r != "refused"]
    # pending -> confirmed -> cancelled is legal, so at most two moves win, in that order.
    assert 1 <= len(winners) <= 2
    assert OrderItem.objects.filter(order=order).count() == 1
    assert order.status in winners
