"""The period reads the food cost reports build on: dish sales per store-day (orders.selectors)
and the recipe valid on each day of a period (menu.selectors.RecipeBook)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from menu import services as menu_services
from menu.selectors import RecipeBook
from menu.tests.helpers import build_menu
from orders import services
from orders.models import Order
from orders.selectors import daily_dish_sales

D = Decimal


def _order(store, lines, **fields):
    return services.order_create(
        store=store, items=[{"item_code": code, "quantity": qty} for code, qty in lines], **fields
    )


@pytest.mark.django_db
def test_daily_dish_sales_group_by_store_day_and_dish_and_leave_out_cancelled_orders_and_open_items(
    actors, other_store
):
    menu = build_menu(actors.store, stores=[other_store])
    today = timezone.localdate()
    yesterday = timezone.now() - dt.timedelta(days=1)
    _order(actors.store, [("KP01", 2), ("RC01", 3), ("KP01", 1)])
    _order(actors.store, [("KP01", 4)], order_time=yesterday)
    _order(other_store, [("MP01", 1)])
    cancelled = _order(actors.store, [("MP01", 9)])
    services.order_transition(order=cancelled, status=Order.Status.CANCELLED, user=actors.manager, reason="test")
    services.order_create(
        store=actors.store,
        items=[{"item_code": "X1", "item_name": "Corkage", "unit_price_cents": 500, "is_open_item": True}],
        user=actors.manager,
    )

    rows = {
        (r["store_id"], r["day"], r["dish_id"]): (r["portions"], r["revenue_cents"])
        for r in daily_dish_sales([actors.store.pk, other_store.pk], today - dt.timedelta(days=1), today)
    }
    kp, rc, mp = (menu.dishes[c].pk for c in ("KP01", "RC01", "MP01"))
    assert rows == {
        (actors.store.pk, today, kp): (3, 3 * 48_00),
        (actors.store.pk, today, rc): (3, 3 * 3_00),
        (actors.store.pk, today - dt.timedelta(days=1), kp): (4, 4 * 48_00),
        (other_store.pk, today, mp): (1, 32_00),
    }


@pytest.mark.django_db
def test_recipe_book_answers_the_version_valid_on_each_day_of_the_period(actors, django_assert_num_queries):
    menu = build_menu(actors.store)
    rice = menu.dishes["RC01"]
    start = dt.date(2024, 3, 1)
    menu_services.recipe_line_create(dish=rice, ingredient_sku="rice", quantity=D("0.150"), valid_from=start)
    menu_services.recipe_line_create(
        dish=rice, ingredient_sku="rice", quantity=D("0.200"), valid_from=start + dt.timedelta(days=10)
    )
    # A version after the period is not loaded.
    menu_services.recipe_line_create(
        dish=rice, ingredient_sku="rice", quantity=D("0.500"), valid_from=start + dt.timedelta(days=40)
    )
    # Two queries: the set meals' components among the dishes, then every recipe version needed.
    with django_assert_num_queries(2):
        book = RecipeBook(
            [rice.pk, menu.dishes["KP01"].pk], start - dt.timedelta(days=5), start + dt.timedelta(days=20)
        )
    assert book.usage_on(rice.pk, start - dt.timedelta(days=1), 10) == {"rice": D("1.200")}
    assert book.usage_on(rice.pk, start, 10) == {"rice": D("1.500")}
    assert book.usage_on(rice.pk, start + dt.timedelta(days=15), 10) == {"rice": D("2.000")}
    assert book.usage_on(rice.pk, start + dt.timedelta(days=20), 10) == {"rice": D("2.000")}
    kp = book.usage_on(menu.dishes["KP01"].pk, start, 1)
    assert kp["chicken"] == D("0.180") / D("0.700") and kp["peanuts"] == D("0.030")
    assert book.lines_on(menu.dishes["MP01"].pk, start) == []  # not asked for
    # Before the first version there is no recipe.
    early = RecipeBook([rice.pk], dt.date(2019, 1, 1), dt.date(2019, 1, 2))
    assert early.lines_on(rice.pk, dt.date(2019, 1, 1)) == []
