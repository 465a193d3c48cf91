"""Labor in the KPIs: scheduled hours until a store-day has punches, then what was worked, paid with overtime."""

import datetime as dt
from decimal import Decimal

from attendance.selectors import daily_actual_labor
from attendance.tests.conftest import make_shift
from attendance.tests.factories import PublicHolidayFactory, TimeEntryFactory, local
from kpis.compute import collect_figures
from scheduling.selectors import daily_labor
from stores.tests.factories import EmployeeFactory

MONDAY = dt.date(2026, 11, 9)


def _worked(employee, day, hours):
    TimeEntryFactory(employee=employee, business_date=day, clock_in_at=local(day, 9),
                     clock_out_at=local(day, 9) + dt.timedelta(hours=hours), break_seconds=0)  # fmt: skip


def test_kpi_labor_uses_actual_hours_and_overtime_pay_once_punches_exist(actors):
    cook = EmployeeFactory(store=actors.store, hourly_wage_cents=25_00)
    for offset in range(2):
        make_shift(cook, MONDAY + dt.timedelta(days=offset), dt.time(9), dt.time(17))  # 8 h scheduled, 200 ¥
    # Monday: 10 h worked = 8 h regular + 2 h at 1.5× = 11 paid hours = 275 ¥. Tuesday: no punches.
    _worked(cook, MONDAY, 10)
    figures = collect_figures([actors.store.pk], MONDAY, MONDAY + dt.timedelta(days=1))
    monday, tuesday = figures[(actors.store.pk, MONDAY)], figures[(actors.store.pk, MONDAY + dt.timedelta(days=1))]
    assert (monday.labor_hours, monday.labor_cost_cents) == (Decimal(10), Decimal(275_00))
    assert (tuesday.labor_hours, tuesday.labor_cost_cents) == (Decimal(8), Decimal(200_00))
    # Without `actual`, scheduling's own figures stay the schedule's (the budget views read them).
    scheduled = {
        row["schedule_date"]: row["labor_cost_cents"] for row in daily_labor([actors.store.pk], MONDAY, MONDAY)
    }
    assert scheduled == {MONDAY: 200_00}


def test_actual_labor_splits_by_the_week_and_the_calendar(actors):
    waiter = EmployeeFactory(store=actors.store, hourly_wage_cents=20_00)
    PublicHolidayFactory(date=MONDAY + dt.timedelta(days=2), kind="holiday")
    for offset, hours in {0: 8, 1: 8, 2: 8, 5: 4}.items():
        _worked(waiter, MONDAY + dt.timedelta(days=offset), hours)
    rows = {
        row["schedule_date"]: row
        for row in daily_actual_labor([actors.store.pk], MONDAY, MONDAY + dt.timedelta(days=6))
    }
    # Mon, Tue: 8 h × 20 ¥ = 160 ¥; Wed (statutory holiday): 8 h × 60 ¥ = 480 ¥; Sat (rest day): 4 h × 40 ¥ = 160 ¥.
    assert {day.weekday(): row["labor_cost_cents"] for day, row in rows.items()} == {
        0: 160_00, 1: 160_00, 2: 480_00, 5: 160_00
    }  # fmt: skip
    assert rows[MONDAY + dt.timedelta(days=5)]["total_seconds"] == 4 * 3600
