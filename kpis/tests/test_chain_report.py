"""The chain report's values over a hand-built week (kpis.tests.chain_data), on both databases."""

import datetime as dt

import pytest

from accounts.tests.factories import AdminFactory
from kpis.chain.report import CUSTOM, DAY, MONTH, WEEK, Period, chain_report, period_of
from kpis.metrics import KPI_FOOD_COST_RATIO, KPI_REVENUE, KPI_STOCK_OUTS
from kpis.tests.chain_data import MONDAY, build_chain, revenue
from stores.tests.factories import StoreFactory
from zhilian.errors import InvalidInput
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db


def week():
    return period_of(WEEK, day=MONDAY + dt.timedelta(days=3))


def rows_by_store(report):
    return {row["store"]: row["values"] for row in report["stores"]}


def test_periods():
    assert period_of(WEEK, day=dt.date(2026, 3, 5)) == Period(WEEK, dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert period_of(WEEK, day=dt.date(2026, 3, 5)).previous == Period(WEEK, dt.date(2026, 2, 23), dt.date(2026, 3, 1))
    month = period_of(MONTH, day=dt.date(2026, 3, 15))
    assert (month.start, month.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (month.previous.start, month.previous.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert period_of(DAY, day=dt.date(2026, 3, 5)).previous.start == dt.date(2026, 3, 4)
    custom = period_of(CUSTOM, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 10))
    assert (custom.previous.start, custom.previous.end) == (dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    with pytest.raises(InvalidInput):
        period_of(CUSTOM, start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        period_of(CUSTOM, start=dt.date(2026, 3, 10))
    with pytest.raises(InvalidInput):
        period_of("year")


def test_sums_weighted_ratios_change_status_and_rank():
    build_chain()
    report = chain_report(user=AdminFactory(), period=week())
    values = rows_by_store(report)
    a_rev = values["A01"][KPI_REVENUE]
    assert a_rev == {
        "value": "4000.0000",
        "previous": "2000.0000",
        "change": "2000.0000",
        "change_percent": "100.0000",
        "target": "10000.0000",
        "status": "off_track",  # 4000 < critical 2 × 3500
        "days": 2,
        "rank": 1,
    }
    assert [values[s][KPI_REVENUE]["rank"] for s in ("A01", "B01", "C01")] == [1, 2, 3]
    assert values["B01"][KPI_REVENUE]["previous"] is None
    assert values["B01"][KPI_REVENUE]["change"] is None

    # Food cost: Σ cost / Σ revenue, not the mean of the daily %.
    a_food = values["A01"][KPI_FOOD_COST_RATIO]
    assert a_food["value"] == "45.0000"
    assert a_food["status"] == "off_track"
    assert a_food["rank"] == 2
    assert values["B01"][KPI_FOOD_COST_RATIO]["value"] == "20.0000"
    assert values["B01"][KPI_FOOD_COST_RATIO]["rank"] == 1  # lower is better
    assert values["C01"][KPI_FOOD_COST_RATIO]["value"] is None
    assert values["C01"][KPI_FOOD_COST_RATIO]["rank"] is None

    stock = values["A01"][KPI_STOCK_OUTS]
    assert (stock["value"], stock["status"]) == ("3.0000", "at_risk")


def test_region_and_chain_totals():
    build_chain()
    report = chain_report(user=AdminFactory(), period=week())
    regions = {r["region"]: r for r in report["regions"]}
    east = regions["east"]
    assert east["name"] == "华东" and east["stores"] == 2
    assert east["total"][KPI_REVENUE]["value"] == "6000.0000"
    assert east["average"][KPI_REVENUE]["value"] == "3000.0000"
    assert east["total"][KPI_FOOD_COST_RATIO]["value"] == "36.6667"
    assert east["average"][KPI_FOOD_COST_RATIO]["value"] == "36.6667"  # a ratio's average is its pooled value
    assert regions["south"]["total"][KPI_REVENUE]["value"] == "500.0000"
    chain = report["chain"]
    assert chain["stores"] == 3
    assert chain["total"][KPI_REVENUE]["value"] == "6500.0000"
    assert chain["total"][KPI_REVENUE]["previous"] == "2000.0000"
    assert chain["average"][KPI_REVENUE]["value"] == "2166.6667"
    assert chain["total"][KPI_FOOD_COST_RATIO]["value"] == "36.6667"


def test_region_filter_and_manager_scope(actors):
    a, b, c = build_chain(actors.store, actors.other_store)
    east = chain_report(user=AdminFactory(), period=week(), region=a.region)
    assert [row["store"] for row in east["stores"]] == sorted([a.pk, b.pk])
    mine = chain_report(user=actors.manager, period=week())
    assert [row["store"] for row in mine["stores"]] == [a.pk]
    assert mine["chain"]["total"][KPI_REVENUE]["value"] == "4000.0000"
    assert mine["stores"][0]["dashboard_url"] == f"/dashboard/?store={a.pk}"


def test_query_count_does_not_grow_with_stores_and_days():
    build_chain()
    admin = AdminFactory()
    period = period_of(CUSTOM, start=MONDAY - dt.timedelta(days=30), end=MONDAY + dt.timedelta(days=30))
    few, _ = count_queries(lambda: chain_report(user=admin, period=period))
    for n in range(5):
        store = StoreFactory(id=f"X{n:02d}")
        for d in range(10):
            revenue(store, MONDAY - dt.timedelta(days=d * 3), 100 + d)
    many, report = count_queries(lambda: chain_report(user=admin, period=period))
    assert few == many == 3
    assert len(report["stores"]) == 8
