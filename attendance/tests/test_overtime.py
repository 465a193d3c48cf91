"""The overtime split against hand-worked weeks (attendance/overtime.py; docs/architecture.md, "Attendance").

Wage 25 ¥/h throughout; every expected figure below was worked out by hand in the comment above it.
"""

import datetime as dt
from decimal import Decimal

import pytest

from attendance.overtime import HOLIDAY, MAKEUP_WORKDAY, REST_DAY, WORKDAY, Rules, split_week

RULES = Rules()
WAGE = 25_00
H = 60  # minutes in an hour


def week(monday: dt.date, hours: dict[int, float]) -> dict[dt.date, int]:
    """{weekday index: hours} -> {date: minutes}."""
    return {monday + dt.timedelta(days=i): int(h * H) for i, h in hours.items()}


MON = dt.date(2026, 11, 9)  # an ordinary week, no holiday


def test_normal_week_five_times_eight():
    # Mon-Fri 8 h: 40 h regular, no overtime; pay 40 × 25 = 1,000 ¥.
    result = split_week(MON, week(MON, {0: 8, 1: 8, 2: 8, 3: 8, 4: 8}), {}, RULES)
    assert (result.worked, result.regular, result.overtime_workday) == (40 * H, 40 * H, 0)
    assert result.overtime_rest_day == result.overtime_holiday == 0
    assert result.pay_cents(WAGE, RULES) == 1_000_00


def test_week_of_long_days_is_daily_overtime():
    # Mon-Fri 10 h: each day 8 h regular + 2 h workday overtime -> 40 h + 10 h at 1.5×;
    # pay 1,000 + 10 × 25 × 1.5 = 1,375 ¥.
    result = split_week(MON, week(MON, {i: 10 for i in range(5)}), {}, RULES)
    assert (result.regular, result.overtime_workday) == (40 * H, 10 * H)
    assert [d.overtime_workday for d in result.days] == [2 * H] * 5 + [0, 0]
    assert result.pay_cents(WAGE, RULES) == 1_375_00


def test_six_day_week_saturday_is_rest_day_work():
    # Mon-Sat 8 h: Saturday is a rest day -> 40 h regular + 8 h rest-day overtime at 2×;
    # pay 1,000 + 8 × 25 × 2 = 1,400 ¥.
    result = split_week(MON, week(MON, {i: 8 for i in range(6)}), {}, RULES)
    assert [d.kind for d in result.days] == [WORKDAY] * 5 + [REST_DAY, REST_DAY]
    assert (result.regular, result.overtime_workday, result.overtime_rest_day) == (40 * H, 0, 8 * H)
    assert result.pay_cents(WAGE, RULES) == 1_400_00


# National Day 2026: Thu 1 - Sat 3 October statutory, Sun 4 a holiday-break rest day.
NATIONAL_DAY_WEEK = dt.date(2026, 9, 28)
NATIONAL_DAY = {
    dt.date(2026, 10, 1): "holiday",
    dt.date(2026, 10, 2): "holiday",
    dt.date(2026, 10, 3): "holiday",
    dt.date(2026, 10, 4): "rest_day",
}


def test_week_with_statutory_holidays_worked():
    # Mon 8, Tue 8, Wed 9 (1 h daily overtime), Thu 1 Oct 8 and Fri 2 Oct 6 (statutory: 14 h at 3×),
    # Sun 4 Oct 4 (holiday-break rest day: 4 h at 2×).
    # regular 24 h = 600 ¥; workday OT 1 h × 37.5 = 37.5 ¥; holiday 14 h × 75 = 1,050 ¥;
    # rest day 4 h × 50 = 200 ¥ -> 1,887.50 ¥.
    worked = week(NATIONAL_DAY_WEEK, {0: 8, 1: 8, 2: 9, 3: 8, 4: 6, 6: 4})
    result = split_week(NATIONAL_DAY_WEEK, worked, NATIONAL_DAY, RULES)
    assert [d.kind for d in result.days] == [WORKDAY] * 3 + [HOLIDAY] * 3 + [REST_DAY]
    assert result.regular == 24 * H
    assert result.overtime_workday == 1 * H
    assert result.overtime_holiday == 14 * H
    assert result.overtime_rest_day == 4 * H
    assert result.worked == 43 * H
    assert result.pay_cents(WAGE, RULES) == 1_887_50


def test_makeup_workday_week_has_no_overtime():
    # 20 Sep 2026 (a Sunday) is a 调休 make-up workday: Mon-Fri 8 h + Sun 8 h is six ordinary
    # workdays; the weekly limit is 40 + 8 = 48 h -> 48 h regular, no overtime; pay 1,200 ¥.
    monday = dt.date(2026, 9, 14)
    worked = week(monday, {0: 8, 1: 8, 2: 8, 3: 8, 4: 8, 6: 8})
    result = split_week(monday, worked, {dt.date(2026, 9, 20): "workday"}, RULES)
    assert result.days[6].kind == MAKEUP_WORKDAY
    assert (result.regular, result.overtime_workday, result.overtime_rest_day) == (48 * H, 0, 0)
    assert result.pay_cents(WAGE, RULES) == 1_200_00


def test_weekly_limit_after_daily_overtime_without_double_counting():
    # One weekly rest day (Monday): Tue-Sun 9 h. Daily: 6 × 1 h overtime, 6 × 8 = 48 h regular.
    # Weekly: 48 - 40 = 8 h more overtime, taken from the last day (Sunday's 8 regular hours).
    # -> 40 h regular, 6 + 8 = 14 h workday overtime; pay 1,000 + 14 × 37.5 = 1,525 ¥.
    rules = RULES.for_employee(["mon"])
    result = split_week(MON, week(MON, {i: 9 for i in range(1, 7)}), {}, rules)
    assert (result.regular, result.overtime_workday, result.overtime_rest_day) == (40 * H, 14 * H, 0)
    assert result.days[6].regular == 0 and result.days[6].overtime_workday == 9 * H
    assert result.days[5].regular == 8 * H
    assert result.pay_cents(WAGE, rules) == 1_525_00


def test_rules_are_configurable():
    rules = Rules.from_settings({"daily_regular_minutes": 600, "workday_multiplier": "2"})
    assert rules.daily_regular_minutes == 600 and rules.workday_multiplier == Decimal("2")
    result = split_week(MON, week(MON, {0: 11}), {}, rules)
    assert (result.regular, result.overtime_workday) == (10 * H, 1 * H)
    with pytest.raises(ValueError, match="unknown overtime rule"):
        Rules.from_settings({"weekly_hours": 44})
