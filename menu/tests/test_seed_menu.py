"""The seed's menu: written through the services, recipes resolving to each seeded store's items."""

from __future__ import annotations

import pytest

from inventory.models import InventoryItem, InventoryTransaction
from menu.models import Dish, MenuCategory, RecipeLine
from orders import services
from orders.models import Order, OrderItem
from zhilian.audit import audit_entries
from zhilian.seed import catalog as cat
from zhilian.seed.menu import CATEGORIES, ensure_menu
from zhilian.seed.runner import SeedOptions, run_seed


@pytest.mark.django_db
def test_the_menu_is_created_once_through_the_services():
    first = ensure_menu()
    assert set(first) == {d.code for d in cat.MENU}
    assert list(MenuCategory.objects.values_list("code", flat=True)) == list(CATEGORIES)
    dish = Dish.objects.get(code=cat.MENU[0].code)
    assert [e.additional_data["event"] for e in audit_entries(dish)] == ["dish.create"]
    assert RecipeLine.objects.filter(dish=dish).count() == len(cat.MENU[0].recipe)
    counts = (Dish.objects.count(), RecipeLine.objects.count())
    assert ensure_menu() == first
    assert (Dish.objects.count(), RecipeLine.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_seeded_orders_name_their_dishes_and_a_new_order_deducts_the_seeded_recipes():
    run_seed(SeedOptions(stores=1, days=2, seed=7, use_copy=False))
    lines = OrderItem.objects.all()
    assert lines.exists() and not lines.filter(dish__isnull=True).exists()
    keys = set(InventoryItem.objects.values_list("sku", flat=True))
    assert set(RecipeLine.objects.values_list("ingredient_sku", flat=True)) <= keys
    store = Order.objects.first().store
    order = services.order_create(store=store, items=[{"item_code": cat.RICE.code, "quantity": 2}])
    services.order_transition(order=order, status="confirmed")
    services.order_transition(order=order, status="preparing")
    row = InventoryTransaction.objects.get(reference_id=order.pk)
    assert row.item.sku == "rice" and str(row.quantity) == "-0.240"


@pytest.mark.django_db
def test_items_of_a_chain_seeded_before_the_menu_get_the_catalogue_keys(store):
    from inventory.tests.factories import InventoryItemFactory
    from zhilian.seed.menu import align_ingredient_keys

    stock = cat.STOCK[0]
    old = InventoryItemFactory(store=store, name=stock.name, sku=stock.name)  # as the migration filled it
    other = InventoryItemFactory(store=store, name="Napkins", sku="Napkins")
    assert align_ingredient_keys() == 1
    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.sku, other.sku) == (stock.key, "Napkins")
    assert [e.additional_data["event"] for e in audit_entries(old)] == ["inventory_item.update"]
    assert align_ingredient_keys() == 0
