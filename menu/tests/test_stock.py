"""Stock follows sales: an order from dish codes takes its recipes out of stock when it reaches the
kitchen (one usage row per ingredient), a cancellation puts them back, short stock refuses the move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from inventory.models import InventoryItem, InventoryTransaction
from inventory.selectors import stock_verify
from menu import services as menu_services
from menu.tests.helpers import RECIPES, STOCK, build_menu, expected_usage
from orders import services
from orders.models import Order
from zhilian.errors import DomainError, InsufficientStock

D = Decimal
S = Order.Status
USAGE = InventoryTransaction.Type.USAGE


def _order(store, lines, user=None, **fields):
    return services.order_create(
        store=store, items=[{"item_code": code, "quantity": qty} for code, qty in lines], user=user, **fields
    )


def _to(order, *statuses, user=None):
    for status in statuses:
        order = services.order_transition(order=order, status=status, user=user, reason="test")
    return order


def _stock(menu) -> dict[str, Decimal]:
    return {sku: InventoryItem.objects.get(pk=item.pk).current_quantity for sku, item in menu.items.items()}


def _usage_rows(order):
    return InventoryTransaction.objects.filter(reference_id=order.pk, transaction_type=USAGE)


@pytest.mark.django_db
class TestDeduction:
    LINES = [("KP01", 2), ("MP01", 3), ("KP01", 1), ("RC01", 5)]

    def test_ledger_rows_equal_portions_times_recipe_over_yield(self, actors):
        menu = build_menu(actors.store)
        order = _order(actors.store, self.LINES, user=actors.staff)
        _to(order, S.CONFIRMED, user=actors.staff)
        assert not _usage_rows(order).exists()  # nothing leaves stock before the kitchen starts
        _to(order, S.PREPARING, user=actors.staff)

        expected = expected_usage([("KP01", 3), ("MP01", 3), ("RC01", 5)])
        assert expected["chicken"] == D("0.771")  # 3 × 0.18 / 0.7 = 0.7714...
        rows = list(_usage_rows(order).select_related("item"))
        # One row per ingredient per order, aggregated over the lines.
        assert sorted(r.item.sku for r in rows) == sorted(expected)
        assert {r.item.sku: -r.quantity for r in rows} == expected
        assert all(r.performed_by_id == actors.staff.pk for r in rows)
        assert {sku: STOCK[sku] and D(STOCK[sku]) - q for sku, q in expected.items()} == _stock(menu)
        order.refresh_from_db()
        assert order.stock_deducted_at is not None

    def test_the_recipe_valid_on_the_order_day_is_used(self, actors):
        menu = build_menu(actors.store)
        today = timezone.localdate()
        # From today the rice portion is bigger; an order of yesterday still uses the old recipe.
        menu_services.recipe_line_create(
            dish=menu.dishes["RC01"], ingredient_sku="rice", quantity=D("0.150"), valid_from=today
        )
        yesterday = timezone.now() - dt.timedelta(days=1)
        old = _order(actors.store, [("RC01", 10)], order_time=yesterday)
        new = _order(actors.store, [("RC01", 10)])
        _to(old, S.CONFIRMED, S.PREPARING)
        _to(new, S.CONFIRMED, S.PREPARING)
        assert _usage_rows(old).get().quantity == D("-1.200")
        assert _usage_rows(new).get().quantity == D("-1.500")

    def test_cancellation_after_deduction_restores_stock_exactly(self, actors):
        menu = build_menu(actors.store)
        before = _stock(menu)
        order = _order(actors.store, self.LINES)
        _to(order, S.CONFIRMED, S.PREPARING)
        assert _stock(menu) != before
        _to(order, S.CANCELLED, user=actors.manager)
        assert _stock(menu) == before
        assert stock_verify(store=actors.store) == []
        # Append-only: the usage rows stay, each with its counter-entry.
        rows = _usage_rows(order)
        assert rows.filter(quantity__lt=0).count() == rows.filter(quantity__gt=0).count() == 5
        net = rows.values("item_id").annotate(total=Sum("quantity"))
        assert all(D(str(r["total"])) == 0 for r in net)
        counter = rows.filter(quantity__gt=0).first()
        assert counter.performed_by_id == actors.manager.pk

    def test_cancellation_before_the_kitchen_touches_no_stock(self, actors):
        menu = build_menu(actors.store)
        before = _stock(menu)
        order = _order(actors.store, self.LINES)
        _to(order, S.CONFIRMED, S.CANCELLED)
        assert _stock(menu) == before
        assert not _usage_rows(order).exists()

    def test_open_items_and_lines_before_the_menu_use_no_stock(self, actors):
        menu = build_menu(actors.store)
        before = _stock(menu)
        order = services.order_create(
            store=actors.store,
            items=[{"item_code": "TEA", "item_name": "Tea", "unit_price_cents": 5_00, "is_open_item": True}],
        )
        _to(order, S.CONFIRMED, S.PREPARING, S.READY, S.SERVED, S.COMPLETED)
        assert _stock(menu) == before

    def test_short_stock_refuses_the_move_naming_the_ingredient_and_changes_nothing(self, actors):
        menu = build_menu(actors.store, stock={**STOCK, "tofu": "0.5"})
        before = _stock(menu)
        order = _order(actors.store, [("MP01", 2), ("KP01", 1)])
        _to(order, S.CONFIRMED)
        ledger_rows = InventoryTransaction.objects.count()
        with pytest.raises(InsufficientStock) as exc:
            _to(order, S.PREPARING)
        assert exc.value.extra["ingredient"] == "tofu"
        assert "Item tofu" in exc.value.message
        order.refresh_from_db()
        assert order.status == S.CONFIRMED and order.stock_deducted_at is None
        assert _stock(menu) == before
        assert InventoryTransaction.objects.count() == ledger_rows

    def test_a_store_may_allow_negative_stock_through_sales(self, actors):
        menu = build_menu(actors.store, stock={**STOCK, "tofu": "0.5"})
        actors.store.allow_negative_stock = True
        actors.store.save(update_fields=["allow_negative_stock"])
        order = _order(actors.store, [("MP01", 2)])
        _to(order, S.CONFIRMED, S.PREPARING)
        tofu = InventoryItem.objects.get(pk=menu.items["tofu"].pk)
        assert tofu.current_quantity == D("0.5") - D("0.632")  # 2 × 0.3 / 0.95
        assert stock_verify(store=actors.store) == []  # check_inventory: the ledger still sums to it
        assert tofu.status == InventoryItem.Status.OUT_OF_STOCK
        # The low-stock alert fires as for any usage.
        assert actors.manager.notifications.filter(data__item=tofu.pk).exists()
        # Cancelling puts it back to where it was.
        _to(order, S.CANCELLED)
        assert InventoryItem.objects.get(pk=tofu.pk).current_quantity == D("0.5")

    def test_an_ingredient_the_store_does_not_stock_refuses_the_move(self, actors):
        build_menu(actors.store, stock={sku: q for sku, q in STOCK.items() if sku != "rice"})
        order = _order(actors.store, [("RC01", 1)])
        _to(order, S.CONFIRMED)
        with pytest.raises(DomainError) as exc:
            _to(order, S.PREPARING)
        assert exc.value.code == "ingredient_missing"
        assert exc.value.extra["ingredient"] == "rice"

    @override_settings(ZHILIAN_STOCK_DEDUCT_AT="completed")
    def test_a_setting_moves_the_deduction_to_completion(self, actors):
        build_menu(actors.store)
        order = _order(actors.store, [("KP01", 1)])
        _to(order, S.CONFIRMED, S.PREPARING, S.READY, S.SERVED)
        assert not _usage_rows(order).exists()
        _to(order, S.COMPLETED)
        assert _usage_rows(order).count() == len(RECIPES["KP01"][1])

    def test_each_store_uses_its_own_items(self, actors):
        menu = build_menu(actors.store, stores=[actors.other_store])
        theirs = _order(actors.other_store, [("KP01", 1)])
        _to(theirs, S.CONFIRMED, S.PREPARING)
        assert {r.store_id for r in _usage_rows(theirs)} == {"STORE002"}
        assert _stock(menu) == {sku: D(q) for sku, q in STOCK.items()}

    def test_deduction_costs_no_query_per_line(self, actors):
        """Queries grow with the ingredients (a ledger row each), not with the order's lines."""
        from zhilian.testing.queries import count_queries

        build_menu(actors.store)
        few = _order(actors.store, [("RC01", 1)])
        many = _order(actors.store, [("RC01", 1)] * 30)
        _to(few, S.CONFIRMED)
        _to(many, S.CONFIRMED)
        a, _ = count_queries(lambda: _to(few, S.PREPARING))
        b, _ = count_queries(lambda: _to(many, S.PREPARING))
        assert a == b


@pytest.mark.django_db
def test_an_order_created_by_api_from_dish_codes_deducts_exactly_its_recipes(actors, client_for):
    menu = build_menu(actors.store)
    before = _stock(menu)
    client = client_for(actors.staff)
    lines = [("KP01", 2), ("MP01", 1), ("RC01", 4), ("MP01", 2)]
    response = client.post(
        "/api/v1/orders/",
        {"store": "STORE001", "items": [{"item_code": c, "quantity": q} for c, q in lines]},
        format="json",
    )
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    for status in ("confirmed", "preparing"):
        moved = client.post(f"/api/v1/orders/{order_id}/transition/", {"status": status}, format="json")
        assert moved.status_code == 200, moved.content
    expected = expected_usage(lines)
    rows = InventoryTransaction.objects.filter(reference_id=order_id, transaction_type=USAGE).select_related("item")
    assert {r.item.sku: -r.quantity for r in rows} == expected
    assert _stock(menu) == {sku: before[sku] - expected.get(sku, 0) for sku in before}
    # Cancelling by API puts everything back.
    cancel = {"status": "cancelled", "reason": "guest left"}
    assert client.post(f"/api/v1/orders/{order_id}/transition/", cancel, format="json").status_code == 200
    assert _stock(menu) == before


@pytest.mark.django_db
def test_short_stock_by_api_is_409_naming_the_ingredient(actors, client_for):
    build_menu(actors.store, stock={**STOCK, "chicken": "0.1"})
    client = client_for(actors.manager)
    order_id = client.post(
        "/api/v1/orders/", {"store": "STORE001", "items": [{"item_code": "KP01"}]}, format="json"
    ).json()["id"]
    client.post(f"/api/v1/orders/{order_id}/transition/", {"status": "confirmed"}, format="json")
    response = client.post(f"/api/v1/orders/{order_id}/transition/", {"status": "preparing"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock" and body["ingredient"] == "chicken"
    assert Order.objects.get(pk=order_id).status == S.CONFIRMED


@pytest.mark.django_db
def test_an_order_sent_to_the_kitchen_as_it_is_created_deducts_its_recipes_in_one_request(actors, client_for):
    menu = build_menu(actors.store)
    before = _stock(menu)
    lines = [("KP01", 2), ("RC01", 3)]
    response = client_for(actors.staff).post(
        "/api/v1/orders/",
        {"store": "STORE001", "send_to_kitchen": True, "items": [{"item_code": c, "quantity": q} for c, q in lines]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "preparing" and body["confirmed_at"] and body["preparing_at"]
    assert "send_to_kitchen" not in body
    expected = expected_usage(lines)
    assert {r.item.sku: -r.quantity for r in _usage_rows(Order(pk=body["id"])).select_related("item")} == expected
    assert _stock(menu) == {sku: before[sku] - expected.get(sku, 0) for sku in before}


@pytest.mark.django_db
def test_an_order_sent_to_the_kitchen_short_of_stock_is_409_and_nothing_is_written(actors, client_for):
    menu = build_menu(actors.store, stock={**STOCK, "chicken": "0.1"})
    before = _stock(menu)
    response = client_for(actors.staff).post(
        "/api/v1/orders/",
        {"store": "STORE001", "send_to_kitchen": True, "items": [{"item_code": "KP01"}, {"item_code": "RC01"}]},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["ingredient"] == "chicken"
    # All or nothing: no order, no ledger row, stock unchanged.
    assert not Order.objects.exists()
    assert not InventoryTransaction.objects.filter(transaction_type=USAGE).exists()
    assert _stock(menu) == before
