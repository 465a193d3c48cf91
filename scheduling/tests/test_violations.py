"""The rule checker: each kind of violation on hand-made bad schedules, none on generated ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from scheduling import selectors, services
from scheduling.assignment import ShiftRecord, StaffMember, violations
from scheduling.models import Schedule
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.models import Store

UTC = dt.UTC
MONDAY = dt.date(2026, 6, 1)


def at(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=UTC) + dt.timedelta(hours=hour)


def shift(id, day, start, end, employee="A", position="waiter") -> ShiftRecord:
    return ShiftRecord(id, employee, day, at(day, start), at(day, end), position)


STAFF = {
    "A": StaffMember(id="A", position="waiter", skills=("host",), days_off=("sun",), weekly_cap=40),
}


def kinds(shifts) -> list[tuple[str, tuple]]:
    return [(v.kind, v.shifts) for v in violations(shifts, STAFF)]


def test_a_clean_week_has_no_violation():
    week = [shift(i, MONDAY + dt.timedelta(days=i), 10, 15) for i in range(6)]  # 6 x 5 h, Sunday off
    week.append(shift("split", MONDAY, 16.5, 22.5))  # lunch + dinner: 11 h, within the day
    assert kinds(week) == []


def test_each_kind_of_violation_is_found():
    tue, wed = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    assert kinds([shift(1, MONDAY, 10, 15, employee="ghost")]) == [("not_on_staff", (1,))]
    assert kinds([shift(1, MONDAY, 10, 15, position="chef")]) == [("position", (1,))]
    assert kinds([shift(1, MONDAY, 10, 15, position="host")]) == []  # a skill is fine
    assert kinds([shift(1, MONDAY + dt.timedelta(days=6), 10, 15)]) == [("day_off", (1,))]
    assert kinds([shift(1, MONDAY, 10, 15), shift(2, MONDAY, 14, 18)]) == [("overlap", (1, 2))]
    # Closing at 23:00, opening at 7:00 the next day: 8 h of rest.
    assert kinds([shift(1, MONDAY, 17, 23), shift(2, tue, 7, 12)]) == [("rest", (1, 2))]
    assert kinds([shift(1, MONDAY, 17, 23), shift(2, tue, 9, 12)]) == []  # 10 h is enough
    assert kinds([shift(1, wed, 8, 14), shift(2, wed, 14.5, 20.5)]) == [("daily_cap", (1, 2))]
    long_week = [shift(i, MONDAY + dt.timedelta(days=i), 10, 17) for i in range(6)]  # 42 h
    assert kinds(long_week) == [("weekly_cap", tuple(range(6)))]


def test_overnight_shift_overlaps_the_next_morning():
    tue = MONDAY + dt.timedelta(days=1)
    night = ShiftRecord("n", "A", MONDAY, at(MONDAY, 22), at(tue, 6))
    assert kinds([night, shift("m", tue, 5, 10)]) == [("overlap", ("n", "m"))]


@pytest.mark.django_db
def test_schedule_violations_reads_the_database(store):
    waiter, chef = make_staff(store, {"waiter": 1, "chef": 1})
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=waiter, position="chef", start_time=dt.time(10), end_time=dt.time(14))
    ShiftFactory(schedule=schedule, employee=chef, position="chef", start_time=dt.time(10), end_time=dt.time(14))
    found = selectors.schedule_violations(store_id=store.pk, start=DAY, end=DAY)
    assert [(v.kind, v.employee_id) for v in found] == [("position", waiter.pk)]
    assert (
        selectors.schedule_violations(
            store_id=store.pk, start=DAY + dt.timedelta(days=1), end=DAY + dt.timedelta(days=1)
        )
        == []
    )


@pytest.mark.django_db
def test_a_generated_week_breaks_no_rule(busy_store):
    make_staff(busy_store, FULL_TEAM)
    make_staff(busy_store, {"waiter": 2}, preferences={"max_hours_per_week": 20, "days_off": ["sat"]})
    start = DAY - dt.timedelta(days=DAY.weekday())
    results = services.schedule_generate_range(store=busy_store, start=start, end=start + dt.timedelta(days=6))
    assert sum(r["shifts"] for _s, r in results) > 50
    assert selectors.schedule_violations(store_id=busy_store.pk, start=start, end=start + dt.timedelta(days=6)) == []


END_DATE = dt.date(2026, 11, 20)


@pytest.mark.django_db
@pytest.mark.slow
def test_seeded_store_coverage_is_at_least_95_percent_without_violations():
    """A seeded store (its staff, hours and 5 weeks of sales): the generator's own schedules."""
    call_command("seed", "--stores=1", "--days=35", f"--end-date={END_DATE}", "--quiet")
    store = Store.objects.get()
    reports = [s.generation_report for s in Schedule.objects.filter(store=store)]
    demanded = sum(r["demanded_hours"] for r in reports)
    filled = sum(r["filled_hours"] for r in reports)
    assert len(reports) == 35 + 7 and filled / demanded >= 0.95
    first, last = END_DATE - dt.timedelta(days=34), END_DATE + dt.timedelta(days=7)
    assert selectors.schedule_violations(store_id=store.pk, start=first, end=last) == []
