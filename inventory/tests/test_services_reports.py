"""Inventory services: reorder suggestions and waste analysis."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import InventoryItem
from zhilian.errors import InvalidInput

D = Decimal

# --- reports -------------------------------------------------------------------------------------


def test_reorder_suggestions_bring_items_to_par_grouped_by_supplier(make_item, other_store):
    # Fresh Farm: two items at/below the reorder point.
    make_item(4, name="Bok choy", min_quantity=D("10"), max_quantity=D("30"), unit_cost_cents=5_50)  # 26 -> 143.00
    make_item(
        D("10"), name="Scallions", min_quantity=D("10"), max_quantity=D("12.5"), unit_cost_cents=3_33
    )  # 2.5 -> 8.325 -> 8.33
    make_item(11, name="Cabbage", min_quantity=D("10"), max_quantity=D("30"))  # above: not suggested
    # Sea Co.: out of stock.
    make_item(
        0, name="Shrimp", min_quantity=D("5"), max_quantity=D("20"), unit_cost_cents=80_00, supplier_name="Sea Co."
    )
    # No supplier; inactive; and another store: the last two never appear.
    make_item(1, name="Napkins", min_quantity=D("5"), max_quantity=D("6"), unit_cost_cents=1_00, supplier_name="")
    make_item(0, name="Old item", min_quantity=D("5"), max_quantity=D("6"), is_active=False)
    make_item(0, store_=other_store, name="Elsewhere", min_quantity=D("5"), max_quantity=D("6"))

    store = InventoryItem.objects.get(name="Bok choy").store
    groups = services.stock_reorder_suggestions(store=store)
    assert [g["supplier_name"] for g in groups] == ["Fresh Farm Co.", "Sea Co.", ""]
    farm, sea, none = groups
    assert [(i["name"], i["quantity"], i["cost_cents"]) for i in farm["items"]] == [
        ("Bok choy", D("26.000"), 143_00),
        ("Scallions", D("2.500"), 8_33),
    ]
    assert (farm["item_count"], farm["total_cost_cents"]) == (2, 151_33)
    assert [(i["name"], i["quantity"], i["cost_cents"]) for i in sea["items"]] == [("Shrimp", D("20.000"), 1600_00)]
    assert sea["total_cost_cents"] == 1600_00
    assert [(i["name"], i["quantity"], i["cost_cents"]) for i in none["items"]] == [("Napkins", D("5.000"), 5_00)]


def test_waste_analysis_numbers(make_item, store, other_store):
    beef = make_item(20, name="Beef", category="meat", unit_cost_cents=60_00)
    pork = make_item(20, name="Pork", category="meat", unit_cost_cents=30_00)
    lettuce = make_item(20, name="Lettuce", category="vegetable", unit_cost_cents=4_00)
    theirs = make_item(20, store_=other_store, name="Beef", unit_cost_cents=60_00)
    tz = timezone.get_current_timezone()

    def at(day, hour=12):
        return dt.datetime(2026, 11, day, hour, tzinfo=tz)

    services.stock_record_waste(item=beef, quantity="1.5", reason="spoiled", transaction_time=at(10))  # 90.00
    services.stock_record_waste(item=beef, quantity="0.5", reason="expired", transaction_time=at(11))  # 30.00
    services.stock_record_waste(item=pork, quantity="2", reason="spoiled", transaction_time=at(12, 0))  # 60.00
    services.stock_record_waste(item=lettuce, quantity="3", reason="overproduced", transaction_time=at(12, 23))  # 12
    # Outside the range, usage, and another store: not counted.
    services.stock_record_waste(item=beef, quantity="1", reason="spoiled", transaction_time=at(9, 23))
    services.stock_record_waste(item=beef, quantity="1", reason="spoiled", transaction_time=at(13, 0))
    services.stock_record_usage(item=beef, quantity="5", transaction_time=at(11))
    services.stock_record_waste(item=theirs, quantity="4", reason="spoiled", transaction_time=at(11))

    report = services.stock_waste_analysis(store=store, start=dt.date(2026, 11, 10), end=dt.date(2026, 11, 12))
    assert (report["total_cost_cents"], report["count"]) == (192_00, 4)
    assert [(r["name"], r["quantity"], r["cost_cents"], r["count"], r["reasons"]) for r in report["by_item"]] == [
        ("Beef", D("2.000"), 120_00, 2, {"spoiled": D("1.500"), "expired": D("0.500")}),
        ("Pork", D("2.000"), 60_00, 1, {"spoiled": D("2.000")}),
        ("Lettuce", D("3.000"), 12_00, 1, {"overproduced": D("3.000")}),
    ]
    assert [(r["category"], r["quantity"], r["cost_cents"], r["count"]) for r in report["by_category"]] == [
        ("meat", D("4.000"), 180_00, 3),
        ("vegetable", D("3.000"), 12_00, 1),
    ]
    assert [(r["reason"], r["quantity"], r["cost_cents"], r["count"]) for r in report["by_reason"]] == [
        ("spoiled", D("3.500"), 150_00, 2),
        ("expired", D("0.500"), 30_00, 1),
        ("overproduced", D("3.000"), 12_00, 1),
    ]
    empty = services.stock_waste_analysis(store=store, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 2))
    assert (empty["total_cost_cents"], empty["count"], empty["by_item"]) == (0, 0, [])
    with pytest.raises(InvalidInput):
        services.stock_waste_analysis(store=store, start=dt.date(2026, 1, 2), end=dt.date(2026, 1, 1))
