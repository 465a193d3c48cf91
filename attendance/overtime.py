"""The overtime rule set of the timesheets: pure functions over one employee's week (no database).

Defaults are China's standard working-hour system (标准工时制): 8 h a day and 40 h a week regular,
overtime paid 1.5× on workdays, 2× on rest days and 3× on statutory holidays. How a week is
split, in this order (docs/architecture.md, "Attendance"):

1. Each day gets a kind: a statutory holiday or a holiday-break rest day of the calendar
   (`PublicHoliday`), a make-up workday (调休上班) of the calendar, else a rest day when its
   weekday is one of the employee's rest days (Saturday and Sunday by default), else a workday.
2. Every minute worked on a statutory holiday is holiday overtime (3×); on a rest day (weekly
   or holiday-break) rest-day overtime (2×). Neither counts toward the regular hours.
3. On a workday the first `daily_regular_minutes` (480) are regular; the rest is workday
   overtime (1.5×): daily overtime first.
4. Then the week: regular minutes beyond the weekly limit are moved to workday overtime, taken
   from the latest workdays first. The limit is `weekly_regular_minutes` (2400) plus one day's
   regular minutes per make-up workday of the week (a 调休 week has six ordinary workdays, and
   working them is not overtime). Minutes already overtime in step 2 or 3 are never counted twice.

Minutes are integers; the day of an entry is its business date (an overnight shift counts for
the day it started).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

WORKDAY, REST_DAY, HOLIDAY, MAKEUP_WORKDAY = "workday", "rest_day", "holiday", "makeup_workday"


@dataclass(frozen=True)
class Rules:
    daily_regular_minutes: int = 8 * 60
    weekly_regular_minutes: int = 40 * 60
    workday_multiplier: Decimal = Decimal("1.5")
    rest_day_multiplier: Decimal = Decimal("2")
    holiday_multiplier: Decimal = Decimal("3")
    rest_days: tuple[str, ...] = field(default=("sat", "sun"))

    @classmethod
    def from_settings(cls, overrides: Mapping | None = None) -> Rules:
        """The defaults with the keys of `overrides` (settings.ZHILIAN_OVERTIME_RULES) replaced."""
        if overrides is None:
            from django.conf import settings

            overrides = getattr(settings, "ZHILIAN_OVERTIME_RULES", {}) or {}
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in overrides.items():
            if key not in known:
                raise ValueError(f"unknown overtime rule {key!r}")
            if key.endswith("_multiplier"):
                value = Decimal(str(value))
            elif key == "rest_days":
                value = tuple(value)
            else:
                value = int(value)
            values[key] = value
        return replace(cls(), **values)

    def for_employee(self, days_off: Iterable[str] | None) -> Rules:
        """An employee's own weekly rest days (their `days_off` preference) replace the default."""
        days = tuple(d for d in (days_off or ()) if d in WEEKDAY_KEYS)
        return replace(self, rest_days=days) if days else self


@dataclass
class Day:
    date: dt.date
    kind: str
    worked: int = 0
    regular: int = 0
    overtime_workday: int = 0
    overtime_rest_day: int = 0
    overtime_holiday: int = 0

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "worked_minutes": self.worked,
            "regular_minutes": self.regular,
            "overtime_workday_minutes": self.overtime_workday,
            "overtime_rest_day_minutes": self.overtime_rest_day,
            "overtime_holiday_minutes": self.overtime_holiday,
        }


@dataclass
class Week:
    days: list[Day]

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)

    @property
    def worked(self) -> int:
        return self.total("worked")

    @property
    def regular(self) -> int:
        return self.total("regular")

    @property
    def overtime_workday(self) -> int:
        return self.total("overtime_workday")

    @property
    def overtime_rest_day(self) -> int:
        return self.total("overtime_rest_day")

    @property
    def overtime_holiday(self) -> int:
        return self.total("overtime_holiday")

    def pay_exact(self, hourly_wage_cents: int, rules: Rules) -> Decimal:
        """Gross pay in cents, unrounded: regular minutes at the wage, each overtime category at its multiplier."""
        weighted = (
            Decimal(self.regular)
            + Decimal(self.overtime_workday) * rules.workday_multiplier
            + Decimal(self.overtime_rest_day) * rules.rest_day_multiplier
            + Decimal(self.overtime_holiday) * rules.holiday_multiplier
        )
        return weighted * hourly_wage_cents / 60

    def pay_cents(self, hourly_wage_cents: int, rules: Rules) -> int:
        return int(self.pay_exact(hourly_wage_cents, rules).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def day_kind(day: dt.date, calendar: Mapping[dt.date, str], rules: Rules) -> str:
    """`calendar` maps a date to a PublicHoliday kind ("holiday", "rest_day", "workday")."""
    marked = calendar.get(day)
    if marked == "holiday":
        return HOLIDAY
    if marked == "rest_day":
        return REST_DAY
    if marked == "workday":
        return MAKEUP_WORKDAY
    return REST_DAY if WEEKDAY_KEYS[day.weekday()] in rules.rest_days else WORKDAY


def split_week(
    week_start: dt.date, worked: Mapping[dt.date, int], calendar: Mapping[dt.date, str], rules: Rules
) -> Week:
    """Split the minutes worked per day of the week starting `week_start` (a Monday)."""
    days = []
    for offset in range(7):
        date = week_start + dt.timedelta(days=offset)
        day = Day(date=date, kind=day_kind(date, calendar, rules), worked=int(worked.get(date, 0)))
        if day.kind == HOLIDAY:
            day.overtime_holiday = day.worked
        elif day.kind == REST_DAY:
            day.overtime_rest_day = day.worked
        else:
            day.regular = min(day.worked, rules.daily_regular_minutes)
            day.overtime_workday = day.worked - day.regular
        days.append(day)
    makeup_days = sum(1 for day in days if day.kind == MAKEUP_WORKDAY)
    limit = rules.weekly_regular_minutes + makeup_days * rules.daily_regular_minutes
    excess = sum(day.regular for day in days) - limit
    for day in reversed(days):
        if excess <= 0:
            break
        moved = min(excess, day.regular)
        day.regular -= moved
        day.overtime_workday += moved
        excess -= moved
    return Week(days=days)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
