"""The demand model's two forms of the hourly load agree: SQL (the service) and in memory (the seed)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.utils import timezone

from orders.models import Order
from scheduling import demand
from scheduling.tests.conftest import DAY


@pytest.mark.django_db
def test_average_hourly_matches_the_sql_history(busy_store):
    daily: dict[dt.date, dict[int, tuple[int, int]]] = defaultdict(dict)
    for order in Order.objects.filter(store=busy_store).exclude(status=Order.Status.CANCELLED):
        local = timezone.localtime(order.order_time)
        orders, guests = daily[local.date()].get(local.hour, (0, 0))
        daily[local.date()][local.hour] = (orders + 1, guests + order.guest_count)
    for day, weeks in ((DAY, 8), (DAY, 2), (DAY + dt.timedelta(days=1), 8)):
        assert demand.average_hourly(daily, day, weeks) == demand.hourly_history(store=busy_store, day=day, weeks=weeks)


def test_periods_and_head_count_without_a_database():
    periods = demand.periods_for_hours([["17:00", "22:00"], ["11:00", "14:00"], ["bad"]])
    assert [(p.name, p.start_time, p.end_time) for p in periods] == [
        ("lunch", dt.time(10, 30), dt.time(14, 30)),
        ("dinner", dt.time(16, 30), dt.time(22, 30)),
    ]
    demand.apply_load(periods, {18: {"orders": 30, "guests": 90}}, demand.staffing_rules_from({}))
    assert periods[0].needs == {"waiter": 1, "chef": 1, "cashier": 1}
    assert periods[1].needs["waiter"] == 6
    slot = periods[1].slot(DAY)
    assert (slot.hours, slot.needs) == (6.0, periods[1].needs)
    rules = demand.staffing_rules_from({"staffing": {"waiter": {"per_head": 30, "minimum": 2}, "chef": "x"}})
    assert rules["waiter"] == ("guests", 30.0, 2) and rules["chef"] == demand.STAFFING["chef"]
