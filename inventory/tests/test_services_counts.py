"""Stock counts (盘点): opening a sheet, recording counted quantities, closing into the ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from inventory import services
from inventory.models import InventoryTransaction, StockCount
from inventory.tests.factories import InventoryItemFactory, StockCountFactory
from inventory.tests.helpers import ledger_sum, stocked
from zhilian.errors import DomainError, InvalidInput, Locked

D = Decimal


@pytest.fixture
def sheet(store, manager):
    """Two stocked items, one inactive item, and an open count of the store."""
    beef = stocked(store, 10, name="Beef", unit_cost_cents=80_00)
    rice = stocked(store, 25, name="Rice", unit_cost_cents=6_00)
    InventoryItemFactory(store=store, name="Old sauce", is_active=False)
    count = services.stock_count_open(store=store, user=manager, count_date=dt.date(2026, 3, 31))
    return count, beef, rice


def test_open_lists_every_active_item_with_its_book_quantity_and_cost(sheet, manager):
    count, beef, rice = sheet
    lines = {line.item_id: line for line in count.lines.all()}
    assert set(lines) == {beef.pk, rice.pk}
    assert (lines[beef.pk].expected_quantity, lines[beef.pk].unit_cost_cents) == (D("10"), 80_00)
    assert (lines[rice.pk].expected_quantity, lines[rice.pk].counted_quantity) == (D("25"), None)
    assert (count.status, count.opened_by, count.count_date) == ("open", manager, dt.date(2026, 3, 31))


def test_a_second_open_count_of_the_store_is_refused(sheet, store, manager):
    with pytest.raises(DomainError) as refused:
        services.stock_count_open(store=store, user=manager)
    assert refused.value.code == "count_open"
    assert StockCount.objects.filter(store=store).count() == 1


def test_the_database_allows_one_open_count_per_store(sheet, store):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockCount.objects.create(store=store, count_date=dt.date(2026, 4, 1))


def test_record_sets_many_lines_at_once(sheet, staff):
    count, beef, rice = sheet
    services.stock_count_record(
        count=count,
        quantities=[{"item": beef.pk, "counted_quantity": "9.500"}, {"item": rice.pk, "counted_quantity": 0}],
        user=staff,
    )
    counted = dict(count.lines.values_list("item_id", "counted_quantity"))
    assert counted == {beef.pk: D("9.5"), rice.pk: D("0")}
    # null clears a line again
    services.stock_count_record(count=count, quantities=[{"item": rice.pk, "counted_quantity": None}], user=staff)
    assert count.lines.get(item=rice).counted_quantity is None


def test_record_refuses_the_whole_batch_with_errors_by_line(sheet, staff, other_store):
    count, beef, rice = sheet
    elsewhere = InventoryItemFactory(store=other_store)
    with pytest.raises(InvalidInput) as refused:
        services.stock_count_record(
            count=count,
            quantities=[
                {"item": beef.pk, "counted_quantity": "3"},
                {"item": rice.pk, "counted_quantity": "-1"},
                {"item": rice.pk, "counted_quantity": "1.2345"},
                {"item": elsewhere.pk, "counted_quantity": "1"},
                {"counted_quantity": "1"},
            ],
            user=staff,
        )
    lines = refused.value.errors["lines"]
    assert lines[0] == {}
    assert lines[1] == {"counted_quantity": ["Must be zero or more."]}
    assert lines[2] == {
        "item": ["This item is listed twice."],
        "counted_quantity": ["Use at most three decimal places."],
    }
    assert lines[3] == {"item": ["This item is not on the count sheet."]}
    assert lines[4] == {"item": ["Name the item."]}
    # all or nothing: the valid first entry was not kept either
    assert count.lines.get(item=beef).counted_quantity is None


def test_close_refuses_while_lines_are_uncounted_naming_how_many(sheet, manager):
    count, beef, _rice = sheet
    services.stock_count_record(count=count, quantities=[{"item": beef.pk, "counted_quantity": "9"}], user=manager)
    with pytest.raises(DomainError) as refused:
        services.stock_count_close(count=count, user=manager)
    assert refused.value.code == "count_incomplete"
    assert refused.value.as_dict()["uncounted"] == 1
    assert "1 line is not counted" in str(refused.value)
    assert not InventoryTransaction.objects.filter(transaction_type="adjustment").exists()


def test_close_writes_the_differences_to_the_current_book_quantity(sheet, manager, staff, published):
    count, beef, rice = sheet
    services.stock_count_record(
        count=count,
        quantities=[{"item": beef.pk, "counted_quantity": "7.250"}, {"item": rice.pk, "counted_quantity": "25"}],
        user=staff,
    )
    # Sales go on while counting: 2 kg of beef leave after the sheet was opened.
    services.stock_record_usage(item=beef, quantity=2)
    services.stock_count_close(count=count, user=manager)

    rows = list(InventoryTransaction.objects.filter(transaction_type="adjustment"))
    assert len(rows) == 1  # rice was counted equal to its book quantity: no row
    row = rows[0]
    assert (row.item_id, row.quantity, row.quantity_before, row.quantity_after) == (
        beef.pk,
        D("-0.750"),
        D("8"),
        D("7.250"),
    )
    assert (row.reference_id, row.performed_by, row.total_cost_cents) == (f"COUNT-{count.pk}", manager, 60_00)
    beef.refresh_from_db()
    assert beef.current_quantity == ledger_sum(beef) == D("7.25")
    count.refresh_from_db()
    assert (count.status, count.closed_by) == ("closed", manager) and count.closed_at is not None
    closed = [e for e in published if e["type"] == "stock.count_closed"]
    assert len(closed) == 1
    assert closed[0]["store"] == count.store_id
    assert closed[0]["data"]["count"] == count.pk and closed[0]["data"]["adjustments"] == 1
    assert closed[0]["data"]["adjustment_cost_cents"] == -60_00


def test_a_closed_count_is_read_only(sheet, manager):
    count, beef, rice = sheet
    services.stock_count_record(
        count=count,
        quantities=[{"item": beef.pk, "counted_quantity": "10"}, {"item": rice.pk, "counted_quantity": "25"}],
        user=manager,
    )
    services.stock_count_close(count=count, user=manager)
    with pytest.raises(Locked):
        services.stock_count_record(count=count, quantities=[{"item": beef.pk, "counted_quantity": "1"}], user=manager)
    with pytest.raises(Locked):
        services.stock_count_close(count=count, user=manager)
    with pytest.raises(Locked):
        services.stock_count_update(count=count, notes="late", user=manager)
    assert count.lines.get(item=beef).counted_quantity == D("10")
    # ...and a new count may be opened once it is closed
    assert services.stock_count_open(store=count.store, user=manager).status == "open"


def test_the_event_goes_out_only_after_commit(sheet, manager, sent, django_capture_on_commit_callbacks):
    count, beef, rice = sheet
    services.stock_count_record(
        count=count,
        quantities=[{"item": beef.pk, "counted_quantity": "1"}, {"item": rice.pk, "counted_quantity": "2"}],
        user=manager,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.stock_count_close(count=count, user=manager)
    assert not [e for _g, e in sent if e["type"] == "stock.count_closed"]
    for callback in callbacks:
        callback()
    assert [e["data"]["count"] for _g, e in sent if e["type"] == "stock.count_closed"] == [count.pk]


def test_a_close_that_fails_announces_nothing(store, manager, sent, django_capture_on_commit_callbacks):
    beef = stocked(store, 10, name="Beef")
    count = services.stock_count_open(store=store, user=manager)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.stock_count_close(count=count, user=manager)
    assert beef.count_lines.get().counted_quantity is None
    assert not [e for _g, e in sent if e["type"] == "stock.count_closed"]


def test_factory_counts_are_closed(store):
    assert StockCountFactory(store=store).status == "closed"
