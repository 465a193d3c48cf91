import datetime as dt
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reservations import services
from reservations.models import Reservation
from reservations.tests.factories import ReservationFactory
from zhilian.errors import InvalidInput, InvalidTransition

pytestmark = pytest.mark.django_db

S = Reservation.Status
ALL_MOVES = list(itertools.product(S.values, S.values))
ALLOWED = [(a, b) for a, b in ALL_MOVES if b in services.TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_MOVES if b not in services.TRANSITIONS[a]]


def test_the_matrix_is_the_documented_workflow():
    assert set(ALLOWED) == {
        ("pending", "confirmed"),
        ("confirmed", "arrived"),
        ("arrived", "seated"),
        ("seated", "completed"),
        ("pending", "cancelled"),
        ("confirmed", "cancelled"),
        ("pending", "no_show"),
        ("confirmed", "no_show"),
    }


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_every_allowed_move_succeeds_and_stamps_its_time(
    store, start, target, sent, django_capture_on_commit_callbacks
):
    reservation = ReservationFactory(store=store, status=start)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reservation_transition(reservation=reservation, status=target, reason="guest called")
    stored = Reservation.objects.get(pk=reservation.pk)
    assert moved.status == stored.status == target
    stamp = getattr(stored, services.STAMPS[target])
    assert stamp is not None and stamp == getattr(moved, services.STAMPS[target])
    # Only the new status's stamp was written.
    others = [f for s, f in services.STAMPS.items() if s != target]
    assert all(getattr(stored, f) is None for f in others)
    if target == S.CANCELLED:
        assert stored.cancel_reason == "guest called"
    [event] = [e for _, e in sent if e["type"] == "reservation.status_changed"]
    assert (event["data"]["from"], event["data"]["to"], event["data"]["id"]) == (start, target, reservation.pk)


@pytest.mark.parametrize(("start", "target"), FORBIDDEN)
def test_every_forbidden_move_is_409_with_the_allowed_moves(store, start, target):
    reservation = ReservationFactory(store=store, status=start)
    with pytest.raises(InvalidTransition) as exc:
        services.reservation_transition(reservation=reservation, status=target, reason="guest called")
    assert exc.value.status_code == 409
    assert exc.value.as_dict()["allowed"] == list(services.TRANSITIONS[start])
    assert Reservation.objects.get(pk=reservation.pk).status == start


def test_cancel_needs_a_reason(store):
    reservation = ReservationFactory(store=store)
    with pytest.raises(InvalidInput) as exc:
        services.reservation_transition(reservation=reservation, status="cancelled", reason="  ")
    assert "reason" in exc.value.errors
    assert Reservation.objects.get(pk=reservation.pk).status == S.PENDING


def test_unknown_status_is_invalid_input(store):
    with pytest.raises(InvalidInput) as exc:
        services.reservation_transition(reservation=ReservationFactory(store=store), status="eaten")
    assert "status" in exc.value.errors


def test_the_move_reads_the_current_row_not_a_stale_instance(store):
    reservation = ReservationFactory(store=store)
    stale = Reservation.objects.get(pk=reservation.pk)
    services.reservation_transition(reservation=reservation, status="cancelled", reason="no longer coming")
    with pytest.raises(InvalidTransition):
        services.reservation_transition(reservation=stale, status="confirmed")


# --- no-show sweep ---------------------------------------------------------------------------
def _at(day, time):
    return timezone.make_aware(dt.datetime.combine(day, time))


def test_no_show_sweep_respects_the_grace_period(store, other_store, sent, django_capture_on_commit_callbacks):
    day = timezone.localdate() + dt.timedelta(days=3)
    due = ReservationFactory(store=store, reservation_date=day, reservation_time=dt.time(18, 0))
    due_confirmed = ReservationFactory(
        store=other_store, reservation_date=day, reservation_time=dt.time(18, 0), status="confirmed"
    )
    within_grace = ReservationFactory(store=store, reservation_date=day, reservation_time=dt.time(18, 10))
    arrived = ReservationFactory(store=store, reservation_date=day, reservation_time=dt.time(17, 0), status="arrived")
    cancelled = ReservationFactory(
        store=store, reservation_date=day, reservation_time=dt.time(17, 0), status="cancelled"
    )
    now = _at(day, dt.time(18, 31))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reservation_mark_no_shows(now=now, grace_minutes=30) == 2
    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses[due.pk] == statuses[due_confirmed.pk] == S.NO_SHOW
    assert statuses[within_grace.pk] == S.PENDING
    assert statuses[arrived.pk] == S.ARRIVED
    assert statuses[cancelled.pk] == S.CANCELLED
    assert Reservation.objects.get(pk=due.pk).no_show_at == now
    events = {e["store"]: e["data"] for _, e in sent if e["type"] == "reservation.status_changed"}
    assert events == {
        "STORE001": {"ids": [due.pk], "to": "no_show", "count": 1, "bulk": True},
        "STORE002": {"ids": [due_confirmed.pk], "to": "no_show", "count": 1, "bulk": True},
    }
    # Idempotent: a second sweep finds nothing.
    assert services.reservation_mark_no_shows(now=now, grace_minutes=30) == 0


def test_no_show_grace_defaults_to_the_setting(store, settings):
    settings.ZHILIAN_NO_SHOW_GRACE_MINUTES = 60
    day = timezone.localdate() + dt.timedelta(days=3)
    reservation = ReservationFactory(store=store, reservation_date=day, reservation_time=dt.time(18, 0))
    assert services.reservation_mark_no_shows(now=_at(day, dt.time(18, 45))) == 0
    assert services.reservation_mark_no_shows(now=_at(day, dt.time(19, 1))) == 1
    assert Reservation.objects.get(pk=reservation.pk).status == S.NO_SHOW


def test_command_prints_the_count(store):
    long_ago = timezone.localdate() - dt.timedelta(days=2)
    ReservationFactory(store=store, reservation_date=long_ago)
    ReservationFactory(store=store, reservation_date=long_ago, status="confirmed")
    ReservationFactory(store=store)  # tomorrow: not due
    out = StringIO()
    call_command("mark_no_shows", "--grace", "15", stdout=out)
    assert "Marked 2 reservation(s) as no-show." in out.getvalue()
    assert Reservation.objects.filter(status=S.NO_SHOW).count() == 2
