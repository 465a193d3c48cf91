"""The menu engineering admin page (store scoping, the chart and the table for the right store)
and the dish changelist's cost and margin columns (computed once per page)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.tests.factories import InventoryItemFactory
from menu.reports import dish_costs_per_portion
from menu.tests.engineering import END, EXPECTED_CLASSES, START, build_sales
from menu.tests.factories import DishFactory, RecipeLineFactory

PAGE = "/admin/menu/dish/menu-engineering/"
CHANGELIST = "/admin/menu/dish/"
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-dish="(\w+)" data-class="(\w+)">', html))


@pytest.fixture
def sales(actors):
    return build_sales(actors.store, other_store=actors.other_store, user=actors.manager)


def test_the_manager_sees_his_store(sales, actors):
    response = _client(actors.manager).get(PAGE, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html) == EXPECTED_CLASSES
    assert 'id="me-chart"' in html and html.count('class="me-dot class-') == 5
    assert 'id="me-threshold-popularity"' in html and 'id="me-threshold-margin"' in html
    assert '<strong id="me-average-margin">¥27.75</strong>' in html
    assert '<strong id="me-popularity-threshold">14.00 %</strong>' in html
    assert "Jing&#x27;an Flagship" in html or "Jing'an Flagship" in html
    assert 'name="store"' in html and "<select" not in html.split('id="me-chooser"')[1].split("</form>")[0]
    # Another store's page is no page at all.
    assert _client(actors.manager).get(PAGE, {"store": actors.other_store.pk, **PERIOD}).status_code == 404


def test_the_admin_picks_any_store(sales, actors):
    client = _client(actors.admin)
    html = client.get(PAGE, {"store": actors.other_store.pk, **PERIOD}).content.decode()
    assert _rows(html) == {"D": "star"}  # the other store sold D only
    assert f'<option value="{actors.store.pk}"' in html and f'<option value="{actors.other_store.pk}" selected' in html
    assert _rows(client.get(PAGE, {"store": actors.store.pk, **PERIOD}).content.decode()) == EXPECTED_CLASSES


def test_the_page_in_chinese(sales, actors):
    client = _client(actors.manager)
    html = client.get(PAGE, PERIOD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "菜单工程" in html and "明星菜" in html and "瘦狗菜" in html and "人气阈值" in html
    assert "销售占比（%）" in html and "食材成本率 %" in html and "%%" not in html


def test_bad_periods_are_form_errors_and_staff_may_not_enter(sales, actors):
    client = _client(actors.manager)
    html = client.get(PAGE, {"start": "2026-11-10", "end": "2026-11-01"}).content.decode()
    assert "errornote" in html and "me-table" not in html
    assert "errornote" in client.get(PAGE, {"start": "nonsense"}).content.decode()
    assert _client(actors.staff).get(PAGE).status_code in (302, 403)  # staff do not enter the admin


def test_an_empty_period_and_the_default_period(actors):
    html = _client(actors.manager).get(PAGE).content.decode()
    assert "No dishes were sold" in html and 'id="me-chart"' not in html


def test_the_dish_changelist_shows_cost_and_margin_in_constant_queries(actors):
    client = _client(actors.admin)
    counts = []
    for n in range(2):
        for i in range(3 if n == 0 else 12):
            dish = DishFactory(code=f"Z{n}{i:02d}", base_price_cents=40_00)
            RecipeLineFactory(dish=dish, ingredient_sku=f"sku-{n}-{i}", quantity="0.500")
            InventoryItemFactory(store=actors.store, sku=f"sku-{n}-{i}", unit_cost_cents=20_00)
            InventoryItemFactory(store=actors.other_store, sku=f"sku-{n}-{i}", unit_cost_cents=40_00)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CHANGELIST)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    html = response.content.decode()
    # 0.5 kg × the chain's average 30.00 = 15.00 of 40.00: margin 62.5 %.
    assert html.count("¥15.00") == 15 and html.count("62.5 %") == 15
    assert 'id="menu-engineering-link"' in html


def test_cost_per_portion_in_bulk(actors):
    dish = DishFactory(base_price_cents=40_00)
    RecipeLineFactory(dish=dish, ingredient_sku="rice", quantity="0.300", yield_factor="0.750")
    RecipeLineFactory(dish=dish, ingredient_sku="rice", quantity="0.100", valid_from=dt.date(2099, 1, 1))  # future
    InventoryItemFactory(store=actors.store, sku="rice", unit_cost_cents=10_00)
    InventoryItemFactory(store=actors.other_store, sku="rice", unit_cost_cents=14_00)
    bare = DishFactory()
    costs = dish_costs_per_portion([dish.pk, bare.pk], day=END)
    assert costs == {dish.pk: 480, bare.pk: None}  # 0.3 / 0.75 × 12.00 (chain average)
    assert dish_costs_per_portion([dish.pk], day=END, store_id=actors.store.pk) == {dish.pk: 400}
