import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from reservations.models import Reservation, ReservationTable
from reservations.services import reservation_next_id
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import TableFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        {"party_size": 0},
        {"duration_minutes": 10},
        {"estimated_budget_cents": -1},
        {"deposit_cents": -5},
    ],
)
def test_database_constraints_hold_without_the_services(store, change):
    reservation = ReservationFactory(store=store)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(**change)


def test_one_table_is_linked_once(store):
    table = TableFactory(store=store)
    reservation = ReservationFactory(store=store, tables=[table])
    with pytest.raises(IntegrityError), transaction.atomic():
        ReservationTable.objects.create(reservation=reservation, table=table)


def test_a_table_with_reservation_history_cannot_be_deleted(store):
    table = TableFactory(store=store)
    ReservationFactory(store=store, tables=[table], status="completed")
    with pytest.raises(ProtectedError):
        table.delete()
    unused = TableFactory(store=store)
    unused.delete()


def test_deleting_a_reservation_frees_its_links(store):
    table = TableFactory(store=store)
    reservation = ReservationFactory(store=store, tables=[table])
    reservation.delete()
    assert not ReservationTable.objects.exists()
    table.delete()


def test_interval_is_derived_on_save(store):
    reservation = ReservationFactory(store=store, reservation_time=dt.time(11, 15), duration_minutes=90)
    assert reservation.ends_at - reservation.starts_at == dt.timedelta(minutes=90)
    reservation.duration_minutes = 45
    reservation.save(update_fields=["duration_minutes"])
    reservation.refresh_from_db()
    assert reservation.ends_at - reservation.starts_at == dt.timedelta(minutes=45)


def test_next_id_counts_per_store_and_day(store, other_store):
    day = dt.date(2026, 12, 24)
    assert reservation_next_id(store_id="STORE001", day=day) == "STORE001-R20261224-0001"
    assert reservation_next_id(store_id="STORE001", day=day) == "STORE001-R20261224-0002"
    assert reservation_next_id(store_id="STORE002", day=day) == "STORE002-R20261224-0001"
    assert reservation_next_id(store_id="STORE001", day=day + dt.timedelta(days=1)) == "STORE001-R20261225-0001"
