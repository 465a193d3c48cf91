"""Pace for today (dashboard.pace), from a hand-built history of same weekdays."""

import datetime as dt

import pytest

from dashboard.pace import AHEAD, BEHIND, NO_HISTORY, ON_PACE, pace_verdict, today_pace
from orders.models import Order
from orders.tests.factories import OrderFactory
from zhilian.dates import local_midnight
from zhilian.testing.queries import count_queries

# A Sunday afternoon; the history is the four Sundays before it.
NOW_DAY = dt.date(2026, 11, 29)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour, minutes=minute)


def order(store, when, yuan, guests=2, status=Order.Status.COMPLETED):
    return OrderFactory(store=store, order_time=when, items=[("D1", "Dish", 1, yuan * 100)], guest_count=guests,
                        status=status)  # fmt: skip


@pytest.fixture
def history(store, other_store):
    # Each past Sunday: ¥1,000 by 15:00 in two orders (4 covers), and ¥3,000 after 15:00.
    for weeks in (1, 2, 3):
        d = NOW_DAY - dt.timedelta(weeks=weeks)
        order(store, at(d, 11, 30), 400)
        order(store, at(d, 14, 59), 600)
        order(store, at(d, 18), 3000, guests=8)
    # Four weeks back the store was closed: no order that day, so it does not count as a zero.
    # A Saturday and another store's Sunday never count.
    order(store, at(NOW_DAY - dt.timedelta(days=1), 12), 5000)
    order(other_store, at(NOW_DAY - dt.timedelta(weeks=1), 12), 9000)
    return store


def test_verdict_rule():
    assert pace_verdict(1000, 1000)["status"] == ON_PACE
    assert pace_verdict(1049, 1000)["status"] == ON_PACE  # within 5 %
    assert pace_verdict(951, 1000)["status"] == ON_PACE
    assert pace_verdict(940, 1000) == {"actual": 940, "expected": 1000, "difference": -60, "status": BEHIND}
    assert pace_verdict(1100, 1000)["status"] == AHEAD
    assert pace_verdict(10, 0)["status"] == AHEAD  # the same weekdays sold nothing by now
    assert pace_verdict(0, 0)["status"] == ON_PACE
    assert pace_verdict(500, None)["status"] == NO_HISTORY


def test_behind_pace_at_three(history):
    order(history, at(NOW_DAY, 12), 500)
    order(history, at(NOW_DAY, 14), 180, guests=1)
    order(history, at(NOW_DAY, 13), 999, status=Order.Status.CANCELLED)  # cancelled: never counted
    queries, pace = count_queries(lambda: today_pace(store=history, now=at(NOW_DAY, 15)))
    assert queries == 1
    assert pace["as_of"] == "15:00" and pace["samples"] == 3
    # expected by 15:00 = ¥1,000 (the 18:00 orders are later in the day); ¥680 is ¥320 behind
    assert pace["revenue"] == {"actual": 68000, "expected": 100000, "difference": -32000, "status": BEHIND}
    assert pace["covers"] == {"actual": 3, "expected": 4, "difference": -1, "status": BEHIND}


def test_on_pace_and_ahead(history):
    order(history, at(NOW_DAY, 11), 990, guests=4)
    assert today_pace(store=history, now=at(NOW_DAY, 15))["revenue"]["status"] == ON_PACE
    # by 11:45 the Sundays had ¥400: ¥990 is ahead by ¥590
    early = today_pace(store=history, now=at(NOW_DAY, 11, 45))
    assert early["revenue"]["status"] == AHEAD and early["revenue"]["difference"] == 59000


def test_no_history(store):
    order(store, at(NOW_DAY, 10), 100)
    pace = today_pace(store=store, now=at(NOW_DAY, 15))
    assert pace["samples"] == 0 and pace["revenue"]["status"] == NO_HISTORY and pace["revenue"]["actual"] == 10000
