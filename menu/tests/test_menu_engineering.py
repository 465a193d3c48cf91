"""The menu engineering report (menu.reports.menu_engineering) against a period worked out by
hand (menu/tests/engineering.py), and its API: body, store scoping, 400s, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.tests.helpers import local
from menu.reports import dish_class, menu_engineering
from menu.tests.engineering import DISHES, END, EXPECTED_CLASSES, START, build_sales, sell
from menu.tests.factories import DishFactory, RecipeLineFactory

URL = "/api/v1/reports/menu-engineering/"


@pytest.fixture
def sales(actors):
    return build_sales(actors.store, other_store=actors.other_store, user=actors.manager)


def test_classes_and_figures_by_hand(sales, actors):
    report = menu_engineering(store=actors.store, start=START, end=END)
    rows = {r["code"]: r for r in report["dishes"]}
    assert {code: r["dish_class"] for code, r in rows.items()} == EXPECTED_CLASSES
    assert [r["code"] for r in report["dishes"]] == ["B", "A", "E", "C", "D"]  # most units first
    a = rows["A"]
    assert a["units_sold"] == 40 and a["revenue_cents"] == 2000_00
    assert a["average_price_cents"] == 50_00
    assert a["recipe_cost_per_portion_cents"] == 10_00 and a["recipe_cost_cents"] == 400_00
    assert a["margin_per_portion_cents"] == 40_00 and a["margin_cents"] == 1600_00
    assert a["food_cost_percent"] == "20.00"
    assert a["menu_mix_percent"] == "33.90"  # 40 / 118
    assert a["popularity_index"] == "1.69"  # 33.90 % / 20 %
    assert (a["high_margin"], a["high_popularity"], a["has_recipe"]) == (True, True, True)
    assert a["unpriced_ingredients"] == []
    d = rows["D"]  # the cancelled 30 portions are not counted
    assert (d["units_sold"], d["margin_cents"], d["menu_mix_percent"]) == (3, 24_00, "2.54")
    c = rows["C"]  # the sales the day before and after the period are not counted
    assert (c["units_sold"], c["margin_per_portion_cents"], c["popularity_index"]) == (5, 60_00, "0.21")
    assert rows["B"]["high_margin"] is False and rows["B"]["high_popularity"] is True
    assert report["summary"] == {
        "dish_count": 5,
        "units_sold": 118,
        "revenue_cents": 4760_00,  # 2000 + 1500 + 400 + 60 + 800
        "recipe_cost_cents": 1486_00,  # 400 + 750 + 100 + 36 + 200
        "margin_cents": 3274_00,
        "food_cost_percent": "31.22",  # 1486 / 4760
        "average_margin_cents": 27_75,  # 3274 / 118 = 27.7458
        "popularity_threshold_percent": "14.00",  # 70 % of 1 / 5
        "popularity_index_threshold": "0.70",
        "classes": {"star": 2, "plowhorse": 1, "puzzle": 1, "dog": 1},
    }
    assert report["summary"]["revenue_cents"] == sum(price * units for price, _kg, units in DISHES.values())
    assert (report["store"], report["start"], report["end"]) == (actors.store.pk, START.isoformat(), END.isoformat())


def test_the_other_store_costs_its_own_items(sales, actors):
    report = menu_engineering(store=actors.other_store, start=START, end=END)
    (d,) = report["dishes"]
    assert (d["code"], d["units_sold"], d["recipe_cost_per_portion_cents"]) == ("D", 100, 118_80)  # 1.2 × 99.00
    assert d["margin_per_portion_cents"] == 20_00 - 118_80
    # One dish: it is its own average and its own fair share.
    assert d["dish_class"] == "star"


def test_thresholds_are_inclusive_and_a_dish_without_recipe_or_item_is_flagged(actors):
    # Two dishes with the same margin and units: both at the average, both at the fair share.
    for code, sku in (("P", "ing-p"), ("Q", "missing")):
        dish = DishFactory(code=code, base_price_cents=20_00)
        RecipeLineFactory(dish=dish, ingredient_sku=sku, quantity="0.500")
    from inventory.tests.factories import InventoryItemFactory

    InventoryItemFactory(store=actors.store, sku="ing-p", unit_cost_cents=0)
    DishFactory(code="R", base_price_cents=20_00)  # no recipe at all
    sell(actors.store, [("P", 3), ("Q", 3), ("R", 3)], local(END, 12))
    report = menu_engineering(store=actors.store, start=START, end=END)
    rows = {r["code"]: r for r in report["dishes"]}
    assert {r["dish_class"] for r in rows.values()} == {"star"}
    assert rows["Q"]["unpriced_ingredients"] == ["missing"] and rows["Q"]["has_recipe"] is True
    assert rows["R"]["has_recipe"] is False and rows["R"]["recipe_cost_cents"] == 0


def test_dish_class_quadrants():
    assert dish_class(high_margin=True, popular=True) == "star"
    assert dish_class(high_margin=False, popular=True) == "plowhorse"
    assert dish_class(high_margin=True, popular=False) == "puzzle"
    assert dish_class(high_margin=False, popular=False) == "dog"


def test_an_empty_period(actors):
    report = menu_engineering(store=actors.store, start=START, end=END)
    assert report["dishes"] == [] and report["summary"]["dish_count"] == 0
    assert report["summary"]["food_cost_percent"] is None


def test_queries_do_not_grow_with_orders_or_dishes(sales, actors):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            menu_engineering(store=actors.store, start=START, end=END)
        return len(ctx.captured_queries)

    before = queries()
    for n in range(5):
        dish = DishFactory(code=f"N{n}")
        RecipeLineFactory(dish=dish, ingredient_sku="ing-A")
        sell(actors.store, [(f"N{n}", 2), ("A", 1)], local(START + dt.timedelta(days=n), 12))
    assert queries() == before == 6  # sales, modifier sales, recipes (2), unit costs, dish names


# --- the API ----------------------------------------------------------------------------------


def test_api_body_for_the_manager(sales, actors, client_for):
    response = client_for(actors.manager).get(URL, {"start": START.isoformat(), "end": END.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store"] == actors.store.pk and body["start"] == START.isoformat()
    assert {r["code"]: r["dish_class"] for r in body["dishes"]} == EXPECTED_CLASSES
    a = next(r for r in body["dishes"] if r["code"] == "A")
    assert a["dish"] == str(sales["A"].pk) and a["name_zh"] == "菜A" and a["category_en"] == "Hot dishes"
    assert body["summary"]["average_margin_cents"] == 27_75
    assert body["summary"]["classes"] == {"star": 2, "plowhorse": 1, "puzzle": 1, "dog": 1}


def test_api_store_scoping(sales, actors, client_for):
    period = {"start": START.isoformat(), "end": END.isoformat()}
    other = client_for(actors.manager).get(URL, {"store": actors.other_store.pk, **period})
    assert other.status_code == 404 and "D" not in str(other.json().get("dishes", ""))
    admin = client_for(actors.admin)
    assert admin.get(URL, period).json() == {"store": ["Name the store."]}
    body = admin.get(URL, {"store": actors.other_store.pk, **period}).json()
    assert [r["code"] for r in body["dishes"]] == ["D"] and body["store"] == actors.other_store.pk
    assert client_for(actors.staff).get(URL, period).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "end"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "end"),  # longer than 367 days
        ({"start": "1999-12-31", "end": "2000-01-05"}, "start"),
    ],
)
def test_api_bad_dates_are_400_field_errors(actors, client_for, params, field):
    response = client_for(actors.manager).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_api_defaults_to_the_last_30_days(actors, client_for):
    from django.utils import timezone

    body = client_for(actors.manager).get(URL).json()
    today = timezone.localdate()
    assert (body["start"], body["end"]) == ((today - dt.timedelta(days=29)).isoformat(), today.isoformat())
