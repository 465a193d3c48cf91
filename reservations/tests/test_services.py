import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import ManagerFactory
from notifications.models import Notification
from reservations import services
from reservations.models import Reservation
from reservations.tests.conftest import future_weekday, numbers
from stores.tests.factories import TableFactory
from zhilian.errors import InvalidInput, Locked, Unavailable

pytestmark = pytest.mark.django_db


# --- creation rules ------------------------------------------------------------------------------
def test_create_books_the_tables_with_a_daily_id(floor, day, book):
    first = book(floor.store, [floor.A3], party_size=4)
    second = book(floor.store, [floor.A4], party_size=3)
    assert first.id == f"STORE001-R{day:%Y%m%d}-0001"
    assert second.id == f"STORE001-R{day:%Y%m%d}-0002"
    first.refresh_from_db()
    assert first.status == Reservation.Status.PENDING
    assert numbers(first.tables.all()) == ["A3"]
    assert first.starts_at == timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
    assert first.ends_at - first.starts_at == dt.timedelta(minutes=120)


def test_a_past_slot_is_refused(floor, book):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A3], reservation_date=yesterday)
    assert "past" in exc.value.errors["reservation_date"][0]
    assert not Reservation.objects.exists()


def test_earlier_today_is_past_later_today_is_fine(floor):
    day = future_weekday(2)
    now = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    check = {"store": floor.store, "day": day, "duration_minutes": 60, "now": now}
    assert "past" in services.reservation_slot_errors(time=dt.time(11, 0), **check)["reservation_time"][0]
    assert services.reservation_slot_errors(time=dt.time(12, 30), **check) == {}


def test_too_far_ahead_is_refused_without_overflow(floor):
    for far in (timezone.localdate() + dt.timedelta(days=services.MAX_DAYS_AHEAD + 1), dt.date(9999, 12, 31)):
        errors = services.reservation_slot_errors(store=floor.store, day=far, time=dt.time(23, 0), duration_minutes=720)
        assert "days ahead" in errors["reservation_date"][0]
    errors = services.reservation_slot_errors(
        store=floor.store, day=dt.date(1, 1, 1), time=dt.time(0), duration_minutes=15
    )
    assert "past" in errors["reservation_date"][0]


def test_seconds_count_against_the_opening_time(floor, day):
    errors = services.reservation_slot_errors(store=floor.store, day=day, time=dt.time(10, 29, 30), duration_minutes=60)
    assert "opening interval" in errors["reservation_time"][0]


@pytest.mark.parametrize(
    ("time", "minutes"),
    [
        (dt.time(15, 0), 60),  # between lunch and dinner
        (dt.time(13, 0), 120),  # starts at lunch, runs past 14:00
        (dt.time(10, 0), 60),  # before opening
        (dt.time(21, 30), 60),  # past closing
        (dt.time(12, 0), 360),  # spans both intervals and the break
    ],
)
def test_outside_business_hours_is_refused(floor, book, time, minutes):
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A3], reservation_time=time, duration_minutes=minutes)
    assert "opening interval" in exc.value.errors["reservation_time"][0]


@pytest.mark.parametrize(("time", "minutes"), [(dt.time(10, 30), 60), (dt.time(12, 0), 120), (dt.time(20, 0), 120)])
def test_inside_one_opening_interval_is_accepted_up_to_the_closing_minute(floor, book, time, minutes):
    assert book(floor.store, [floor.A3], reservation_time=time, duration_minutes=minutes).pk


def test_a_closed_day_is_refused(floor, book):
    monday = future_weekday(0)
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A3], reservation_date=monday)
    assert "closed" in exc.value.errors["reservation_time"][0]


def test_party_larger_than_the_tables_is_refused(floor, book):
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A1, floor.A2], party_size=5)
    assert "4 seats" in exc.value.errors["party_size"][0]
    # Joined tables may seat the party.
    assert numbers(book(floor.store, [floor.A1, floor.A2], party_size=4).tables.all()) == ["A1", "A2"]


def test_tables_of_another_store_or_out_of_service_are_refused(floor, other_store, book):
    theirs = TableFactory(store=other_store, number="Z1", capacity=4)
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [theirs])
    assert "another store" in exc.value.errors["tables"][0]
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A9])
    assert "out of service" in exc.value.errors["tables"][0]


def test_overlap_is_refused_with_409(floor, book):
    book(floor.store, [floor.A3], reservation_time=dt.time(18, 0))
    with pytest.raises(Unavailable) as exc:
        book(floor.store, [floor.A4, floor.A3], reservation_time=dt.time(19, 30), party_size=6)
    assert exc.value.status_code == 409
    assert exc.value.code == "unavailable"
    assert exc.value.extra["tables"] == ["A3"]
    assert Reservation.objects.count() == 1


def test_back_to_back_is_allowed(floor, book):
    book(floor.store, [floor.A3], reservation_time=dt.time(18, 0), duration_minutes=120)
    book(floor.store, [floor.A3], reservation_time=dt.time(20, 0), duration_minutes=120)
    book(floor.store, [floor.A3], reservation_time=dt.time(17, 0), duration_minutes=60)
    assert Reservation.objects.count() == 3


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_a_cancelled_or_no_show_reservation_frees_the_table(floor, book, status):
    first = book(floor.store, [floor.A3])
    services.reservation_transition(reservation=first, status=status, reason="changed plans")
    again = book(floor.store, [floor.A3])
    assert numbers(again.tables.all()) == ["A3"]


def test_without_tables_the_best_fit_is_assigned(floor, book):
    assert numbers(book(floor.store, party_size=3).tables.all()) == ["A3"]
    assert numbers(book(floor.store, party_size=3).tables.all()) == ["A4"]
    assert numbers(book(floor.store, party_size=7).tables.all()) == ["A1", "A5"]  # joined hall tables


def test_without_tables_and_nothing_free_is_unavailable(floor, book):
    with pytest.raises(Unavailable) as exc:
        book(floor.store, party_size=40)
    assert exc.value.code == "unavailable"
    assert not Reservation.objects.exists()


def test_private_room_needs_private_room_tables(floor, book):
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A5], party_size=6, reservation_type="private_room")
    assert "private-room" in exc.value.errors["tables"][0]
    with pytest.raises(InvalidInput):
        book(floor.store, [floor.P2], party_size=6, reservation_type="private_room", room_name="Peony")
    auto = book(floor.store, party_size=6, reservation_type="private_room")
    assert numbers(auto.tables.all()) == ["P2"]
    assert auto.room_name == "Orchid"  # recorded from the table
    named = book(floor.store, party_size=6, reservation_type="private_room", room_name="Peony")
    assert numbers(named.tables.all()) == ["P1"]


def test_banquet_carries_menu_budget_and_deposit(floor, book):
    banquet = book(
        floor.store,
        [floor.B1],
        party_size=12,
        reservation_type="banquet",
        banquet_details={"menu": ["Peking duck", "Longevity noodles"], "occasion": "birthday"},
        estimated_budget_cents=800_000,
        deposit_cents=200_000,
    )
    banquet.refresh_from_db()
    assert banquet.banquet_details["menu"] == ["Peking duck", "Longevity noodles"]
    assert (banquet.estimated_budget_cents, banquet.deposit_cents) == (800_000, 200_000)
    with pytest.raises(InvalidInput) as exc:
        book(floor.store, [floor.A3], estimated_budget_cents=100, deposit_cents=200)
    assert "deposit_cents" in exc.value.errors


# --- side effects --------------------------------------------------------------------------------
def test_managers_of_the_store_are_notified(floor, book, manager, staff, other_manager):
    second_manager = ManagerFactory(username="manager1b", store=floor.store)
    reservation = book(floor.store, [floor.A3], customer_name="Wang Fang", party_size=4)
    notes = Notification.objects.filter(kind=Notification.Kind.RESERVATION_CREATED)
    assert {n.recipient_id for n in notes} == {manager.pk, second_manager.pk}
    note = notes.first()
    assert "Wang Fang" in note.title and "4" in note.title
    i18n = note.data.pop("i18n")  # the texts, worded when read (notifications.texts)
    assert note.data == {"reservation": reservation.pk}
    assert i18n["title"]["params"] == {"name": "Wang Fang", "party": 4}
    assert note.store_id == "STORE001"


def test_created_event_is_sent_after_commit_only(floor, book, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        book(floor.store, [floor.A3])
        raise RuntimeError("the caller's transaction rolls back")
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        reservation = book(floor.store, [floor.A3], party_size=3)
        assert sent == []  # nothing before commit
    created = [event for groups, event in sent if event["type"] == "reservation.created"]
    assert len(created) == 1
    assert created[0]["store"] == "STORE001"
    assert created[0]["data"]["id"] == reservation.pk
    assert created[0]["data"]["tables"] == ["A3"]
    assert created[0]["data"]["party_size"] == 3


# --- update ------------------------------------------------------------------------------------
def test_update_moves_to_a_free_slot_and_rechecks(floor, book, day):
    mine = book(floor.store, [floor.A3])
    other = book(floor.store, [floor.A4], reservation_time=dt.time(19, 0))
    with pytest.raises(Unavailable):
        services.reservation_update(reservation=mine, tables=[floor.A4])
    with pytest.raises(Unavailable):
        services.reservation_update(reservation=other, reservation_time=dt.time(17, 0), tables=[floor.A3])
    other.refresh_from_db()
    assert other.reservation_time == dt.time(19, 0)
    assert numbers(other.tables.all()) == ["A4"]
    moved = services.reservation_update(reservation=mine, reservation_time=dt.time(12, 0), party_size=3)
    moved.refresh_from_db()
    assert moved.reservation_time == dt.time(12, 0)
    assert moved.starts_at == timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    assert numbers(moved.tables.all()) == ["A3"]


def test_update_does_not_collide_with_itself(floor, book):
    mine = book(floor.store, [floor.A3])
    updated = services.reservation_update(reservation=mine, duration_minutes=150, tables=[floor.A3], notes="window")
    updated.refresh_from_db()
    assert (updated.duration_minutes, updated.notes) == (150, "window")


def test_update_refuses_a_party_too_big_and_reassigns_on_request(floor, book):
    mine = book(floor.store, [floor.A3], party_size=4)
    with pytest.raises(InvalidInput) as exc:
        services.reservation_update(reservation=mine, party_size=6)
    assert "party_size" in exc.value.errors
    grown = services.reservation_update(reservation=mine, party_size=6, tables=[])
    assert numbers(grown.tables.all()) == ["A5"]
    assert numbers(Reservation.objects.get(pk=mine.pk).tables.all()) == ["A5"]


def test_update_outside_hours_is_refused_and_nothing_changes(floor, book):
    mine = book(floor.store, [floor.A3])
    with pytest.raises(InvalidInput):
        services.reservation_update(reservation=mine, reservation_time=dt.time(15, 0))
    mine.refresh_from_db()
    assert mine.reservation_time == dt.time(18, 0)


def test_only_pending_or_confirmed_can_change(floor, book):
    mine = book(floor.store, [floor.A3])
    services.reservation_transition(reservation=mine, status="confirmed")
    services.reservation_update(reservation=mine, notes="confirmed is still editable")
    services.reservation_transition(reservation=mine, status="arrived")
    with pytest.raises(Locked) as exc:
        services.reservation_update(reservation=mine, party_size=2)
    assert exc.value.status_code == 409


def test_writing_server_fields_is_a_programming_error(floor, book):
    with pytest.raises(TypeError):
        book(floor.store, [floor.A3], status="seated")


def test_history_can_be_loaded_by_trusted_callers_without_double_booking(floor, book, manager):
    last_week = timezone.localdate() - dt.timedelta(days=7)
    past = book(floor.store, [floor.A3], reservation_date=last_week, check_slot=False, notify=False)
    assert past.id.startswith(f"STORE001-R{last_week:%Y%m%d}-")
    with pytest.raises(Unavailable):
        book(floor.store, [floor.A3], reservation_date=last_week, check_slot=False, notify=False)
    assert not Notification.objects.filter(recipient=manager).exists()


def test_update_publishes_what_changed_after_commit(floor, book, sent, django_capture_on_commit_callbacks):
    reservation = book(floor.store, [floor.A3])
    with django_capture_on_commit_callbacks(execute=True):
        services.reservation_update(reservation=reservation, reservation_time=dt.time(12, 0), tables=[floor.A4])
    updated = [event for groups, event in sent if event["type"] == "reservation.updated"]
    assert len(updated) == 1
    assert updated[0]["data"]["id"] == reservation.pk
    assert updated[0]["data"]["tables"] == ["A4"]
    assert updated[0]["data"]["changed"] == ["reservation_time", "tables"]
    with django_capture_on_commit_callbacks(execute=True):
        services.reservation_update(reservation=reservation, notes="")  # nothing changes: nothing sent
    assert len([e for _g, e in sent if e["type"] == "reservation.updated"]) == 1
