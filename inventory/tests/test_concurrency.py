"""Concurrent writers on one item: row locks must serialise them (PostgreSQL only)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from zhilian.errors import InsufficientStock

D = Decimal
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_in_threads(count: int, work) -> list:
    """Start `count` threads together; each returns "ok", the refusal, or the unexpected error."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(index)
            results[index] = "ok"
        except InsufficientStock as exc:
            results[index] = exc
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung (deadlock?)"
    return results


def ledger_sum(item) -> Decimal:
    return InventoryTransaction.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]


def test_parallel_usages_lose_no_update(store):
    item = InventoryItemFactory(store=store, min_quantity=D("10"), max_quantity=D("100"))
    services.stock_record_purchase(item=item, quantity=100)

    def use(_index):
        services.stock_record_usage(item=InventoryItem.objects.get(pk=item.pk), quantity=D("2.5"))

    results = run_in_threads(20, use)
    assert results == ["ok"] * 20
    item.refresh_from_db()
    assert item.current_quantity == D("50")
    assert ledger_sum(item) == D("50")
    usages = InventoryTransaction.objects.filter(item=item, transaction_type="usage")
    # Every writer saw the previous one's result: the "before" values are 100, 97.5, ..., 52.5.
    assert sorted(usages.values_list("quantity_before", flat=True)) == [D("52.5") + D("2.5") * i for i in range(20)]
    assert services.stock_verify() == []


def test_parallel_usages_beyond_stock_stop_at_zero(store):
    item = InventoryItemFactory(store=store, min_quantity=D("2"), max_quantity=D("20"))
    services.stock_record_purchase(item=item, quantity=10)

    def use(_index):
        services.stock_record_usage(item=InventoryItem.objects.get(pk=item.pk), quantity=1)

    results = run_in_threads(20, use)
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert results.count("ok") == 10 and len(refused) == 10, results
    assert all(r.as_dict()["on_hand"] == "0.000" for r in refused)
    item.refresh_from_db()
    assert (item.current_quantity, item.status) == (D("0"), InventoryItem.Status.OUT_OF_STOCK)
    assert ledger_sum(item) == D("0")
    assert InventoryTransaction.objects.filter(item=item, quantity_after__lt=0).count() == 0


def test_opposite_transfers_do_not_deadlock(store, other_store):
    a = InventoryItemFactory(store=store, name="Tofu")
    b = InventoryItemFactory(store=other_store, name="Tofu")
    services.stock_record_purchase(item=a, quantity=50)
    services.stock_record_purchase(item=b, quantity=50)

    def transfer(index):
        if index % 2:
            services.stock_transfer(item=InventoryItem.objects.get(pk=a.pk), to_store=other_store, quantity=1)
        else:
            services.stock_transfer(item=InventoryItem.objects.get(pk=b.pk), to_store=store, quantity=2)

    results = run_in_threads(12, transfer)
    assert results == ["ok"] * 12
    a.refresh_from_db()
    b.refresh_from_db()
    # Six transfers each way: a gives 6 and receives 12.
    assert (a.current_quantity, b.current_quantity) == (D("56"), D("44"))
    assert services.stock_verify() == []
