"""Concurrent writers on one item: row locks must serialise them (PostgreSQL only)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from zhilian.errors import InsufficientStock
from zhilian.testing.concurrency import run_in_threads

D = Decimal
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def ledger_sum(item) -> Decimal:
    return InventoryTransaction.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]


def test_parallel_usages_lose_no_update(store):
    item = InventoryItemFactory(store=store, min_quantity=D("10"), max_quantity=D("100"))
    services.stock_record_purchase(item=item, quantity=100)

    def use(_index):
        services.stock_record_usage(item=InventoryItem.objects.get(pk=item.pk), quantity=D("2.5"))

    outcomes = run_in_threads(20, use)
    assert outcomes.failures == []
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

    outcomes = run_in_threads(20, use)
    refused = outcomes.refused(InsufficientStock)
    assert outcomes.unexpected(InsufficientStock) == []
    assert len(outcomes.ok) == 10 and len(refused) == 10, outcomes.results
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

    assert run_in_threads(12, transfer).failures == []
    a.refresh_from_db()
    b.refresh_from_db()
    # Six transfers each way: a gives 6 and receives 12.
    assert (a.current_quantity, b.current_quantity) == (D("56"), D("44"))
    assert services.stock_verify() == []
