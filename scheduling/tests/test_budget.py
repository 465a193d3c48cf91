"""The labor budget: demand trimmed or extended towards the target, and the week's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order
from scheduling import budget as b
from scheduling import selectors, services
from scheduling.demand import Period
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory


def period(name="dinner", hours=6.0, needs=None, ratios=None, minimums=None) -> Period:
    p = Period(name=name, shift_type="evening", open=17 * 60, close=22 * 60, start=16 * 60 + 30, end=22 * 60 + 30)
    assert p.hours == 6.0
    p.needs = dict(needs or {})
    p.ratios = dict(ratios or {})
    p.minimums = dict(minimums or {})
    return p


WAGES = {"waiter": 2000.0, "chef": 4000.0, "": 3000.0}


def test_position_wages_and_planned_cost():
    wages = b.position_wages([("waiter", 2000), ("waiter", 3000), ("chef", 5000)])
    assert wages == {"waiter": 2500, "chef": 5000, "": pytest.approx(10000 / 3)}
    p = period(needs={"waiter": 2, "chef": 1})
    p.extra = {"waiter": 1}
    # (2 + 1) waiters x 6 h x 20 yuan + 1 chef x 6 h x 40 yuan
    assert b.planned_cost_cents([p], WAGES) == 3 * 6 * 2000 + 6 * 4000
    assert b.planned_cost_cents([p], WAGES, extra=False) == 2 * 6 * 2000 + 6 * 4000


def test_over_budget_trims_the_least_needed_head_never_below_the_minimum():
    p = period(
        needs={"waiter": 4, "chef": 2},
        ratios={"waiter": 3.1, "chef": 1.9},  # 3.1 / 3 = 1.03 per waiter left, 1.9 / 1 = 1.9 per chef
        minimums={"waiter": 1, "chef": 1},
    )
    # Planned 4 x 12000 + 2 x 24000 = 96000; 20 % of 420000 = 84000: one waiter (12000) goes.
    summary = b.apply_budget([p], sales_cents=420_000, target_percent=Decimal("20"), wages=WAGES)
    assert p.needs == {"waiter": 3, "chef": 2} and p.extra == {}
    assert summary == {
        "forecast_sales_cents": 420_000,
        "target_labor_percent": 20.0,
        "labor_budget_cents": 84_000,
        "planned_labor_cost_cents": 84_000,
        "trimmed_heads": 1,
        "extra_heads": 0,
    }
    # A tiny budget stops at the minimums.
    b.apply_budget([p], sales_cents=1000, target_percent=Decimal("10"), wages=WAGES)
    assert p.needs == {"waiter": 1, "chef": 1}


def test_under_budget_adds_optional_heads_only_where_a_head_serves_over_its_ratio():
    p = period(needs={"waiter": 3, "chef": 1}, ratios={"waiter": 3.15, "chef": 1.0, "host": 0.1})
    summary = b.apply_budget([p], sales_cents=10_000_000, target_percent=Decimal("50"), wages=WAGES)
    # Waiters run at 3.15 / 3 heads: one more fits the budget; the chef is at his ratio; no host asked.
    assert p.extra == {"waiter": 1} and p.needs == {"waiter": 3, "chef": 1}
    assert summary["extra_heads"] == 1 and summary["planned_labor_cost_cents"] == 4 * 12000 + 24000


def test_no_target_keeps_the_demand():
    p = period(needs={"waiter": 9}, ratios={"waiter": 9.1})
    summary = b.apply_budget([p], sales_cents=1, target_percent=None, wages=WAGES)
    assert p.needs == {"waiter": 9} and p.extra == {} and summary["labor_budget_cents"] is None


def test_a_higher_target_never_plans_fewer_hours():
    def hours(target):
        periods = [
            period("lunch", needs={"waiter": 3, "chef": 2}, ratios={"waiter": 2.9, "chef": 1.5}, minimums={"chef": 1}),
            period("dinner", needs={"waiter": 6, "chef": 3}, ratios={"waiter": 6.1, "chef": 3.15}),
        ]
        b.apply_budget(periods, sales_cents=600_000, target_percent=target, wages=WAGES)
        return sum(p.hours * (sum(p.needs.values()) + sum(p.extra.values())) for p in periods)

    planned = [hours(Decimal(t)) for t in (1, 5, 10, 15, 20, 25, 30, 50, 100)]
    assert planned == sorted(planned) and planned[0] < planned[-1]


# --- with the database -----------------------------------------------------------------------------


def _sales(store, day: dt.date, total_cents: int, hour: int = 19, orders: int = 30):
    tz = timezone.get_current_timezone()
    Order.objects.bulk_create(
        Order(
            id=f"{store.pk}-{day:%Y%m%d}-S{hour:02d}{i:03d}",
            store=store,
            order_time=timezone.make_aware(dt.datetime.combine(day, dt.time(hour, i % 60)), tz),
            status=Order.Status.COMPLETED,
            guest_count=3,
            subtotal_cents=total_cents // orders,
            total_cents=total_cents // orders,
        )
        for i in range(orders)
    )


@pytest.mark.django_db
def test_week_budget_figures_against_hand_computed_costs(store):
    store.target_labor_percent = Decimal("25.00")
    store.save()
    for k in range(1, 5):  # four Wednesdays of 6000 yuan before DAY
        _sales(store, DAY - dt.timedelta(weeks=k), 600_000)
    waiter = EmployeeFactory(store=store, position="waiter", hourly_wage_cents=2500)
    chef = EmployeeFactory(store=store, position="chef", hourly_wage_cents=4000)
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(16))  # 6 h
    ShiftFactory(schedule=schedule, employee=chef, start_time=dt.time(16), end_time=dt.time(23, 30))  # 7.5 h
    thursday = ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=1))
    ShiftFactory(schedule=thursday, employee=waiter, start_time=dt.time(17), end_time=dt.time(21))  # 4 h

    figures = selectors.schedule_budget(schedule=schedule, today=DAY)
    assert figures["week_start"] == dt.date(2026, 11, 30) and figures["week_end"] == dt.date(2026, 12, 6)
    wednesday = figures["days"][2]
    # 6 h x 25 yuan + 7.5 h x 40 yuan = 450 yuan against 6000 yuan forecast: 7.50 %
    assert wednesday == {
        "date": DAY,
        "has_schedule": True,
        "forecast_sales_cents": 600_000,
        "actual_sales_cents": None,
        "scheduled_hours": 13.5,
        "labor_cost_cents": 45_000,
        "labor_percent": Decimal("7.50"),
        "target_labor_percent": Decimal("25.00"),
    }
    assert figures["days"][3]["labor_cost_cents"] == 10_000 and figures["days"][3]["labor_percent"] is None
    monday = figures["days"][0]
    assert monday["actual_sales_cents"] == 0 and monday["has_schedule"] is False
    assert figures["week"] == {
        "forecast_sales_cents": 600_000,
        "actual_sales_cents": 0,
        "scheduled_hours": 17.5,
        "labor_cost_cents": 55_000,
        "labor_percent": Decimal("9.17"),
        "target_labor_percent": Decimal("25.00"),
    }


@pytest.mark.django_db
def test_budget_endpoint_and_admin_table(actors, client_for):
    store = actors.store
    store.target_labor_percent = Decimal("22.50")
    store.save()
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, start_time=dt.time(10), end_time=dt.time(14))
    body = client_for(actors.manager).get(f"/api/v1/schedules/{schedule.pk}/budget/").json()
    assert body["target_labor_percent"] == "22.50" and len(body["days"]) == 7
    assert body["days"][2]["date"] == str(DAY) and body["days"][2]["scheduled_hours"] == 4.0
    assert body["week"]["forecast_sales_cents"] == 0 and body["week"]["labor_percent"] is None

    web = Client()
    web.force_login(actors.manager)
    page = web.get(f"/admin/scheduling/schedule/{schedule.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert 'class="labor-budget"' in html and "预测销售额" in html and "22.50%" in html


@pytest.mark.django_db
def test_generation_follows_the_budget_direction(busy_store):
    make_staff(busy_store, {**FULL_TEAM, "waiter": 12, "chef": 6})
    for k in range(1, 5):
        _sales(busy_store, DAY - dt.timedelta(weeks=k), 3_000_000, hour=18, orders=1)
    hours = []
    for target in ("3.00", "8.00", "15.00", "60.00"):
        busy_store.target_labor_percent = Decimal(target)
        busy_store.save()
        schedule, report = services.schedule_generate(store=busy_store, day=DAY)
        hours.append(sum(s.hours for s in schedule.shifts.all()))
        assert report["target_labor_percent"] == float(target)
        assert report["labor_budget_cents"] == round(float(target) / 100 * report["forecast_sales_cents"])
    assert hours == sorted(hours) and hours[0] < hours[-1]
