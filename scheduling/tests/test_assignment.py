"""The pure assignment function: plain values in and out, no database (pytest-django refuses any query here)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduling.assignment import (
    DEFAULT_MAX_HOURS_PER_WEEK,
    Rules,
    Slot,
    StaffMember,
    assign_day,
    staff_member,
    week_bounds,
    weekly_cap,
)

UTC = dt.UTC
DAY = dt.date(2026, 6, 5)  # a Friday


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


def lunch(**needs: int) -> Slot:
    return Slot("lunch", "morning", at(10), at(14, 30), needs)


def dinner(**needs: int) -> Slot:
    return Slot("dinner", "evening", at(16, 30), at(22, 30), needs)


def member(id: str, position: str = "waiter", **kw) -> StaffMember:
    return StaffMember(id=id, position=position, **kw)


def who(result, period: str, position: str) -> list:
    return [a.employee_id for a in result.assignments if a.period == period and a.position == position]


def test_own_position_first_then_a_skill_as_fallback():
    staff = [member("A", "host", skills=("waiter",), performance=99), member("B", "waiter", performance=50)]
    result = assign_day(day=DAY, slots=[lunch(waiter=2)], staff=staff)
    assert [a.employee_id for a in result.assignments] == ["B", "A"]
    assert result.filled == {"lunch": {"waiter": 2}} and not result.gaps


def test_day_off_overlap_and_caps_exclude():
    staff = [
        member("off", days_off=("fri",)),
        member("busy"),  # holds an overnight shift from Thursday that runs into Friday lunch
        member("capped", weekly_cap=40),
        member("free"),
    ]
    result = assign_day(
        day=DAY,
        slots=[lunch(waiter=4)],
        staff=staff,
        booked={"busy": [(at(22, day=DAY - dt.timedelta(days=1)), at(11))]},
        week_hours={"capped": 36.0},  # 36 + 4.5 > 40
    )
    # "capped" cannot take the whole 4.5 h lunch, only a 4 h peak shift (the minimum) inside it.
    assert [(a.employee_id, a.kind, a.hours) for a in result.assignments] == [
        ("free", "full", 4.5),
        ("capped", "peak", 4.0),
    ]
    assert result.staff_on_day_off == 1
    assert result.gaps[0].reason == "staff_unavailable" and result.gaps[0].filled == 2
    assert result.filled_hours == pytest.approx(8.5) and result.demanded_hours == pytest.approx(18)


def test_a_cap_reached_exactly_is_within_it():
    result = assign_day(day=DAY, slots=[lunch(waiter=1)], staff=[member("A", weekly_cap=40)], week_hours={"A": 35.5})
    assert who(result, "lunch", "waiter") == ["A"]


def test_split_day_within_the_daily_maximum_but_no_more():
    late = Slot("late_night", "night", at(22, 30), at(23, 30), {"waiter": 1})
    result = assign_day(day=DAY, slots=[lunch(waiter=1), dinner(waiter=1), late], staff=[member("A")])
    # 4.5 h + 6 h = 10.5 h; one more hour would pass the 11 h day.
    assert {a.period for a in result.assignments} == {"lunch", "dinner"}
    assert [g.period for g in result.gaps] == ["late_night"]


def test_breadth_first_every_period_gets_a_first_head_before_any_a_second():
    staff = [member("A"), member("B")]
    slots = [lunch(waiter=2), dinner(waiter=3)]  # dinner is the peak
    result = assign_day(day=DAY, slots=slots, staff=staff, rules=Rules(max_hours_per_day=7))
    assert len(who(result, "lunch", "waiter")) == 1 and len(who(result, "dinner", "waiter")) == 1
    assert result.assignments[0].period == "dinner", "the peak period is staffed first"


def test_ranking_not_yet_working_then_preferred_shift_then_hours_then_performance_then_id():
    # Equal peaks: lunch (earlier) first, to the best performer; dinner then goes to B, not yet working.
    result = assign_day(
        day=DAY, slots=[lunch(waiter=1), dinner(waiter=1)], staff=[member("A", performance=99), member("B")]
    )
    assert (who(result, "lunch", "waiter"), who(result, "dinner", "waiter")) == (["A"], ["B"])
    pick = lambda staff, **kw: assign_day(day=DAY, slots=[dinner(waiter=1)], staff=staff, **kw).assignments[0]  # noqa: E731
    assert (
        pick([member("A", preferred_shifts=("morning",)), member("B", preferred_shifts=("evening",))]).employee_id
        == "B"
    )
    assert pick([member("A"), member("B")], week_hours={"A": 20.0}).employee_id == "B"
    assert pick([member("A", performance=70), member("B", performance=90)]).employee_id == "B"
    assert pick([member("B"), member("A")]).employee_id == "A"


def test_gap_reasons_hours_and_coverage():
    result = assign_day(day=DAY, slots=[lunch(waiter=2, chef=1)], staff=[member("A")])
    assert [(g.position, g.needed, g.filled, g.reason) for g in result.gaps] == [
        ("waiter", 2, 1, "staff_unavailable"),
        ("chef", 1, 0, "no_staff_in_position"),
    ]
    assert result.demanded_hours == pytest.approx(3 * 4.5)
    assert result.filled_hours == pytest.approx(4.5)
    assert result.coverage == pytest.approx(1 / 3)


def test_closed_day_and_no_staff():
    closed = assign_day(day=DAY, slots=[], staff=[member("A")])
    assert closed.assignments == [] and closed.coverage == 1.0
    nobody = assign_day(day=DAY, slots=[lunch(waiter=1)], staff=[])
    assert nobody.gaps[0].reason == "no_staff_in_position" and nobody.coverage == 0.0


def test_inputs_are_left_as_they_were_and_the_result_is_deterministic():
    booked = {"A": [(at(8), at(9))]}
    week = {"A": 4.0}
    staff = [member("A"), member("B"), member("C", "chef")]
    slots = [lunch(waiter=2, chef=1), dinner(waiter=1, chef=1)]
    first = assign_day(day=DAY, slots=slots, staff=staff, booked=booked, week_hours=week)
    again = assign_day(day=DAY, slots=slots, staff=list(reversed(staff)), booked=booked, week_hours=week)
    assert first == again
    assert booked == {"A": [(at(8), at(9))]} and week == {"A": 4.0}


def test_staff_member_reads_an_employee_and_ignores_malformed_preferences():
    m = staff_member(
        id="E1",
        position="waiter",
        skills=["host"],
        preferences={"days_off": ["mon"], "preferred_shifts": ["evening"], "max_hours_per_week": 30},
        performance_score="88.50",
    )
    assert (m.skills, m.days_off, m.preferred_shifts, m.weekly_cap, m.performance) == (
        ("host",),
        ("mon",),
        ("evening",),
        30.0,
        88.5,
    )
    junk = staff_member(
        id="E2", position="chef", skills="chef", preferences={"days_off": "mon"}, performance_score=None
    )
    assert (junk.skills, junk.days_off, junk.weekly_cap, junk.performance) == ((), (), 44.0, 0.0)
    assert weekly_cap({"max_hours_per_week": True}) == weekly_cap(None) == DEFAULT_MAX_HOURS_PER_WEEK


def test_week_bounds_is_the_iso_week():
    assert week_bounds(DAY) == (dt.date(2026, 6, 1), dt.date(2026, 6, 7))
