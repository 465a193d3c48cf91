"""The audit trail of stock: every ledger write names who made it, what it was and how the stock moved."""

from decimal import Decimal

import pytest

from inventory import services
from zhilian.audit import audit_entries
from zhilian.errors import DomainError

pytestmark = pytest.mark.django_db


def entries(item):
    return list(audit_entries(item).order_by("pk"))


def test_each_ledger_write_records_the_actor_the_event_and_the_stock_it_moved(make_item, manager, staff):
    item = make_item(0, name="Rice", unit="kg", min_quantity=Decimal("5"), unit_cost_cents=300)
    services.stock_record_purchase(item=item, quantity="20", unit_cost_cents=350, user=manager, reference_id="PO-1")
    services.stock_record_usage(item=item, quantity="3.5", user=staff)
    services.stock_record_waste(item=item, quantity="0.5", reason="expired", user=staff)
    services.stock_record_adjustment(item=item, counted_quantity="15", user=manager)

    rows = [(e.actor, e.additional_data["event"], e.changes["current_quantity"]) for e in entries(item)]
    assert rows == [
        (manager, "stock.receive", ["0.000", "20.000"]),
        (staff, "stock.use", ["20.000", "16.500"]),
        (staff, "stock.waste", ["16.500", "16.000"]),
        (manager, "stock.adjust", ["16.000", "15.000"]),
    ]
    receipt, _use, waste, _count = entries(item)
    assert receipt.additional_data["reference_id"] == "PO-1"
    assert receipt.additional_data["unit_cost_cents"] == 350
    assert receipt.additional_data["transaction"] == str(item.transactions.get(transaction_type="purchase").pk)
    assert waste.additional_data["reason"] == "expired"
    assert waste.additional_data["quantity"] == "-0.500"


def test_a_transfer_is_recorded_on_both_items(make_item, other_store, manager):
    source = make_item(10, name="Rice")
    target = make_item(0, name="Rice", store_=other_store)
    services.stock_transfer(item=source, to_store=other_store, quantity="4", user=manager)
    (out,) = [e for e in entries(source) if e.additional_data["event"] == "stock.transfer"]
    (into,) = [e for e in entries(target) if e.additional_data["event"] == "stock.transfer"]
    assert (out.actor, out.changes) == (manager, {"current_quantity": ["10.000", "6.000"]})
    assert (into.actor, into.changes) == (manager, {"current_quantity": ["0.000", "4.000"]})


def test_an_item_edit_records_only_the_fields_that_changed(make_item, manager):
    item = make_item(0, name="Rice", supplier_name="Old Mill")
    services.inventory_item_update(item=item, changes={"supplier_name": "New Mill", "name": "Rice"}, user=manager)
    (edit,) = [e for e in entries(item) if e.additional_data["event"] == "inventory_item.update"]
    assert (edit.actor, edit.changes) == (manager, {"supplier_name": ["Old Mill", "New Mill"]})


@pytest.mark.parametrize(
    "refused",
    [
        lambda item, user: services.stock_record_usage(item=item, quantity="11", user=user),
        lambda item, user: services.stock_record_waste(item=item, quantity="1", reason="dropped", user=user),
        lambda item, user: services.stock_transfer(item=item, to_store=item.store, quantity="1", user=user),
    ],
    ids=["more than on hand", "unknown waste reason", "transfer to its own store"],
)
def test_a_refused_change_writes_no_entry(make_item, staff, refused):
    item = make_item(10)
    before = len(entries(item))
    with pytest.raises(DomainError):
        refused(item, staff)
    assert len(entries(item)) == before
