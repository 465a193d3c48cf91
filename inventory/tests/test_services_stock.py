"""Inventory services: purchase, usage and waste."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from inventory.tests.helpers import ledger_sum
from zhilian.errors import InsufficientStock, InvalidInput

D = Decimal
Type = InventoryTransaction.Type
Status = InventoryItem.Status

# --- purchase / usage / waste --------------------------------------------------------------------


def test_purchase_adds_stock_logs_the_row_and_sets_the_unit_cost(store, manager):
    item = InventoryItemFactory(store=store, unit_cost_cents=12_00, min_quantity=D("10"))
    row = services.stock_record_purchase(
        item=item, quantity=D("25.5"), unit_cost_cents=13_50, user=manager, reference_id="PO-1", notes="weekly"
    )
    item.refresh_from_db()
    assert item.current_quantity == D("25.500")
    assert item.status == Status.NORMAL
    assert item.unit_cost_cents == 13_50  # the latest purchase price becomes the item's cost
    assert (row.transaction_type, row.quantity, row.quantity_before, row.quantity_after) == (
        Type.PURCHASE,
        D("25.5"),
        D("0"),
        D("25.5"),
    )
    assert row.unit_cost_cents == 13_50
    assert row.total_cost_cents == 344_25  # 25.5 x 13.50
    assert (row.store_id, row.performed_by, row.reference_id, row.notes) == (store.pk, manager, "PO-1", "weekly")


def test_purchase_without_cost_uses_the_items_cost_and_keeps_it(make_item):
    item = make_item(unit_cost_cents=8_00)
    row = services.stock_record_purchase(item=item, quantity=3)
    item.refresh_from_db()
    assert (row.unit_cost_cents, row.total_cost_cents, item.unit_cost_cents) == (8_00, 24_00, 8_00)


def test_usage_takes_stock_out_with_a_negative_row(make_item, staff):
    item = make_item(20)
    row = services.stock_record_usage(item=item, quantity="7.25", user=staff, reference_id="ORDER-1")
    assert (row.quantity, row.quantity_before, row.quantity_after) == (D("-7.25"), D("20"), D("12.75"))
    assert row.total_cost_cents == 87_00  # 7.25 x 12.00
    # The caller's instance follows the write.
    assert item.current_quantity == D("12.750")
    item.refresh_from_db()
    assert item.current_quantity == D("12.750")


def test_usage_beyond_stock_is_refused_and_writes_nothing(make_item, published):
    item = make_item(D("4.5"))
    rows_before = InventoryTransaction.objects.count()
    with pytest.raises(InsufficientStock) as exc:
        services.stock_record_usage(item=item, quantity=5)
    error = exc.value
    assert error.status_code == 409 and error.code == "insufficient_stock"
    assert "4.5 kg" in error.message
    assert error.as_dict()["on_hand"] == "4.500" and error.as_dict()["requested"] == "5.000"
    item.refresh_from_db()
    assert item.current_quantity == D("4.5")
    assert InventoryTransaction.objects.count() == rows_before
    assert not [e for e in published if e["type"] == "inventory.low_stock"]


def test_usage_of_exactly_the_stock_leaves_zero_and_out_of_stock(make_item):
    item = make_item(3)
    services.stock_record_usage(item=item, quantity=3)
    item.refresh_from_db()
    assert item.current_quantity == 0 and item.status == Status.OUT_OF_STOCK


def test_waste_needs_a_known_reason(make_item):
    item = make_item(10)
    for reason in ("", "stolen"):
        with pytest.raises(InvalidInput) as exc:
            services.stock_record_waste(item=item, quantity=1, reason=reason)
        assert "waste_reason" in exc.value.errors
    assert ledger_sum(item) == D("10")


def test_waste_logs_reason_and_rounded_cost(make_item):
    item = make_item(10, unit_cost_cents=1250)
    row = services.stock_record_waste(item=item, quantity=D("0.333"), reason="spoiled", notes="fridge")
    assert row.waste_reason == "spoiled"
    assert row.quantity == D("-0.333")
    assert row.total_cost_cents == 416  # 0.333 x 1250 = 416.25 -> 416


def test_cost_rounds_half_up():
    assert services.line_cost_cents(D("0.5"), 101) == 51
    assert services.line_cost_cents(D("-0.5"), 101) == 51
    assert services.line_cost_cents(D("0.001"), 1) == 0


@pytest.mark.parametrize(
    "value",
    [0, -1, "0", "-0.001", "abc", None, "NaN", "Infinity", "1.0001", "1000000000", "1e30", "x"],
)
def test_bad_quantities_are_invalid_input(make_item, value):
    item = make_item(5)
    with pytest.raises(InvalidInput):
        services.stock_record_usage(item=item, quantity=value)
    with pytest.raises(InvalidInput):
        services.stock_record_purchase(item=item, quantity=value)
    assert ledger_sum(item) == D("5")


def test_purchase_cannot_overflow_the_quantity_column(make_item):
    item = make_item(D("999999999"))
    with pytest.raises(InvalidInput):
        services.stock_record_purchase(item=item, quantity=1)
    with pytest.raises(InvalidInput):
        services.stock_record_purchase(item=item, quantity=1, unit_cost_cents=-5)
