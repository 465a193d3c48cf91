"""Orders racing to the kitchen: stock ends exactly at the expected sum, nobody deadlocks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.models import InventoryItem, InventoryTransaction
from menu.tests.helpers import STOCK, build_menu, expected_usage
from orders import services
from orders.models import Order
from stores.tests.factories import StoreFactory
from zhilian.testing.concurrency import run_in_threads

S = Order.Status


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_orders_sharing_ingredients_leave_the_expected_stock():
    store = StoreFactory(id="CONCMENU")
    menu = build_menu(store)
    # Every order holds dishes that share the oil, in different line orders, so each locks
    # several of the same items: without a fixed lock order two of them would deadlock.
    shapes = [
        [("KP01", 1), ("MP01", 2)],
        [("MP01", 1), ("RC01", 3), ("KP01", 2)],
        [("RC01", 2), ("KP01", 1)],
        [("MP01", 3)],
    ]
    orders = []
    for index in range(20):
        lines = shapes[index % len(shapes)]
        order = services.order_create(store=store, items=[{"item_code": c, "quantity": q} for c, q in lines])
        services.order_transition(order=order, status=S.CONFIRMED)
        orders.append(order.pk)

    def to_kitchen(index):
        return services.order_transition(order=Order.objects.get(pk=orders[index]), status=S.PREPARING)

    outcomes = run_in_threads(20, to_kitchen)
    assert outcomes.failures == []
    assert Order.objects.filter(pk__in=orders, status=S.PREPARING).count() == 20
    # Each order's rows are its own rounding; the stock is the sum of them.
    per_order = Decimal(0)
    expected: dict[str, Decimal] = {sku: Decimal(q) for sku, q in STOCK.items()}
    for index in range(20):
        for sku, quantity in expected_usage(shapes[index % len(shapes)]).items():
            expected[sku] -= quantity
            per_order += quantity
    stock = {sku: InventoryItem.objects.get(pk=item.pk).current_quantity for sku, item in menu.items.items()}
    assert stock == expected
    used = InventoryTransaction.objects.filter(store=store, transaction_type="usage")
    assert used.count() == sum(len(expected_usage(shapes[i % len(shapes)])) for i in range(20))
    assert -sum(r.quantity for r in used) == per_order


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_dish_never_becomes_a_set_meal_while_it_joins_one():
    """One admin puts RC01 into a set meal while another makes RC01 a set meal itself: the dish
    rows are locked, so exactly one of them wins and no set meal ever holds another."""
    from menu import services as menu_services
    from menu.models import Dish, SetMealComponent
    from menu.tests.helpers import add_set_meal
    from zhilian.errors import InvalidInput

    menu = build_menu(StoreFactory(id="CONCSET"))
    set_meal = add_set_meal(menu)
    rice = menu.dishes["RC01"]

    def work(index):
        if index == 0:
            return menu_services.set_meal_components_set(
                set_meal=Dish.objects.get(pk=set_meal.pk), components=[{"dish": rice, "quantity": 2}]
            )
        return menu_services.dish_update(dish=Dish.objects.get(pk=rice.pk), is_set_meal=True)

    for _ in range(5):
        menu_services.set_meal_components_set(set_meal=set_meal, components=[])
        menu_services.dish_update(dish=Dish.objects.get(pk=rice.pk), is_set_meal=False)
        outcomes = run_in_threads(2, work)
        assert len(outcomes.refused(InvalidInput)) == 1 and len(outcomes.failures) == 1, outcomes.results
        is_set_meal = Dish.objects.get(pk=rice.pk).is_set_meal
        in_set = SetMealComponent.objects.filter(set_meal=set_meal, dish=rice).exists()
        assert is_set_meal != in_set  # one or the other, never both
