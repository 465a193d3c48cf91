"""The quoted wait: the formula by hand, then its inputs read from orders and reservations."""

import datetime as dt

import pytest
from django.utils import timezone

from orders.models import Order
from orders.tests.factories import OrderFactory
from reservations.models import Reservation
from reservations.tests.factories import ReservationFactory
from stores.models import Table
from stores.tests.factories import TableFactory
from waitlist.bands import DEFAULT_BANDS, band_for, parse_bands, store_bands
from waitlist.quote import DEFAULT_TURN_MINUTES, quoted_wait_minutes
from waitlist.selectors import quote_state

A, B, C = DEFAULT_BANDS


@pytest.mark.parametrize(
    ("tables", "busy", "ahead", "turn", "expected"),
    [
        (4, 2, 0, 60, 0),  # two free tables, nobody ahead: sit down now
        (4, 2, 1, 60, 0),  # the second free table is ours
        (4, 2, 2, 60, 15),  # both free tables taken by those ahead: ceil(60 × 1 / 4)
        (4, 4, 0, 60, 15),  # all busy: the next of 4 staggered tables in 60 / 4 minutes
        (4, 4, 2, 60, 45),  # ceil(60 × 3 / 4)
        (3, 3, 4, 50, 84),  # ceil(50 × 5 / 3) = ceil(83.33)
        (2, 5, 0, 40, 20),  # more busy than tables (a joined table): no free one
        (0, 0, 3, 60, None),  # no tables of the band: no estimate
    ],
)
def test_formula_by_hand(tables, busy, ahead, turn, expected):
    assert quoted_wait_minutes(tables=tables, busy=busy, ahead=ahead, turn_minutes=turn) == expected


def test_bands_default_and_store_config():
    assert [band_for(DEFAULT_BANDS, n).code for n in (1, 2, 3, 4, 5, 30)] == ["A", "A", "B", "B", "C", "C"]
    custom = [{"code": "S", "min": 1, "max": 4}, {"code": "L", "min": 5, "max": 12, "name": "大桌"}]
    bands = store_bands({"waitlist_bands": custom})
    assert [(b.code, b.min_party, b.max_party) for b in bands] == [("S", 1, 4), ("L", 5, 12)]
    assert band_for(bands, 13) is None
    assert bands[1].label() == "大桌"
    # A gap, an overlap, a bad code: the chain's bands instead.
    for bad in (
        [{"code": "A", "min": 1, "max": 2}, {"code": "B", "min": 4, "max": None}],
        [{"code": "A", "min": 1, "max": 3}, {"code": "B", "min": 3, "max": None}],
        [{"code": "a", "min": 1, "max": None}],
        "A,B,C",
    ):
        assert parse_bands(bad) is None
        assert store_bands({"waitlist_bands": bad}) == DEFAULT_BANDS


@pytest.fixture
def hall(store):
    tables = {n: TableFactory(store=store, number=n, capacity=c) for n, c in
              (("A1", 2), ("A2", 2), ("A3", 2), ("B1", 4), ("B2", 4), ("C1", 8))}  # fmt: skip
    TableFactory(store=store, number="P1", capacity=10, kind=Table.Kind.PRIVATE_ROOM)
    TableFactory(store=store, number="A9", capacity=2, is_active=False)
    return tables


def test_inputs_from_orders_and_reservations(store, hall):
    now = timezone.now()
    # Busy: an open dine-in order on A1, a seated reservation on A2; B1's order is completed, B2's
    # cancelled; an order on A3 opened 9 hours ago and never closed is a forgotten one.
    OrderFactory(store=store, table=hall["A1"], status=Order.Status.SERVED, order_time=now - dt.timedelta(minutes=30))
    ReservationFactory(store=store, status=Reservation.Status.SEATED, seated_at=now - dt.timedelta(minutes=20),
                       reservation_date=timezone.localdate(), tables=[hall["A2"]])  # fmt: skip
    OrderFactory(store=store, table=hall["B1"], status=Order.Status.COMPLETED,
                 order_time=now - dt.timedelta(minutes=80), completed_at=now - dt.timedelta(minutes=10))  # fmt: skip
    OrderFactory(store=store, table=hall["B2"], status=Order.Status.CANCELLED,
                 order_time=now - dt.timedelta(minutes=10), cancelled_at=now - dt.timedelta(minutes=5))  # fmt: skip
    OrderFactory(store=store, table=hall["A3"], status=Order.Status.SERVED, order_time=now - dt.timedelta(hours=9))
    # Turns of A tables: 40 and 60 minutes (a 5-minute and a 6-hour one are left out as data errors).
    for table, minutes in ((hall["A1"], 40), (hall["A3"], 60), (hall["A1"], 5), (hall["A2"], 360)):
        OrderFactory(store=store, table=table, status=Order.Status.COMPLETED,
                     order_time=now - dt.timedelta(days=2, minutes=minutes),
                     completed_at=now - dt.timedelta(days=2))  # fmt: skip
    state = quote_state(store, now)
    assert state.inputs(A) == {"tables": 3, "busy": 2, "turn_minutes": 50}
    # B: 70 minutes from B1's completed order; C: no history, the default.
    assert state.inputs(B) == {"tables": 2, "busy": 0, "turn_minutes": 70}
    assert state.inputs(C) == {"tables": 1, "busy": 0, "turn_minutes": DEFAULT_TURN_MINUTES}
    # A: 1 free table; 3 ahead -> ceil(50 × (3 − 1 + 1) / 3) = 50.
    assert state.quote(A, 0) == 0
    assert state.quote(A, 3) == 50
    # An hour earlier, before any of today's orders: everything free.
    assert quote_state(store, now - dt.timedelta(hours=1)).inputs(A)["busy"] == 0


def test_band_without_its_size_uses_larger_tables(store):
    TableFactory(store=store, number="T1", capacity=4)
    TableFactory(store=store, number="T2", capacity=6)
    state = quote_state(store)
    assert state.inputs(A)["tables"] == 2  # no 1–2 tables: every table seating 1
    assert state.inputs(C)["tables"] == 1
