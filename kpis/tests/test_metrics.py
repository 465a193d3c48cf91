"""Every metric equals the value worked out by hand from a small data set."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import InventoryItem
from inventory.tests.factories import InventoryItemFactory
from kpis import compute, services
from kpis.models import KPIRecord
from kpis.tests.helpers import ledger, local, order
from orders.models import Order
from reservations.models import Reservation
from reservations.tests.factories import ReservationFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from waitlist.models import WaitlistTicket
from waitlist.tests.factories import WaitlistTicketFactory

DAY = dt.date(2026, 11, 20)  # a Friday; the store is open 10:00-22:00 (12 h) with 80 seats
D = Decimal


@pytest.fixture
def day_data(store, other_store):
    t1, t2 = TableFactory(store=store, number="T1"), TableFactory(store=store, number="T2")
    TableFactory(store=store, number="T3")
    TableFactory(store=store, number="T4", is_active=False)
    st = Order.Status
    # Counted: 100.00 + 250.50 + 49.50 + 100.00 + 50.00 = 550.00 over 5 orders.
    order(
        store, local(DAY, 12), 100_00, table=t1, status=st.COMPLETED, guest_count=2,
        confirmed_at=local(DAY, 12), ready_at=local(DAY, 12, 10),
    )  # fmt: skip
    order(
        store, local(DAY, 12, 5), 250_50, table=t2, status=st.SERVED, guest_count=4,
        confirmed_at=local(DAY, 12, 5), ready_at=local(DAY, 12, 25),
    )  # fmt: skip
    order(
        store, local(DAY, 13), 49_50, order_type=Order.Type.TAKEAWAY, status=st.COMPLETED, confirmed_at=local(DAY, 13)
    )
    order(store, local(DAY, 18), 100_00, status=st.PENDING)  # dine-in without a table
    order(store, local(DAY, 0, 0, 0), 50_00, order_type=Order.Type.DELIVERY, status=st.COMPLETED)  # local midnight
    # Not counted: cancelled, the day before (one second before local midnight), another store.
    order(store, local(DAY, 19), 500_00, table=t1, status=st.CANCELLED)
    order(store, local(DAY, 0) - dt.timedelta(seconds=1), 999_00, table=t1, status=st.COMPLETED)
    order(other_store, local(DAY, 12), 777_00, status=st.COMPLETED)

    # Ledger: usage 30.00 (item A hits zero) + waste 15.00; purchase and transfer cost nothing here.
    a = InventoryItemFactory(store=store, name="A", current_quantity=D("0"))
    b = InventoryItemFactory(store=store, name="B", current_quantity=D("9"))
    ledger(a, "usage", "-5", "5", 30_00, local(DAY, 11))
    ledger(b, "waste", "-1", "10", 15_00, local(DAY, 15))
    ledger(b, "purchase", "10", "0", 120_00, local(DAY, 9))
    ledger(b, "transfer", "-2", "12", 24_00, local(DAY, 16))
    ledger(b, "usage", "-5", "14", 100_00, local(DAY, 0) - dt.timedelta(minutes=1))  # the day before

    # Shifts of the day's schedule: 6 h × 25.00 + 8 h (overnight) × 30.00 = 390.00.
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=EmployeeFactory(store=store, hourly_wage_cents=25_00),
                 start_time=dt.time(9), end_time=dt.time(15))  # fmt: skip
    ShiftFactory(schedule=schedule, employee=EmployeeFactory(store=store, hourly_wage_cents=30_00),
                 start_time=dt.time(18), end_time=dt.time(2))  # fmt: skip
    ShiftFactory(schedule=ScheduleFactory(store=store, schedule_date=DAY - dt.timedelta(days=1)))

    # Reservations: 4 with a known outcome, 2 of them no-shows.
    rs = Reservation.Status
    for status in (rs.COMPLETED, rs.SEATED, rs.NO_SHOW, rs.NO_SHOW, rs.CANCELLED, rs.PENDING, rs.CONFIRMED):
        ReservationFactory(store=store, reservation_date=DAY, status=status)
    ReservationFactory(store=store, reservation_date=DAY + dt.timedelta(days=1), status=rs.NO_SHOW)

    # Waitlist numbers taken that day: 2 seated after 10 and 20 minutes, 1 skipped, 1 cancelled,
    # 1 still waiting; not counted: the day after, another store.
    ws = WaitlistTicket.Status
    for n, (status, wait) in enumerate(
        [(ws.SEATED, 10), (ws.SEATED, 20), (ws.SKIPPED, None), (ws.CANCELLED, None), (ws.WAITING, None)], 1
    ):
        issued = local(DAY, 18, n)
        seated = issued + dt.timedelta(minutes=wait) if wait else None
        WaitlistTicketFactory(store=store, number=n, issued_at=issued, status=status, seated_at=seated)
    WaitlistTicketFactory(store=store, issued_at=local(DAY + dt.timedelta(days=1), 18), status=ws.SEATED,
                          seated_at=local(DAY + dt.timedelta(days=1), 19))  # fmt: skip
    WaitlistTicketFactory(store=other_store, issued_at=local(DAY, 18), status=ws.CANCELLED)
    return store


EXPECTED = {
    "revenue": D("550.0000"),
    "order_count": D("5.0000"),
    "average_check": D("110.0000"),
    "table_turnover": D("0.6667"),  # 2 dine-in orders with a table / 3 active tables
    "revpash": D("0.5729"),  # 550 / (80 × 12)
    "food_cost_ratio": D("8.1818"),  # 45 / 550 × 100
    "labor_cost_ratio": D("70.9091"),  # 390 / 550 × 100
    "waste_cost": D("15.0000"),
    "average_ticket_time": D("15.0000"),  # (10 + 20) / 2 minutes
    "no_show_rate": D("50.0000"),  # 2 / 4
    "stock_outs": D("1.0000"),  # item A hit zero
    "theoretical_food_cost": D("0"),  # open items only: no recipe cost
    "walk_ins_seated": D("2.0000"),
    "average_wait": D("15.0000"),  # (10 + 20) / 2 minutes
    "abandonment_rate": D("40.0000"),  # (1 skipped + 1 cancelled) / 5 issued × 100
}


def test_every_metric_by_hand(day_data):
    values = compute.kpi_metrics(store=day_data, day=DAY)
    assert values == EXPECTED


def test_records_carry_the_metrics_and_store_targets(day_data):
    services.kpi_ensure_defaults()
    records = {r.kpi.metric: r for r in services.kpi_compute_day(store=day_data, day=DAY, notify=False)}
    assert {m: r.value for m, r in records.items()} == EXPECTED
    revenue = records["revenue"]
    # Store target 150,000 a month / 30 days in November; thresholds scale from 5000/4500/3500.
    assert revenue.target_value == D("5000.0000")
    assert revenue.achievement_rate == D("0.1100")
    assert revenue.status == KPIRecord.Status.OFF_TRACK
    food = records["food_cost_ratio"]
    assert food.target_value == D("35.0000")  # cost_ratio_target 0.35 as %
    assert food.achievement_rate == D("4.2778")  # lower is better: 35 / 8.1818
    assert food.status == KPIRecord.Status.ON_TRACK
    labor = records["labor_cost_ratio"]
    assert labor.target_value == D("25.0000")
    assert labor.status == KPIRecord.Status.OFF_TRACK
    assert labor.metadata["labor_cost_cents"] == "39000.0000"
    assert labor.metadata["labor_hours"] == "14.0000"
    assert records["stock_outs"].target_value == D("0") and records["stock_outs"].achievement_rate is None


def test_revenue_threshold_scales_with_store_target(day_data):
    services.kpi_ensure_defaults()
    day_data.monthly_revenue_target_cents = 450_000_00  # 15,000.00 a day in November
    day_data.save()
    revenue = next(
        r for r in services.kpi_compute_day(store=day_data, day=DAY, notify=False) if r.kpi.metric == "revenue"
    )
    assert revenue.target_value == D("15000.0000")
    assert revenue.metadata["warning_threshold"] == "13500.0000"
    assert revenue.metadata["critical_threshold"] == "10500.0000"


def test_empty_day_is_all_zero(store):
    values = compute.kpi_metrics(store=store, day=DAY)
    assert set(values.values()) == {D("0")}


def test_revpash_uses_the_weekdays_hours(store):
    store.business_hours = {"fri": [["10:30", "14:00"], ["17:00", "24:00"]]}  # 3.5 h + 7 h
    store.seats = 50
    store.save()
    order(store, local(DAY, 12), 525_00, status=Order.Status.COMPLETED)
    assert compute.kpi_metrics(store=store, day=DAY)["revpash"] == D("1.0000")  # 525 / (50 × 10.5)
    # Closed on Saturdays: no seat hours, RevPASH 0 rather than a division by zero.
    saturday = DAY + dt.timedelta(days=1)
    order(store, local(saturday, 12), 100_00, status=Order.Status.COMPLETED)
    assert compute.kpi_metrics(store=store, day=saturday)["revpash"] == D("0")


def test_stock_outs_today_count_items_out_now(store):
    today = timezone.localdate()
    InventoryItemFactory(store=store, name="out, no ledger", current_quantity=D("0"))
    still_out = InventoryItemFactory(store=store, name="hit zero, still out", current_quantity=D("0"))
    restocked = InventoryItemFactory(store=store, name="hit zero, restocked", current_quantity=D("20"))
    InventoryItemFactory(store=store, name="inactive", current_quantity=D("0"), is_active=False)
    InventoryItemFactory(store=store, name="fine", current_quantity=D("30"))
    now = timezone.now()
    ledger(still_out, "usage", "-2", "2", 2_00, now)
    ledger(restocked, "waste", "-3", "3", 3_00, now)
    ledger(restocked, "purchase", "20", "0", 20_00, now)
    assert restocked.status != InventoryItem.Status.OUT_OF_STOCK
    assert compute.kpi_metrics(store=store, day=today)["stock_outs"] == D("3")
    # A past day counts only what hit zero that day.
    assert compute.kpi_metrics(store=store, day=today - dt.timedelta(days=1))["stock_outs"] == D("0")


def test_no_show_rate_without_outcomes_is_zero(store):
    ReservationFactory(store=store, reservation_date=DAY, status=Reservation.Status.CONFIRMED)
    ReservationFactory(store=store, reservation_date=DAY, status=Reservation.Status.CANCELLED)
    assert compute.kpi_metrics(store=store, day=DAY)["no_show_rate"] == D("0")


def test_cost_ratios_without_revenue_are_zero_and_flagged(store):
    services.kpi_ensure_defaults()
    item = InventoryItemFactory(store=store, current_quantity=D("5"))
    ledger(item, "usage", "-5", "10", 50_00, local(DAY, 12))
    records = {r.kpi.metric: r for r in services.kpi_compute_day(store=store, day=DAY, notify=False)}
    assert records["food_cost_ratio"].value == D("0")
    assert records["food_cost_ratio"].metadata["undefined"] is True
    assert records["food_cost_ratio"].metadata["usage_cost_cents"] == 50_00


def test_one_store_day_costs_a_handful_of_queries(day_data, django_assert_max_num_queries):
    services.kpi_ensure_defaults()
    # The domain aggregates, dish and modifier sales, recipes, unit costs, closed counts, the
    # stores, the history for trends, the upsert and the records read back.
    with django_assert_max_num_queries(17):
        services.kpi_compute_day(store=day_data, day=DAY, notify=False)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])  # fixed offset; DST ends 2026-11-01
def test_days_follow_local_midnight_across_offset_changes(store, revenue_kpi_defaults, zone):
    days = [dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 2)]
    with timezone.override(zone):
        for n, day in enumerate(days):
            order(store, local(day, 0, 30), (n + 1) * 100_00, status=Order.Status.COMPLETED)
            order(store, local(day, 23, 59, 59), 1_00, status=Order.Status.COMPLETED)
        services.kpi_compute(stores=[store], start=days[0], end=days[-1], notify=False)
        values = dict(KPIRecord.objects.filter(kpi_id="KPI_REVENUE").values_list("record_date", "value"))
    assert values == {days[0]: D("101.0000"), days[1]: D("201.0000"), days[2]: D("301.0000")}


@pytest.fixture
def revenue_kpi_defaults(db):
    services.kpi_ensure_defaults()
