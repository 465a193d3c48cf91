"""A store with lunch and dinner service, order history concentrated at dinner, and staff."""

import datetime as dt

import pytest
from django.utils import timezone

from orders.models import Order
from stores.models import WEEKDAYS
from stores.tests.factories import EmployeeFactory

# A Wednesday; its history is the four Wednesdays before it.
DAY = dt.date(2026, 12, 2)
HOURS = {day: [["11:00", "14:00"], ["17:00", "22:00"]] for day in WEEKDAYS}


def make_history(store, day=DAY, weeks=4, per_hour=None, guests=3):
    """Orders on the same weekday of past weeks: {hour: orders}; dinner busy, lunch quiet by default."""
    per_hour = per_hour or {12: 2, 18: 30, 19: 30}
    tz = timezone.get_current_timezone()
    rows = []
    for week in range(1, weeks + 1):
        past = day - dt.timedelta(weeks=week)
        for hour, count in per_hour.items():
            for i in range(count):
                rows.append(
                    Order(
                        id=f"{store.pk}-{past:%Y%m%d}-{hour:02d}{i:03d}",
                        store=store,
                        order_time=timezone.make_aware(dt.datetime.combine(past, dt.time(hour, i % 60)), tz),
                        status=Order.Status.COMPLETED,
                        guest_count=guests,
                    )
                )
    # A cancelled rush that must not count as demand.
    past = day - dt.timedelta(weeks=1)
    rows += [
        Order(
            id=f"{store.pk}-{past:%Y%m%d}-X{i:03d}",
            store=store,
            order_time=timezone.make_aware(dt.datetime.combine(past, dt.time(15, i)), tz),
            status=Order.Status.CANCELLED,
            guest_count=4,
        )
        for i in range(50)
    ]
    Order.objects.bulk_create(rows)


def make_staff(store, counts, **kwargs):
    """{"waiter": 8, "chef": 1, ...} -> employees of `store`."""
    made = []
    for position, n in counts.items():
        for _ in range(n):
            made.append(EmployeeFactory(store=store, position=position, skills=[], **kwargs))
    return made


FULL_TEAM = {"waiter": 8, "host": 2, "chef": 4, "kitchen_helper": 3, "cashier": 2, "dishwasher": 3}


@pytest.fixture
def busy_store(store):
    store.business_hours = HOURS
    store.save(update_fields=["business_hours"])
    make_history(store)
    return store
