"""Availability per weekday: generation keeps shifts inside the ranges, manual edits are refused
outside them (the one rule function, with every broken rule listed)."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from scheduling import services
from scheduling.assignment import ShiftRecord, shift_refusals, staff_member
from scheduling.models import Availability, Shift
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from scheduling.tests.factories import AvailabilityFactory, ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.errors import DomainError, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages and notification titles are read in English here, whatever an
    earlier test left active."""
    with translation.override("en"):
        yield


WEDNESDAY = DAY.weekday()


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def member(**kw):
    return staff_member(id="E1", position="waiter", skills=[], preferences={}, performance_score=0, **kw)


def test_ranges_a_shift_must_fit_in():
    lunch_only = member(availability={WEDNESDAY: ((dt.time(10), dt.time(15)),)})
    assert lunch_only.available(DAY, at(DAY, 11), at(DAY, 14))
    assert not lunch_only.available(DAY, at(DAY, 14), at(DAY, 18))  # runs past the range
    assert lunch_only.available(DAY + dt.timedelta(days=1), at(DAY, 17), at(DAY, 22))  # Thursday: no ranges
    late = member(availability={WEDNESDAY: ((dt.time(10), dt.time(14)), (dt.time(18), dt.time(2)))})
    next_day = DAY + dt.timedelta(days=1)
    assert late.available(DAY, at(DAY, 22), at(next_day, 1))  # overnight range
    assert not late.available(DAY, at(DAY, 13), at(DAY, 19))  # spans the break between ranges


def test_shift_refusals_lists_every_broken_rule():
    prefs_member = staff_member(
        id="E1",
        position="waiter",
        skills=[],
        preferences={"days_off": ["wed"], "max_hours_per_week": 10},
        performance_score=0,
        availability={WEDNESDAY: ((dt.time(10), dt.time(14)),)},
        leave=[DAY],
    )
    yesterday = DAY - dt.timedelta(days=1)
    others = [ShiftRecord("late", "E1", yesterday, at(yesterday, 18), at(DAY, 2))]
    shift = ShiftRecord("new", "E1", DAY, at(DAY, 6), at(DAY, 15), "chef")
    kinds = [v.kind for v in shift_refusals(prefs_member, shift, others)]
    assert kinds == ["position", "day_off", "leave", "availability", "rest", "weekly_cap"]
    ok = ShiftRecord("ok", "E1", DAY, at(DAY, 10), at(DAY, 14), "waiter")
    assert shift_refusals(member(), ok, []) == []


def test_generation_keeps_inside_availability(busy_store):
    team = make_staff(busy_store, FULL_TEAM)
    waiters = [e for e in team if e.position == "waiter"]
    # Half the waiters only work lunches on Wednesdays.
    lunch_only = waiters[:4]
    for e in lunch_only:
        AvailabilityFactory(employee=e, weekday=WEDNESDAY, start_time=dt.time(9), end_time=dt.time(15))
    services.schedule_generate(store=busy_store, day=DAY)
    shifts = list(Shift.objects.filter(employee__in=lunch_only))
    for shift in shifts:
        local_start = timezone.localtime(shift.starts_at).time()
        local_end = timezone.localtime(shift.ends_at)
        assert local_start >= dt.time(9) and local_end.date() == DAY and local_end.time() <= dt.time(15), shift
    others = Shift.objects.filter(employee__in=waiters[4:])
    assert any(timezone.localtime(s.ends_at).time() > dt.time(15) for s in others)  # dinner is staffed by the rest
    assert services_violations(busy_store) == []


def services_violations(store):
    from scheduling.selectors import schedule_violations

    return schedule_violations(store_id=store.pk, start=DAY, end=DAY)


def test_manual_shift_outside_availability_is_refused_with_the_rules(store, manager):
    waiter = EmployeeFactory(store=store, position="waiter", name="Zhao Lei")
    AvailabilityFactory(employee=waiter, weekday=WEDNESDAY, start_time=dt.time(10), end_time=dt.time(14))
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    ok = services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(14))
    with pytest.raises(DomainError) as info:
        services.shift_update(shift=ok, end_time=dt.time(16))
    assert info.value.code == "shift_availability" and info.value.extra["rules"] == ["availability"]
    assert "not available" in info.value.message and "Zhao Lei" in info.value.message
    # A late shift the day before leaves too little rest, and the weekday's range is missed too.
    yesterday = ScheduleFactory(store=store, schedule_date=DAY - dt.timedelta(days=1))
    ShiftFactory(schedule=yesterday, employee=waiter, start_time=dt.time(18), end_time=dt.time(23))
    with pytest.raises(DomainError) as info:
        services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(6), end_time=dt.time(9))
    assert info.value.code == "shift_rules" and info.value.extra["rules"] == ["availability", "rest"]
    assert "rest less than 10 h" in info.value.message and "not available" in info.value.message


def test_availability_service_validates_and_audits(store, manager):
    waiter = EmployeeFactory(store=store)
    row = services.availability_create(
        employee=waiter, weekday=2, start_time=dt.time(10), end_time=dt.time(14), user=manager
    )
    with pytest.raises(InvalidInput) as info:
        services.availability_create(employee=waiter, weekday=2, start_time=dt.time(9), end_time=dt.time(9))
    assert "end_time" in info.value.errors
    with pytest.raises(InvalidInput):
        services.availability_create(employee=waiter, weekday=7, start_time=dt.time(9), end_time=dt.time(12))
    with pytest.raises(DomainError) as info:
        services.availability_create(employee=waiter, weekday=2, start_time=dt.time(10), end_time=dt.time(12))
    assert info.value.code == "duplicate"
    services.availability_update(availability=row, end_time=dt.time(15), user=manager)
    assert Availability.objects.get(pk=row.pk).end_time == dt.time(15)
    services.availability_delete(availability=row, user=manager)
    assert not Availability.objects.exists()
