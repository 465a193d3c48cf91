"""The sales forecast (same weekday, trend, holidays), its SQL history and its measured error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from orders.models import Order
from scheduling import forecast as fc

DAY = dt.date(2026, 12, 2)  # a Wednesday
ONE = dt.timedelta(days=1)
# Revenue (yuan) per weekday: quiet Monday to Thursday, busy weekend.
PATTERN = {0: 900, 1: 1000, 2: 1100, 3: 1200, 4: 1800, 5: 2600, 6: 2400}
HOURS = {12: 0.4, 19: 0.6}  # a day's revenue split between lunch and dinner


def history(days: int = 56, level=lambda d: PATTERN[d.weekday()] * 100, end: dt.date = DAY) -> fc.SalesHistory:
    """`days` days before `end`, each with its revenue (cents) split over HOURS, 1 order per 100 yuan."""
    out = {}
    for i in range(1, days + 1):
        d = end - ONE * i
        total = level(d)
        out[d] = {h: (total * share, total * share / 10000, total * share / 5000) for h, share in HOURS.items()}
    return out


def test_a_weekday_pattern_without_trend_is_forecast_exactly():
    past = history()
    for day in (DAY + ONE * k for k in range(7)):
        f = fc.forecast_from_history({d: v for d, v in past.items() if d < day}, day, cutoff=min(day, DAY))
        assert f.samples == 8 and f.trend == pytest.approx(1.0)
        assert f.revenue_cents == PATTERN[day.weekday()] * 100
        assert f.hourly[19][0] == pytest.approx(PATTERN[day.weekday()] * 100 * 0.6)
        assert f.load()[12]["orders"] == pytest.approx(PATTERN[day.weekday()] * 100 * 0.4 / 10000)


def test_a_linear_trend_is_projected_to_the_day():
    # Flat weekdays growing 1 yuan a day: the base (8 past Wednesdays, mean 36 days back) is 36
    # yuan below the day's level; the block means grow on the same line, so the projection is exact.
    start = DAY - ONE * 56
    level = lambda d: 100_000 + 100 * (d - start).days  # noqa: E731
    f = fc.forecast_from_history(history(level=level), DAY, weeks=8)
    base = sum(level(DAY - dt.timedelta(weeks=k)) for k in range(1, 9)) / 8
    assert f.trend == pytest.approx(level(DAY) / base)
    assert f.revenue_cents == level(DAY)


def test_pattern_and_trend_together_land_within_one_percent():
    start = DAY - ONE * 56
    level = lambda d: PATTERN[d.weekday()] * 100 * (1 + 0.005 * (d - start).days)  # noqa: E731
    past = history(level=level)
    for day in (DAY, DAY + ONE * 3):  # Wednesday, and a Saturday three days ahead (data up to today)
        f = fc.forecast_from_history(past, day, cutoff=DAY)
        assert f.revenue_cents == pytest.approx(level(day), rel=0.01)


def test_trend_is_clamped_and_needs_two_whole_weeks():
    assert fc.forecast_from_history(history(days=13), DAY).trend == 1.0  # one whole block only
    boom = lambda d: 10_000 * 3 ** ((d - DAY).days / 7 + 8)  # noqa: E731  (tripling every week)
    assert fc.forecast_from_history(history(level=boom), DAY).trend == fc.TREND_MAX


def test_holidays_are_left_out_of_the_base_and_scale_the_day():
    past = history(days=70)
    spike = DAY - dt.timedelta(weeks=2)
    past[spike] = {h: (v[0] * 3, v[1] * 3, v[2] * 3) for h, v in past[spike].items()}
    plain = fc.forecast_from_history(past, DAY)
    assert plain.revenue_cents > 1100 * 100  # the spike is in the base
    f = fc.forecast_from_history(past, DAY, holidays={spike: None})
    assert f.samples == 8 and f.revenue_cents == 1100 * 100  # left out: the 8 Wednesdays before it instead
    assert fc.forecast_from_history(past, DAY, holidays={spike: None, DAY: 1.5}).revenue_cents == 1650 * 100
    # No factor given: what past holidays did against their same-weekday neighbours (3x here).
    assert fc.forecast_from_history(past, DAY, holidays={spike: None, DAY: None}).holiday_factor == pytest.approx(3)


def test_days_that_did_not_trade_and_days_after_the_cutoff_are_not_samples():
    past = history(days=21)
    del past[DAY - dt.timedelta(weeks=1)]
    f = fc.forecast_from_history(past, DAY)
    assert f.samples == 2
    assert fc.forecast_from_history({}, DAY).revenue_cents == 0
    assert fc.forecast_from_history(past, DAY + dt.timedelta(weeks=1), cutoff=DAY).samples == 2


def test_mape_and_wape_on_a_tiny_example():
    pairs = [(110, 100), (90, 100), (300, 200), (5, 0)]  # a zero actual cannot be scored
    assert fc.mape(pairs) == pytest.approx((0.1 + 0.1 + 0.5) / 3)
    assert fc.wape(pairs) == pytest.approx((10 + 10 + 100 + 5) / 400)
    assert fc.mape([]) is None and fc.wape([(1, 0)]) is None


def _orders(store, day: dt.date, times_and_totals, status=Order.Status.COMPLETED):
    tz = timezone.get_current_timezone()
    Order.objects.bulk_create(
        Order(
            id=f"{store.pk}-{day:%Y%m%d}-{status[:2]}{i:03d}",
            store=store,
            order_time=timezone.make_aware(dt.datetime.combine(day, t), tz),
            status=status,
            guest_count=2,
            subtotal_cents=total,
            total_cents=total,
        )
        for i, (t, total) in enumerate(times_and_totals)
    )


@pytest.mark.django_db
def test_sales_by_hour_is_one_sql_aggregate_per_local_day_and_hour(store, other_store, django_assert_num_queries):
    _orders(store, DAY, [(dt.time(0, 30), 1000), (dt.time(12, 5), 2000), (dt.time(12, 55), 3000)])
    _orders(store, DAY, [(dt.time(12, 0), 99999)], status=Order.Status.CANCELLED)
    _orders(other_store, DAY, [(dt.time(12, 0), 5000)])
    with django_assert_num_queries(1):
        got = fc.sales_by_hour(store_ids=[store.pk, other_store.pk], start=DAY, end=DAY + ONE)
    # 00:30 local is the previous day in UTC: it stays on the local day.
    assert got[store.pk] == {DAY: {0: (1000.0, 1.0, 2.0), 12: (5000.0, 2.0, 4.0)}}
    assert got[other_store.pk] == {DAY: {12: (5000.0, 1.0, 2.0)}}


@pytest.mark.django_db
def test_accuracy_forecasts_each_day_from_the_days_before_it(store):
    for k in range(1, 6):
        for d in (DAY - dt.timedelta(weeks=k), DAY - dt.timedelta(weeks=k) + ONE):
            _orders(store, d, [(dt.time(12), 10000), (dt.time(19), 20000)])
    _orders(store, DAY, [(dt.time(12), 10000), (dt.time(19), 10000)])  # the last day sold a third less
    result = fc.forecast_accuracy(store_ids=[store.pk], start=DAY - dt.timedelta(weeks=1), end=DAY + ONE, weeks=4)
    # Wednesday DAY-7 and Thursday DAY-6: exact (from the four weeks before each); DAY: 30000 against 20000.
    assert result["days_scored"] == 3 and result["days_without_history"] == 0
    assert result["daily_mape"] == pytest.approx((0 + 0 + 0.5) / 3)
    assert result["hourly_wape"] == pytest.approx((0 + 0 + 0 + 0 + 10000) / (30000 + 30000 + 20000))
    assert result["stores"][store.pk]["days"] == 3


@pytest.mark.django_db
def test_forecast_accuracy_command(store, capsys):
    for k in range(1, 4):
        _orders(store, DAY - dt.timedelta(weeks=k), [(dt.time(12), 10000)])
    _orders(store, DAY, [(dt.time(12), 12500)])
    call_command("forecast_accuracy", "--weeks", "1", "--end", str(DAY), "--store", store.pk)
    out = capsys.readouterr().out
    assert f"{store.pk} 1 days, daily MAPE 20.0%" in out  # the one day of the week: 10000 against 12500
    assert "1 store-days scored, 0 without history; daily revenue MAPE 20.0%" in out


def calendar(start, end):
    return {DAY: 2.0, dt.date(2000, 1, 1): 9.0}


@pytest.mark.django_db
@override_settings(ZHILIAN_HOLIDAY_CALENDAR="scheduling.tests.test_forecast.calendar")
def test_the_holiday_calendar_is_pluggable(store):
    assert fc.holiday_calendar(DAY - ONE, DAY + ONE) == {DAY: 2.0}
    for k in range(1, 3):
        _orders(store, DAY - dt.timedelta(weeks=k), [(dt.time(12), 10000)])
    assert fc.forecast_days(store_id=store.pk, days=[DAY], today=DAY)[DAY].revenue_cents == 20000
