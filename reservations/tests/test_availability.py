import datetime as dt

import pytest

from reservations import services
from reservations.models import Reservation
from reservations.tests.conftest import numbers
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import TableFactory
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db


def availability(floor, day, *, time=dt.time(18, 0), party=2, duration=120, **kwargs):
    return services.reservation_availability(
        store=floor.store, day=day, time=time, party_size=party, duration_minutes=duration, **kwargs
    )


def test_free_tables_that_fit_alone_smallest_first_inactive_excluded(floor, day):
    found = availability(floor, day, party=4)
    assert numbers(found["tables"]) == ["A3", "A4", "A5", "P2", "P1", "B1"]
    assert "A9" not in numbers(found["tables"])  # out of service


def test_kind_and_room_filters(floor, day):
    assert numbers(availability(floor, day, party=4, kinds=["private_room"])["tables"]) == ["P2", "P1"]
    assert numbers(availability(floor, day, party=4, kinds=["private_room"], room_name="Peony")["tables"]) == ["P1"]


def test_busy_tables_are_excluded_over_the_overlap_only(floor, day, book):
    book(floor.store, [floor.A3], reservation_time=dt.time(18, 0), duration_minutes=120)  # 18:00–20:00
    assert "A3" not in numbers(availability(floor, day, time=dt.time(19, 0), party=4)["tables"])
    assert "A3" not in numbers(availability(floor, day, time=dt.time(17, 0), party=4)["tables"])
    # Back to back on either side is free.
    assert "A3" in numbers(availability(floor, day, time=dt.time(20, 0), party=4)["tables"])
    assert "A3" in numbers(availability(floor, day, time=dt.time(17, 0), duration=60, party=4)["tables"])
    # Another day is untouched.
    assert "A3" in numbers(availability(floor, day + dt.timedelta(days=1), party=4)["tables"])


@pytest.mark.parametrize("status", [s for s in Reservation.Status.values if s not in Reservation.ACTIVE_STATUSES])
def test_finished_reservations_do_not_hold_tables(floor, day, status):
    ReservationFactory(store=floor.store, reservation_date=day, status=status, tables=[floor.A3])
    assert "A3" in numbers(availability(floor, day, party=4)["tables"])


@pytest.mark.parametrize("status", Reservation.ACTIVE_STATUSES)
def test_active_reservations_hold_tables(floor, day, status):
    ReservationFactory(store=floor.store, reservation_date=day, status=status, tables=[floor.A3])
    assert "A3" not in numbers(availability(floor, day, party=4)["tables"])


def test_combinations_join_tables_of_one_area_fewest_and_tightest_first(floor, day):
    found = availability(floor, day, party=7)
    # Alone only the rooms and the banquet table seat seven.
    assert numbers(found["tables"]) == ["P2", "P1", "B1"]
    combos = [numbers(c) for c in found["combinations"]]
    assert combos == [
        ["A1", "A5"],
        ["A2", "A5"],
        ["A3", "A4"],
        ["A3", "A5"],
        ["A4", "A5"],
        ["A1", "A2", "A3"],
        ["A1", "A2", "A4"],
    ]
    for combo in found["combinations"]:
        assert len({(t.kind, t.room_name) for t in combo}) == 1  # one area
        assert sum(t.capacity for t in combo) >= 7
        # Minimal: without its smallest table the combination no longer fits.
        assert sum(t.capacity for t in combo) - min(t.capacity for t in combo) < 7


def test_combinations_skip_busy_tables(floor, day, book):
    book(floor.store, [floor.A5], party_size=5)
    combos = [numbers(c) for c in availability(floor, day, party=7)["combinations"]]
    assert combos == [["A3", "A4"], ["A1", "A2", "A3"], ["A1", "A2", "A4"]]


def test_a_room_can_join_its_own_tables_only(floor, day):
    TableFactory(store=floor.store, number="P3", capacity=6, kind="private_room", room_name="Peony")
    combos = [numbers(c) for c in availability(floor, day, party=15, kinds=["private_room"])["combinations"]]
    assert combos == [["P1", "P3"]]  # P2 is in another room


def test_a_party_larger_than_the_floor_gets_nothing(floor, day):
    found = availability(floor, day, party=200)
    assert found == {"tables": [], "combinations": []}


def test_combinations_are_capped(store, day):
    for n in range(30):
        TableFactory(store=store, number=f"T{n:02d}", capacity=2)
    found = services.reservation_availability(
        store=store, day=day, time=dt.time(18, 0), party_size=5, duration_minutes=120
    )
    assert len(found["combinations"]) == services.COMBINATION_LIMIT
    assert all(len(c) == 3 for c in found["combinations"])


def test_two_queries_whatever_the_number_of_tables_and_bookings(floor, day):
    few, _ = count_queries(lambda: availability(floor, day, party=7))
    for n in range(20):
        table = TableFactory(store=floor.store, number=f"X{n}", capacity=4)
        ReservationFactory(store=floor.store, reservation_date=day, tables=[table])
    many, found = count_queries(lambda: availability(floor, day, party=7))
    assert few == many == 2
    assert not any(t.number.startswith("X") for t in found["tables"])


def test_best_fit_prefers_the_smallest_hall_table(floor, day):
    common = {"store": floor.store, "day": day, "time": dt.time(18, 0), "duration_minutes": 120}
    assert numbers(services.reservation_best_fit(**common, party_size=3)) == ["A3"]
    assert numbers(services.reservation_best_fit(**common, party_size=7)) == ["A1", "A5"]
    assert numbers(services.reservation_best_fit(**common, party_size=7, reservation_type="private_room")) == ["P2"]
    assert numbers(services.reservation_best_fit(**common, party_size=9, reservation_type="banquet")) == ["B1"]
    assert numbers(services.reservation_best_fit(**common, party_size=13, reservation_type="banquet")) == [
        "A3",
        "A4",
        "A5",
    ]
