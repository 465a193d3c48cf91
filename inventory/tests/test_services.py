import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from notifications.models import Notification
from zhilian.errors import DomainError, InsufficientStock, InvalidInput
from zhilian.testing.queries import count_queries

D = Decimal
Type = InventoryTransaction.Type
Status = InventoryItem.Status


def ledger_sum(item) -> Decimal:
    return InventoryTransaction.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"] or D("0")


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


# --- status thresholds and alerts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "status"),
    [
        ("11", Status.NORMAL),
        ("10.001", Status.NORMAL),
        ("10", Status.LOW),  # at the reorder point
        ("5.001", Status.LOW),
        ("5", Status.CRITICAL),  # at half of it
        ("0.001", Status.CRITICAL),
        ("0", Status.OUT_OF_STOCK),
    ],
)
def test_status_thresholds_through_the_ledger(make_item, quantity, status):
    item = make_item(20, min_quantity=D("10"), max_quantity=D("40"))
    services.stock_record_adjustment(item=item, counted_quantity=quantity)
    item.refresh_from_db()
    assert item.status == status


def low_stock_events(published):
    return [e for e in published if e["type"] == "inventory.low_stock"]


def test_low_stock_alert_only_when_the_status_gets_worse(make_item, manager, other_manager, staff, published):
    item = make_item(20, min_quantity=D("10"), name="Pork belly")
    assert low_stock_events(published) == []  # purchase into normal: no alert

    services.stock_record_usage(item=item, quantity=10)  # 10: normal -> low
    events = low_stock_events(published)
    assert len(events) == 1
    assert events[0]["store"] == item.store_id
    assert events[0]["data"]["status"] == "low" and events[0]["data"]["previous_status"] == "normal"
    assert events[0]["data"]["item"] == item.pk and events[0]["data"]["current_quantity"] == "10.000"
    notes = list(Notification.objects.filter(kind="low_stock"))
    assert [(n.recipient, n.level, n.store_id) for n in notes] == [(manager, "warning", item.store_id)]
    assert "Pork belly" in notes[0].title and "10 kg" in notes[0].body

    services.stock_record_usage(item=item, quantity=1)  # 9: still low, no new alert
    assert len(low_stock_events(published)) == 1

    services.stock_record_usage(item=item, quantity=4)  # 5: low -> critical
    assert [e["data"]["status"] for e in low_stock_events(published)] == ["low", "critical"]
    assert Notification.objects.filter(kind="low_stock", level="critical", recipient=manager).count() == 1

    services.stock_record_purchase(item=item, quantity=20)  # back to normal: no alert
    assert len(low_stock_events(published)) == 2

    services.stock_record_usage(item=item, quantity=25)  # 0: normal -> out of stock
    assert [e["data"]["status"] for e in low_stock_events(published)] == ["low", "critical", "out_of_stock"]
    # Only the item's store managers hear about it, never staff or another store's manager.
    assert set(Notification.objects.values_list("recipient", flat=True)) == {manager.pk}
    assert Notification.objects.filter(recipient__in=[other_manager, staff]).count() == 0


def test_refused_write_sends_no_alert(make_item, manager, published):
    item = make_item(11, min_quantity=D("10"))
    with pytest.raises(InsufficientStock):
        services.stock_record_usage(item=item, quantity=12)
    assert low_stock_events(published) == []
    assert not Notification.objects.exists()


def test_raising_the_reorder_point_recomputes_status_and_alerts(make_item, manager, published):
    item = make_item(8, min_quantity=D("5"), max_quantity=D("20"))
    assert item.status == Status.NORMAL
    services.inventory_item_update(item=item, changes={"min_quantity": D("8")})
    item.refresh_from_db()
    assert item.status == Status.LOW
    assert [e["data"]["status"] for e in low_stock_events(published)] == ["low"]


def test_item_update_never_writes_back_a_stale_quantity(make_item):
    item = make_item(10)
    stale = InventoryItem.objects.get(pk=item.pk)
    services.stock_record_usage(item=item, quantity=4)
    services.inventory_item_update(item=stale, changes={"name": "Renamed", "supplier_name": "New Co."})
    item.refresh_from_db()
    assert (item.name, item.current_quantity) == ("Renamed", D("6"))
    assert stale.current_quantity == D("6")


def test_item_update_refuses_stock_fields(make_item):
    item = make_item(10)
    with pytest.raises(InvalidInput) as exc:
        services.inventory_item_update(item=item, changes={"current_quantity": D("99")})
    assert "current_quantity" in exc.value.errors


def test_item_create_with_opening_stock_writes_an_adjustment(store, manager):
    item = services.inventory_item_create(
        store=store,
        id="INV900",
        name="Rice",
        unit="kg",
        initial_quantity="40",
        user=manager,
        min_quantity=D("10"),
        max_quantity=D("60"),
        unit_cost_cents=6_00,
        category="dry_goods",
    )
    item.refresh_from_db()
    assert (item.current_quantity, item.status) == (D("40"), Status.NORMAL)
    row = InventoryTransaction.objects.get(item=item)
    assert (row.transaction_type, row.quantity, row.notes) == (Type.ADJUSTMENT, D("40"), "Opening stock")
    empty = services.inventory_item_create(store=store, id="INV901", name="Salt", unit="kg")
    assert (empty.current_quantity, empty.status) == (0, Status.OUT_OF_STOCK)
    assert not InventoryTransaction.objects.filter(item=empty).exists()


def test_refresh_status_fixes_a_stale_status(make_item, manager):
    item = make_item(3, min_quantity=D("10"))
    InventoryItem.objects.filter(pk=item.pk).update(status=Status.NORMAL)
    assert services.inventory_item_refresh_status(items=[item]) == 1
    item.refresh_from_db()
    assert item.status == Status.CRITICAL
    assert services.inventory_item_refresh_status(items=[item]) == 0


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
        {"transaction_type": Type.USAGE, "quantity": D("1"), "quantity_before": D("0"), "quantity_after": D("1")},
        {"transaction_type": Type.PURCHASE, "quantity": D("-1"), "quantity_before": D("1")},
        {"total_cost_cents": -1},
    ],
    ids=["negative_after", "waste_without_reason", "after_mismatch", "usage_positive", "purchase_negative", "cost"],
)
def test_database_rejects_an_invalid_ledger_row(make_item, kwargs):
    item = make_item(0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_row(item, **kwargs).save()


def test_database_rejects_a_negative_stock(make_item):
    item = make_item(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryItem.objects.filter(pk=item.pk).update(current_quantity=D("-1"))


# --- query budget ---------------------------------------------------------------------------------


def test_a_usage_costs_a_fixed_handful_of_queries(make_item):
    item = make_item(100)
    # lock + update + ledger insert + audit entry (+ savepoint pair from the nested atomic in the
    # test transaction)
    first, _ = count_queries(lambda: services.stock_record_usage(item=item, quantity=1))
    second, _ = count_queries(lambda: services.stock_record_usage(item=item, quantity=1))
    assert first == second <= 6
