"""The no-show sweep job (reservations/tasks.py), eagerly through Celery: it marks what is due and
a second run marks nothing (idempotent)."""

import datetime as dt

from django.utils import timezone

from reservations.models import Reservation
from reservations.tasks import mark_no_shows
from reservations.tests.factories import ReservationFactory

S = Reservation.Status


def test_sweep_marks_due_reservations_once(store, other_store, settings):
    settings.ZHILIAN_NO_SHOW_GRACE_MINUTES = 30
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    due = ReservationFactory(store=store, reservation_date=yesterday, reservation_time=dt.time(18, 0))
    due_confirmed = ReservationFactory(
        store=other_store, reservation_date=yesterday, reservation_time=dt.time(19, 0), status=S.CONFIRMED
    )
    seated = ReservationFactory(
        store=store, reservation_date=yesterday, reservation_time=dt.time(18, 0), status=S.SEATED
    )
    later = ReservationFactory(store=store, reservation_date=timezone.localdate() + dt.timedelta(days=1))

    result = mark_no_shows.apply()
    assert result.successful(), result.traceback
    assert result.result == {"no_shows": 2}
    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {due.pk: S.NO_SHOW, due_confirmed.pk: S.NO_SHOW, seated.pk: S.SEATED, later.pk: S.PENDING}

    assert mark_no_shows.apply().result == {"no_shows": 0}
    assert dict(Reservation.objects.values_list("pk", "status")) == statuses
