import factory
from django.utils import timezone

from orders.models import Order, OrderItem


class OrderFactory(factory.django.DjangoModelFactory):
    """An order with consistent totals. Pass `items=[(code, name, qty, price_cents), ...]`."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    id = factory.Sequence(lambda n: f"TESTORDER-{n:06d}")
    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    order_type = Order.Type.DINE_IN
    customer_name = factory.Faker("name")
    customer_phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    status = Order.Status.PENDING
    subtotal_cents = 0
    discount_cents = 0
    total_cents = 0
    order_time = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        lines = extracted if extracted is not None else [("D001", "Kung Pao Chicken", 1, 48_00)]
        rows = [
            OrderItem(order=obj, item_code=c, item_name=n, quantity=q, unit_price_cents=p, subtotal_cents=q * p)
            for c, n, q, p in lines
        ]
        subtotal = sum(r.subtotal_cents for r in rows)
        obj.subtotal_cents = subtotal
        obj.total_cents = subtotal - obj.discount_cents
        if create:
            OrderItem.objects.bulk_create(rows)
            obj.save(update_fields=["subtotal_cents", "total_cents"])


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory, items=[])
    item_code = factory.Sequence(lambda n: f"D{n:03d}")
    item_name = "Mapo Tofu"
    quantity = 1
    unit_price_cents = 32_00
