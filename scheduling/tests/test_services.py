"""Publishing, confirmation, hand-made shifts and labor totals."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from notifications.models import Notification
from scheduling import selectors, services
from scheduling.models import Schedule, Shift
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian import events
from zhilian.errors import DomainError, Forbidden, InvalidInput, InvalidTransition, Locked, NotFound, Unavailable

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 2)


@pytest.fixture
def schedule(store):
    return ScheduleFactory(store=store, schedule_date=DAY)


@pytest.fixture
def waiter(store, staff):
    return EmployeeFactory(store=store, position="waiter", user=staff, hourly_wage_cents=30_00)


# --- publishing --------------------------------------------------------------------------------


def test_publish_freezes_stamps_and_notifies_staff(
    schedule, waiter, manager, store, django_capture_on_commit_callbacks
):
    no_login = EmployeeFactory(store=store, position="chef")
    ShiftFactory(schedule=schedule, employee=waiter)
    ShiftFactory(schedule=schedule, employee=no_login, start_time=dt.time(16), end_time=dt.time(22))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        published = services.schedule_publish(schedule=schedule, user=manager)
    assert published.is_published and published.published_by == manager and published.published_at
    notes = list(Notification.objects.filter(kind="schedule_published"))
    assert [n.recipient for n in notes] == [waiter.user]  # the chef has no login; the manager is not on it
    i18n = notes[0].data.pop("i18n")  # the texts, worded when read (notifications.texts)
    assert notes[0].data == {"schedule": str(schedule.pk), "date": "2026-12-02"}
    assert i18n["title"]["params"] == {"date": "2026-12-02"}
    assert len(callbacks) == 2  # schedule.published + notification.created, both after commit
    with pytest.raises(InvalidTransition):
        services.schedule_publish(schedule=schedule, user=manager)
    with pytest.raises(Locked):
        services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(23), end_time=dt.time(23, 30))
    shift = schedule.shifts.first()
    with pytest.raises(Locked):
        services.shift_update(shift=shift, notes="x")
    with pytest.raises(Locked):
        services.shift_delete(shift=shift)
    with pytest.raises(Locked):
        services.schedule_delete(schedule=schedule)


def test_publish_event_payload(schedule, waiter, manager, monkeypatch):
    sent = []
    monkeypatch.setattr(events, "publish", lambda event, **kw: sent.append((event, kw)))
    ShiftFactory(schedule=schedule, employee=waiter)
    services.schedule_publish(schedule=schedule, user=manager)
    event, kwargs = sent[0]
    assert event == "schedule.published" and kwargs["store_id"] == schedule.store_id
    assert kwargs["data"]["id"] == str(schedule.pk) and kwargs["data"]["shifts"] == 1


# --- confirmation ------------------------------------------------------------------------------


def test_staff_confirm_own_shift_of_published_schedule(schedule, waiter, staff, manager, store):
    mine = ShiftFactory(schedule=schedule, employee=waiter)
    theirs = ShiftFactory(
        schedule=schedule, employee=EmployeeFactory(store=store), start_time=dt.time(16), end_time=dt.time(22)
    )
    with pytest.raises(InvalidTransition) as info:
        services.shift_confirm(shift=mine, user=staff)
    assert info.value.code == "not_published"
    services.schedule_publish(schedule=schedule, user=manager)
    confirmed = services.shift_confirm(shift=mine, user=staff)
    assert confirmed.is_confirmed and confirmed.confirmed_at
    with pytest.raises(InvalidTransition):
        services.shift_confirm(shift=mine, user=staff)
    with pytest.raises(Forbidden):
        services.shift_confirm(shift=theirs, user=staff)
    assert services.shift_confirm(shift=theirs, user=manager).is_confirmed  # a manager may confirm for staff


def test_confirm_other_store_is_not_found(schedule, waiter, manager, other_staff, other_manager):
    shift = ShiftFactory(schedule=schedule, employee=waiter)
    services.schedule_publish(schedule=schedule, user=manager)
    with pytest.raises(NotFound):
        services.shift_confirm(shift=shift, user=other_staff)
    with pytest.raises(NotFound):
        services.shift_confirm(shift=shift, user=other_manager)


# --- hand-made shifts --------------------------------------------------------------------------


def test_manual_shift_overlap_is_refused(schedule, waiter):
    services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(14))
    with pytest.raises(Unavailable) as info:
        services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(13), end_time=dt.time(18))
    assert info.value.status_code == 409 and info.value.code == "shift_overlap"
    # Touching is fine.
    shift = services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(14), end_time=dt.time(18))
    assert shift.shift_type == Shift.Type.AFTERNOON and shift.position == "waiter"
    assert schedule.shifts.count() == 2


def test_manual_overnight_shift_overlaps_next_day(schedule, waiter, store):
    night = services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(22), end_time=dt.time(6))
    assert night.shift_type == Shift.Type.NIGHT
    assert night.ends_at - night.starts_at == dt.timedelta(hours=8)
    assert night.hours == 8
    tomorrow = ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=1))
    with pytest.raises(Unavailable):
        services.shift_create(schedule=tomorrow, employee=waiter, start_time=dt.time(5), end_time=dt.time(9))
    # Touching is no overlap, but the rest between days (generation's rule) refuses it now.
    with pytest.raises(DomainError) as info:
        services.shift_create(schedule=tomorrow, employee=waiter, start_time=dt.time(6), end_time=dt.time(9))
    assert info.value.code == "shift_rest" and info.value.extra["rules"] == ["rest"]
    assert "rest less than 10 h" in info.value.message
    assert services.shift_create(schedule=tomorrow, employee=waiter, start_time=dt.time(16), end_time=dt.time(20))


def test_manual_shift_rules(schedule, waiter, other_store):
    foreign = EmployeeFactory(store=other_store)
    with pytest.raises(InvalidInput) as info:
        services.shift_create(schedule=schedule, employee=foreign, start_time=dt.time(10), end_time=dt.time(14))
    assert info.value.status_code == 400 and "employee" in info.value.errors
    with pytest.raises(InvalidInput):
        services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(10))
    waiter.is_active = False
    waiter.save()
    with pytest.raises(InvalidInput):
        services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(14))


def test_manual_shift_weekly_cap(store, waiter):
    waiter.preferences = {"max_hours_per_week": 20}
    waiter.save()
    monday = DAY - dt.timedelta(days=2)
    for i in range(2):
        sched = ScheduleFactory(store=store, schedule_date=monday + dt.timedelta(days=i))
        services.shift_create(schedule=sched, employee=waiter, start_time=dt.time(9), end_time=dt.time(17))
    wednesday = ScheduleFactory(store=store, schedule_date=DAY)
    with pytest.raises(DomainError) as info:
        services.shift_create(schedule=wednesday, employee=waiter, start_time=dt.time(9), end_time=dt.time(14))
    assert info.value.code == "weekly_hours_cap" and info.value.extra["hours"] == 21
    assert services.shift_create(schedule=wednesday, employee=waiter, start_time=dt.time(9), end_time=dt.time(13))
    # Next week starts from zero.
    next_monday = ScheduleFactory(store=store, schedule_date=monday + dt.timedelta(days=7))
    assert services.shift_create(schedule=next_monday, employee=waiter, start_time=dt.time(9), end_time=dt.time(17))


def test_manual_shift_update_rechecks(schedule, waiter, store):
    first = services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(14))
    second = services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(17), end_time=dt.time(21))
    # 13:00-21:00 overlaps the first and makes 12 h in the day: both rules are listed.
    with pytest.raises(DomainError) as info:
        services.shift_update(shift=second, start_time=dt.time(13))
    assert info.value.status_code == 409 and info.value.code == "shift_rules"
    assert info.value.extra["rules"] == ["overlap", "daily_cap"]
    assert "overlaps this shift" in info.value.message and "daily cap of 11 h" in info.value.message
    # Moving a shift onto its own old time is not an overlap with itself.
    moved = services.shift_update(shift=first, start_time=dt.time(9), end_time=dt.time(13))
    assert moved.starts_at.hour == 9 and moved.hours == 4
    with pytest.raises(InvalidInput):
        services.shift_update(shift=first, is_confirmed=True)
    services.shift_delete(shift=first)
    assert list(schedule.shifts.all()) == [second]


def test_schedule_update_and_delete(schedule, waiter, manager):
    services.schedule_update(schedule=schedule, notes="Busy Friday")
    assert Schedule.objects.get(pk=schedule.pk).notes == "Busy Friday"
    moved = services.schedule_update(schedule=schedule, schedule_date=DAY + dt.timedelta(days=10))
    assert moved.schedule_date == DAY + dt.timedelta(days=10)
    ShiftFactory(schedule=schedule, employee=waiter)
    with pytest.raises(DomainError):
        services.schedule_update(schedule=schedule, schedule_date=DAY)
    with pytest.raises(DomainError):
        services.schedule_create(store=schedule.store, schedule_date=DAY + dt.timedelta(days=10))
    services.schedule_delete(schedule=schedule)
    assert not Shift.objects.exists()


# --- labor -------------------------------------------------------------------------------------


def test_labor_totals_match_a_hand_computation(store, other_store):
    a = EmployeeFactory(store=store, hourly_wage_cents=25_00)
    b = EmployeeFactory(store=store, hourly_wage_cents=33_33)
    day1 = ScheduleFactory(store=store, schedule_date=DAY)
    day2 = ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=1))
    empty = ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=2))
    ShiftFactory(schedule=day1, employee=a, start_time=dt.time(9), end_time=dt.time(15))  # 6 h
    ShiftFactory(schedule=day1, employee=b, start_time=dt.time(16, 30), end_time=dt.time(22, 15))  # 5.75 h
    ShiftFactory(schedule=day2, employee=a, start_time=dt.time(22), end_time=dt.time(2, 30))  # overnight 4.5 h
    ShiftFactory(schedule=ScheduleFactory(store=other_store, schedule_date=DAY))  # elsewhere

    rows = {s.pk: s for s in selectors.schedules_with_labor(Schedule.objects.filter(store=store))}
    assert rows[day1.pk].total_staff == 2
    assert rows[day1.pk].total_seconds == int(11.75 * 3600)
    # 6 h x 25.00 + 5.75 h x 33.33 = 150.00 + 191.6475 -> 341.65 (rounded to the cent)
    assert rows[day1.pk].labor_cost_cents == 15000 + 19165
    assert rows[day2.pk].total_seconds == int(4.5 * 3600) and rows[day2.pk].labor_cost_cents == 11250
    assert (rows[empty.pk].total_staff, rows[empty.pk].total_seconds, rows[empty.pk].labor_cost_cents) == (0, 0, 0)

    totals = selectors.schedule_labor(schedules_queryset=Schedule.objects.filter(store=store))
    assert totals == {"total_staff": 2, "total_hours": 16.25, "labor_cost_cents": 15000 + 19165 + 11250}
    assert selectors.schedule_labor(schedules_queryset=Schedule.objects.none()) == {
        "total_staff": 0,
        "total_hours": 0.0,
        "labor_cost_cents": 0,
    }


# --- constraints -------------------------------------------------------------------------------


def test_shift_end_must_be_after_start_in_the_database(schedule, waiter):
    shift = ShiftFactory(schedule=schedule, employee=waiter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(ends_at=shift.starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(end_time=shift.start_time)


def test_one_schedule_per_store_and_day(schedule):
    with pytest.raises(IntegrityError), transaction.atomic():
        Schedule.objects.create(store=schedule.store, schedule_date=schedule.schedule_date)


def test_published_needs_a_time(schedule):
    with pytest.raises(IntegrityError), transaction.atomic():
        Schedule.objects.filter(pk=schedule.pk).update(is_published=True)
