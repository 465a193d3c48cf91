import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from inventory.models import InventoryItem


class InventoryItemFactory(factory.django.DjangoModelFactory):
    """An item with a stock level but no ledger; tests of the ledger start from zero stock."""

    class Meta:
        model = InventoryItem

    id = factory.Sequence(lambda n: f"INVT{n:04d}")
    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    name = factory.Sequence(lambda n: f"Ingredient {n}")
    category = InventoryItem.Category.VEGETABLE
    unit = "kg"
    current_quantity = Decimal("0")
    min_quantity = Decimal("10")
    max_quantity = Decimal("50")
    unit_cost_cents = 12_00
    status = factory.LazyAttribute(lambda o: InventoryItem.status_for(o.current_quantity, o.min_quantity))
    supplier_name = "Fresh Farm Co."


class StockCountFactory(factory.django.DjangoModelFactory):
    """A count header without lines; tests that need a sheet open one through the services."""

    class Meta:
        model = "inventory.StockCount"

    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    count_date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    status = "closed"
    closed_at = factory.LazyFunction(timezone.now)
