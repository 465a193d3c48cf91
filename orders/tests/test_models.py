import pytest
from django.db import IntegrityError, transaction

from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory


def violates(func) -> bool:
    try:
        with transaction.atomic():
            func()
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
class TestOrderConstraints:
    @pytest.mark.parametrize(
        ("subtotal", "discount", "total"),
        [
            (100, 0, 90),  # total is not subtotal - discount
            (100, 10, 100),
            (100, -10, 110),  # negative discount
            (100, 150, -50),  # negative total
            (-100, 0, -100),  # negative subtotal
        ],
    )
    def test_money_rules_are_enforced_by_the_database(self, store, subtotal, discount, total):
        order = OrderFactory(store=store, items=[])
        assert violates(
            lambda: Order.objects.filter(pk=order.pk).update(
                subtotal_cents=subtotal, discount_cents=discount, total_cents=total
            )
        )

    def test_consistent_totals_are_accepted(self, store):
        order = OrderFactory(store=store, items=[])
        assert not violates(
            lambda: Order.objects.filter(pk=order.pk).update(subtotal_cents=100, discount_cents=30, total_cents=70)
        )

    def test_guest_count_positive(self, store):
        order = OrderFactory(store=store)
        assert violates(lambda: Order.objects.filter(pk=order.pk).update(guest_count=0))


@pytest.mark.django_db
class TestOrderItemConstraints:
    def test_quantity_at_least_one(self, store):
        order = OrderFactory(store=store, items=[])
        # bulk_create skips save(), so the database is the one refusing.
        assert violates(
            lambda: OrderItem.objects.bulk_create(
                [
                    OrderItem(
                        order=order, item_code="A", item_name="Soup", quantity=0, unit_price_cents=1, subtotal_cents=0
                    )
                ]
            )
        )

    def test_subtotal_is_quantity_times_price(self, store):
        order = OrderFactory(store=store)
        item = order.items.get()
        assert violates(lambda: OrderItem.objects.filter(pk=item.pk).update(subtotal_cents=1))
        assert violates(lambda: OrderItem.objects.filter(pk=item.pk).update(unit_price_cents=-1, subtotal_cents=-1))

    def test_save_computes_the_subtotal(self, store):
        order = OrderFactory(store=store, items=[])
        item = OrderItem.objects.create(order=order, item_code="A", item_name="Soup", quantity=3, unit_price_cents=7)
        assert item.subtotal_cents == 21


@pytest.mark.django_db
def test_deleting_an_order_deletes_its_items(store):
    order = OrderFactory(store=store, items=[("A", "Soup", 1, 100), ("B", "Bun", 2, 50)])
    other = OrderFactory(store=store)
    assert OrderItem.objects.filter(order=order).count() == 2
    order.delete()
    assert not OrderItem.objects.filter(order_id=order.pk).exists()
    assert OrderItem.objects.filter(order=other).count() == 1


@pytest.mark.django_db
def test_store_with_orders_is_protected(store):
    from django.db.models import ProtectedError

    OrderFactory(store=store)
    with pytest.raises(ProtectedError):
        store.delete()
