"""Inventory services: ledger integrity, its database constraints and the query budget."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from inventory.tests.helpers import ledger_sum
from zhilian.testing.queries import count_queries

D = Decimal
Type = InventoryTransaction.Type

# --- ledger integrity ----------------------------------------------------------------------------


def test_ledger_sums_to_every_quantity_after_a_busy_day(make_item, other_store):
    a = make_item(0, name="Beef")
    b = make_item(0, store_=other_store, name="Beef")
    services.stock_record_purchase(item=a, quantity="30.125")
    services.stock_record_usage(item=a, quantity="7.5")
    services.stock_record_waste(item=a, quantity="0.125", reason="expired")
    services.stock_transfer(item=a, to_store=other_store, quantity="2.5")
    services.stock_record_adjustment(item=b, counted_quantity="2.4")
    services.stock_record_usage(item=b, quantity="0.4")
    for item in (a, b):
        item.refresh_from_db()
        assert ledger_sum(item) == item.current_quantity
    assert (a.current_quantity, b.current_quantity) == (D("20"), D("2"))
    # Each row chains on the previous one.
    rows = list(InventoryTransaction.objects.filter(item=a).order_by("created_at", "transaction_time"))
    for prev, row in zip(rows, rows[1:]):
        assert row.quantity_before == prev.quantity_after
    assert services.stock_verify() == []


def test_verify_finds_a_corrupted_quantity(make_item, other_store):
    good = make_item(5)
    bad = make_item(5, name="Eggs")
    theirs = make_item(2, store_=other_store)
    InventoryItem.objects.filter(pk=bad.pk).update(current_quantity=D("7.5"))
    InventoryItem.objects.filter(pk=theirs.pk).update(current_quantity=D("1"))
    mismatches = services.stock_verify(store=good.store)
    assert mismatches == [
        {
            "item": bad.pk,
            "store": bad.store_id,
            "name": "Eggs",
            "current_quantity": D("7.500"),
            "ledger_quantity": D("5.000"),
            "difference": D("2.500"),
        }
    ]
    assert {m["item"] for m in services.stock_verify()} == {bad.pk, theirs.pk}


def test_verify_counts_an_item_without_ledger_as_zero(store):
    InventoryItemFactory(store=store, current_quantity=D("3"))
    assert [m["ledger_quantity"] for m in services.stock_verify()] == [D("0")]


def test_verify_is_one_query(make_item):
    for _ in range(5):
        make_item(3)
    queries, result = count_queries(lambda: services.stock_verify())
    assert result == [] and queries == 1


def test_check_inventory_command(make_item, other_store, capsys):
    item = make_item(5, name="Scallions")
    make_item(1, store_=other_store)
    call_command("check_inventory")
    assert "consistent" in capsys.readouterr().out

    InventoryItem.objects.filter(pk=item.pk).update(current_quantity=D("4"))
    with pytest.raises(CommandError) as exc:
        call_command("check_inventory")
    assert exc.value.returncode == 1
    out = capsys.readouterr().out
    assert item.pk in out and "Scallions" in out and "ledger 5.000" in out

    # The other store alone is still consistent.
    call_command("check_inventory", "--store", other_store.pk)
    with pytest.raises(CommandError) as exc:
        call_command("check_inventory", "--store", item.store_id)
    assert exc.value.returncode == 1
    with pytest.raises(CommandError) as exc:
        call_command("check_inventory", "--store", "NOPE")
    assert exc.value.returncode == 2


# --- database constraints ------------------------------------------------------------------------


def ledger_row(item, **kwargs):
    values = {
        "item": item,
        "store": item.store,
        "transaction_type": Type.ADJUSTMENT,
        "quantity": D("0"),
        "quantity_before": D("0"),
        "quantity_after": D("0"),
    }
    return InventoryTransaction(**{**values, **kwargs})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quantity": D("-1"), "quantity_before": D("0"), "quantity_after": D("-1")},  # negative after
        {"transaction_type": Type.WASTE, "quantity": D("-1"), "quantity_before": D("1"), "waste_reason": ""},
        {"quantity": D("1"), "quantity_before": D("1"), "quantity_after": D("5")},  # after != before + quantity
        {"transaction_type": Type.USAGE, "quantity": D("0"), "quantity_before": D("1"), "quantity_after": D("1")},
        {"transaction_type": Type.PURCHASE, "quantity": D("-1"), "quantity_before": D("1")},
        {"total_cost_cents": -1},
    ],
    ids=["negative_after", "waste_without_reason", "after_mismatch", "usage_zero", "purchase_negative", "cost"],
)
def test_database_rejects_an_invalid_ledger_row(make_item, kwargs):
    item = make_item(0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_row(item, **kwargs).save()


def test_only_sales_usage_takes_stock_below_zero_in_the_database(make_item):
    """A store may allow negative stock through sales (menu.services); nothing else goes below zero."""
    item = make_item(0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_row(
            item, transaction_type=Type.WASTE, waste_reason="spoiled", quantity=D("-1"), quantity_after=D("-1")
        ).save()
    with transaction.atomic():
        ledger_row(item, transaction_type=Type.USAGE, quantity=D("-1"), quantity_after=D("-1")).save()
    # A counter-entry or a delivery may start below zero.
    ledger_row(
        item, transaction_type=Type.USAGE, quantity=D("1"), quantity_before=D("-1"), quantity_after=D("0")
    ).save()
    ledger_row(
        item, transaction_type=Type.PURCHASE, quantity=D("1"), quantity_before=D("-2"), quantity_after=D("-1")
    ).save()


# --- query budget ---------------------------------------------------------------------------------


def test_a_usage_costs_a_fixed_handful_of_queries(make_item):
    item = make_item(100)
    # lock + update + ledger insert + audit entry (+ savepoint pair from the nested atomic in the
    # test transaction)
    first, _ = count_queries(lambda: services.stock_record_usage(item=item, quantity=1))
    second, _ = count_queries(lambda: services.stock_record_usage(item=item, quantity=1))
    assert first == second <= 6
