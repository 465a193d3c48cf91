"""The audit trail of reservations: bookings, moves to another time or table, status changes."""

import datetime as dt

import pytest

from reservations import services
from reservations.models import Reservation
from zhilian.audit import audit_entries
from zhilian.errors import DomainError

pytestmark = pytest.mark.django_db

Status = Reservation.Status


def events_of(reservation):
    return [(e.actor, e.additional_data["event"], e.changes) for e in audit_entries(reservation).order_by("pk")]


def test_booking_moving_and_cancelling_name_the_actor_and_what_changed(floor, book, manager, staff):
    reservation = book(floor.store, [floor.A3], user=staff)
    services.reservation_update(reservation=reservation, reservation_time=dt.time(19, 0), tables=[floor.A4], user=staff)
    services.reservation_update(reservation=reservation, special_requests="Window seat", user=staff)
    services.reservation_transition(reservation=reservation, status=Status.CANCELLED, reason="Ill", user=manager)

    assert events_of(reservation) == [
        (staff, "reservation.create", {}),
        (staff, "reservation.move", {"reservation_time": ["18:00:00", "19:00:00"], "tables": ["A3", "A4"]}),
        (staff, "reservation.update", {"special_requests": ["", "Window seat"]}),
        (manager, "reservation.transition", {"status": ["pending", "cancelled"]}),
    ]
    cancelled = audit_entries(reservation).get(additional_data__event="reservation.transition")
    assert cancelled.additional_data["reason"] == "Ill"


def test_no_shows_marked_by_the_job_are_recorded_without_an_actor(floor, book):
    reservation = book(floor.store, [floor.A3])
    later = reservation.starts_at + dt.timedelta(hours=1)
    assert services.reservation_mark_no_shows(now=later, grace_minutes=15) == 1
    entry = audit_entries(reservation).get(additional_data__event="reservation.transition")
    assert (entry.actor, entry.changes) == (None, {"status": ["pending", "no_show"]})


@pytest.mark.parametrize(
    "refused",
    [
        lambda r, floor, user: services.reservation_transition(reservation=r, status=Status.COMPLETED, user=user),
        lambda r, floor, user: services.reservation_transition(reservation=r, status=Status.CANCELLED, user=user),
        lambda r, floor, user: services.reservation_update(reservation=r, tables=[floor.A1], party_size=4, user=user),
        lambda r, floor, user: services.reservation_update(reservation=r, tables=[floor.A5], user=user),
    ],
    ids=["forbidden move", "cancel without reason", "party too big", "table taken"],
)
def test_a_refused_change_writes_no_entry(floor, book, staff, refused):
    book(floor.store, [floor.A5])
    reservation = book(floor.store, [floor.A3], user=staff)
    before = audit_entries(reservation).count()
    with pytest.raises(DomainError):
        refused(reservation, floor, staff)
    assert audit_entries(reservation).count() == before
