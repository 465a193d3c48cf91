"""Inventory services: adjustments (counts) and transfers between stores."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.helpers import ledger_sum
from zhilian.errors import DomainError, InsufficientStock, InvalidInput

D = Decimal
Type = InventoryTransaction.Type

# --- adjustment ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counted", "difference"),
    [("14.5", D("4.5")), ("3", D("-7")), ("0", D("-10")), ("10", D("0"))],
)
def test_adjustment_writes_the_difference_to_the_counted_quantity(make_item, manager, counted, difference):
    item = make_item(10)
    row = services.stock_record_adjustment(item=item, counted_quantity=counted, user=manager, notes="monthly count")
    item.refresh_from_db()
    assert item.current_quantity == D(counted)
    assert (row.transaction_type, row.quantity, row.quantity_before, row.quantity_after) == (
        Type.ADJUSTMENT,
        difference,
        D("10"),
        D(counted),
    )
    assert row.total_cost_cents == abs(difference) * 12_00
    assert ledger_sum(item) == D(counted)


def test_adjustment_is_computed_from_the_locked_row_not_the_callers_copy(make_item):
    item = make_item(10)
    stale = InventoryItem.objects.get(pk=item.pk)
    services.stock_record_usage(item=item, quantity=3)  # stale still says 10
    row = services.stock_record_adjustment(item=stale, counted_quantity=5)
    assert (row.quantity_before, row.quantity) == (D("7"), D("-2"))
    assert ledger_sum(item) == D("5")


def test_adjustment_refuses_a_negative_count(make_item):
    item = make_item(10)
    with pytest.raises(InvalidInput) as exc:
        services.stock_record_adjustment(item=item, counted_quantity="-1")
    assert "counted_quantity" in exc.value.errors


# --- transfer ------------------------------------------------------------------------------------


def test_transfer_writes_two_linked_rows_atomically(make_item, other_store, manager):
    source = make_item(10, name="Tofu", unit_cost_cents=3_00)
    target = make_item(2, store_=other_store, name="Tofu", unit_cost_cents=3_50)
    outgoing, incoming = services.stock_transfer(item=source, to_store=other_store, quantity=4, user=manager)
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.current_quantity, target.current_quantity) == (D("6"), D("6"))
    assert (outgoing.store_id, outgoing.item_id, outgoing.quantity) == (source.store_id, source.pk, D("-4"))
    assert (incoming.store_id, incoming.item_id, incoming.quantity) == (other_store.pk, target.pk, D("4"))
    assert outgoing.counterpart_id == incoming.pk and incoming.counterpart_id == outgoing.pk
    assert outgoing.transaction_type == incoming.transaction_type == Type.TRANSFER
    assert outgoing.transaction_time == incoming.transaction_time
    # Goods travel at the sending store's cost.
    assert outgoing.total_cost_cents == incoming.total_cost_cents == 12_00
    assert (incoming.quantity_before, incoming.quantity_after) == (D("2"), D("6"))
    assert services.stock_verify() == []


def test_transfer_beyond_stock_writes_nothing_in_either_store(make_item, other_store):
    source = make_item(3, name="Tofu")
    target = make_item(1, store_=other_store, name="Tofu")
    rows = InventoryTransaction.objects.count()
    with pytest.raises(InsufficientStock):
        services.stock_transfer(item=source, to_store=other_store, quantity=5)
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.current_quantity, target.current_quantity) == (D("3"), D("1"))
    assert InventoryTransaction.objects.count() == rows


def test_transfer_rolls_back_the_outgoing_row_when_the_incoming_fails(make_item, other_store):
    source = make_item(10, name="Tofu")
    target = make_item(D("999999999"), store_=other_store, name="Tofu")
    rows = InventoryTransaction.objects.count()
    with pytest.raises(InvalidInput):  # the incoming side would overflow
        services.stock_transfer(item=source, to_store=other_store, quantity=5)
    source.refresh_from_db()
    assert source.current_quantity == D("10")
    assert InventoryTransaction.objects.count() == rows
    assert target.current_quantity == D("999999999")


def test_transfer_needs_a_same_named_item_in_the_target_store(make_item, other_store):
    source = make_item(10, name="Tofu")
    make_item(0, store_=other_store, name="Silken tofu")
    with pytest.raises(DomainError) as exc:
        services.stock_transfer(item=source, to_store=other_store, quantity=1)
    assert exc.value.code == "transfer_target_missing" and exc.value.status_code == 409
    assert ledger_sum(source) == D("10")


def test_transfer_to_the_same_store_is_invalid(make_item, store):
    source = make_item(10)
    with pytest.raises(InvalidInput) as exc:
        services.stock_transfer(item=source, to_store=store, quantity=1)
    assert "to_store" in exc.value.errors
