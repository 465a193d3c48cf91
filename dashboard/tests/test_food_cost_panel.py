"""The dashboard's food cost panel (theoretical %, actual %, gap) and dish ranking, by hand over
the menu engineering sales (menu/tests/engineering.py: the dashboard's day is the period's end)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kpis.metrics import KPI_ACTUAL_FOOD_COST
from kpis.models import KPI
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from kpis.tests.helpers import local
from menu.tests.engineering import END, START, build_sales, sell
from menu.tests.factories import DishFactory, RecipeLineFactory
from zhilian.testing.queries import assert_constant_queries

URL = "/api/v1/kpis/dashboard/"
DAY = END.isoformat()


@pytest.fixture
def sales(actors):
    return build_sales(actors.store, other_store=actors.other_store, user=actors.manager)


def _actual(store, day, value, **metadata):
    kpi = KPIFactory(
        id=KPI_ACTUAL_FOOD_COST, category="cost", unit="%", metric=KPI.Metric.ACTUAL_FOOD_COST,
        direction="lower_is_better", target_value=Decimal("32"), warning_threshold=Decimal("35"),
        critical_threshold=Decimal("38"),
    )  # fmt: skip
    return KPIRecordFactory(kpi=kpi, store=store, record_date=day, value=Decimal(value), metadata=metadata)


def test_food_cost_panel(sales, actors, client_for):
    client = client_for(actors.manager)
    # The day: A 20, B 25, C 3, D 2, E 10 portions; cost 200 + 375 + 60 + 24 + 100 = 759.00 of
    # revenue 1000 + 750 + 240 + 40 + 400 = 2430.00 (the cancelled order and other days left out).
    body = client.get(URL, {"date": DAY}).json()
    assert body["figures"]["revenue_cents"] == 2430_00
    assert body["food_cost"] == {
        "theoretical_percent": "31.2346",
        "recipe_cost_cents": 759_00,
        "actual_percent": None,  # no stock count period recorded yet: the page shows "—"
        "actual_date": None,
        "gap_points": None,
    }
    _actual(actors.store, END - dt.timedelta(days=3), "34.5000")
    _actual(actors.store, END + dt.timedelta(days=1), "99.0000")  # after the day shown
    _actual(actors.other_store, END, "11.0000")  # another store's
    food = client.get(URL, {"date": DAY}).json()["food_cost"]
    assert food["actual_percent"] == "34.5000" and food["actual_date"] == (END - dt.timedelta(days=3)).isoformat()
    assert food["gap_points"] == "3.2654"  # 34.5 − 31.2346
    # A record that carries the theoretical % of its own period is compared with that.
    _actual(actors.store, END, "34.0000", theoretical_percent="30.5000")
    food = client.get(URL, {"date": DAY}).json()["food_cost"]
    assert (food["actual_percent"], food["gap_points"]) == ("34.0000", "3.5000")


def test_a_day_without_sales(actors, client_for):
    food = client_for(actors.manager).get(URL, {"date": DAY}).json()["food_cost"]
    assert food == {
        "theoretical_percent": None,
        "recipe_cost_cents": 0,
        "actual_percent": None,
        "actual_date": None,
        "gap_points": None,
    }
    ranking = client_for(actors.manager).get(URL, {"date": DAY}).json()["dish_ranking"]
    assert ranking == {
        "today": {"by_quantity": [], "by_revenue": []},
        "last_7_days": {"by_quantity": [], "by_revenue": []},
    }


def test_dish_ranking(sales, actors, client_for):
    ranking = client_for(actors.manager).get(URL, {"date": DAY}).json()["dish_ranking"]

    def codes(period, by):
        return [(r["code"], r["quantity"], r["revenue_cents"]) for r in ranking[period][by]]

    assert codes("today", "by_quantity") == [
        ("B", 25, 750_00), ("A", 20, 1000_00), ("E", 10, 400_00), ("C", 3, 240_00), ("D", 2, 40_00),
    ]  # fmt: skip
    assert [c for c, _q, _r in codes("today", "by_revenue")] == ["A", "B", "E", "C", "D"]
    # The 7 days [START, END]: the first day's sales too; the day before START is out.
    assert codes("last_7_days", "by_quantity") == [
        ("B", 50, 1500_00), ("A", 40, 2000_00), ("E", 20, 800_00), ("C", 5, 400_00), ("D", 3, 60_00),
    ]  # fmt: skip
    assert [c for c, _q, _r in codes("last_7_days", "by_revenue")] == ["A", "B", "E", "C", "D"]
    first = ranking["today"]["by_quantity"][0]
    assert first == {
        "dish": str(sales["B"].pk), "code": "B", "name_zh": "菜B", "name_en": "Dish B", "quantity": 25,
        "revenue_cents": 750_00,
    }  # fmt: skip
    # The other store sees only its own sales.
    other = client_for(actors.other_manager).get(URL, {"date": DAY}).json()["dish_ranking"]
    assert [r["code"] for r in other["today"]["by_quantity"]] == ["D"]


def test_ranking_is_a_top_ten_and_queries_stay_constant(sales, actors, client_for):
    client = client_for(actors.manager)
    counter = iter(range(1000))

    def make_rows(n):
        for _ in range(n):
            i = next(counter)
            dish = DishFactory(code=f"N{i}", base_price_cents=1_00)
            RecipeLineFactory(dish=dish, ingredient_sku=f"sku-{i}")
            sell(actors.store, [(dish.code, 1), ("A", 1)], local(END, 10, i % 60))
            sell(actors.store, [(dish.code, 1)], local(START + dt.timedelta(days=i % 7), 11))

    few, many = assert_constant_queries(make_rows, lambda: client.get(URL, {"date": DAY}), small=2, large=12)
    ranking = many.json()["dish_ranking"]
    assert len(ranking["today"]["by_quantity"]) == 10 and len(ranking["last_7_days"]["by_revenue"]) == 10
    top = [(r["code"], r["quantity"]) for r in ranking["today"]["by_quantity"][:3]]
    assert top == [("A", 32), ("B", 25), ("E", 10)]  # A: 20 + one with each new dish
