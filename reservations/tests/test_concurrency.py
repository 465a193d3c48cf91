"""Concurrent bookings on PostgreSQL: real threads, each with its own connection and transaction."""

import datetime as dt
import threading

import pytest

from reservations import services
from reservations.models import Reservation, ReservationTable
from reservations.tests.conftest import LUNCH_AND_DINNER, future_weekday
from stores.tests.factories import StoreFactory, TableFactory
from zhilian.errors import Unavailable
from zhilian.testing.concurrency import run_in_threads

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 20


def make_store():
    store = StoreFactory(id="CONC01", code="CC01", business_hours={"wed": LUNCH_AND_DINNER})
    return store


def booking(store, tables, *, party=2, time=dt.time(18, 0)):
    day = future_weekday(2)

    def work(_index=0):
        return services.reservation_create(
            store=store,
            tables=tables,
            customer_name="Racer",
            customer_phone="13000000000",
            reservation_date=day,
            reservation_time=time,
            duration_minutes=120,
            party_size=party,
        ).pk

    return work


def test_parallel_bookings_of_one_table_leave_exactly_one():
    store = make_store()
    table = TableFactory(store=store, number="T1", capacity=4)
    results = run_in_threads(THREADS, booking(store, [table]))
    assert results.unexpected(Unavailable) == []
    assert len(results.ok) == 1
    assert len(results.refused(Unavailable)) == THREADS - 1
    assert Reservation.objects.filter(store=store).count() == 1
    assert ReservationTable.objects.filter(table=table).count() == 1


def test_parallel_overlapping_slots_with_joined_tables_never_double_book():
    store = make_store()
    t1 = TableFactory(store=store, number="T1", capacity=2)
    t2 = TableFactory(store=store, number="T2", capacity=2)
    # Half join both tables, half take one of them (in the opposite order: locks are sorted).
    work_joined = booking(store, [t2, t1], party=4)
    work_single = booking(store, [t1], time=dt.time(19, 0))
    counter = iter(range(THREADS))
    lock = threading.Lock()

    def work(_index):
        with lock:
            n = next(counter)
        return (work_joined if n % 2 else work_single)()

    results = run_in_threads(THREADS, work)
    assert results.unexpected(Unavailable) == []
    assert len(results.ok) == 1
    assert Reservation.objects.filter(store=store).count() == 1


def test_parallel_auto_assignment_fills_each_table_once():
    store = make_store()
    tables = [TableFactory(store=store, number=f"T{n}", capacity=2) for n in range(3)]
    results = run_in_threads(THREADS, booking(store, None))
    assert results.unexpected(Unavailable) == []
    assert len(results.ok) == 3
    links = list(ReservationTable.objects.filter(reservation__store=store).values_list("table_id", flat=True))
    assert sorted(links) == sorted(t.pk for t in tables)


def test_parallel_ids_are_unique():
    store = make_store()
    tables = [TableFactory(store=store, number=f"T{n}", capacity=2) for n in range(THREADS)]
    pending = iter(tables)
    lock = threading.Lock()

    def work(_index):
        with lock:
            table = next(pending)
        return booking(store, [table])()

    results = run_in_threads(THREADS, work)
    assert results.unexpected(Unavailable) == []
    assert len(set(results.ok)) == THREADS
