from decimal import Decimal

import pytest

from inventory import services
from inventory.tests.factories import InventoryItemFactory


@pytest.fixture
def make_item(store):
    """An item in `store` (or the given store) with `stock` bought through the ledger."""

    def make(stock=0, *, store_=None, **kwargs):
        item = InventoryItemFactory(store=store_ or store, **kwargs)
        if stock:
            services.stock_record_purchase(item=item, quantity=Decimal(str(stock)))
        return item

    return make


@pytest.fixture
def published(monkeypatch):
    """Every event the services publish, in order (recorded instead of sent)."""
    sent: list[dict] = []

    def record(event_type, *, store_id, data, user_ids=()):
        sent.append({"type": event_type, "store": store_id, "data": data, "user_ids": list(user_ids)})

    monkeypatch.setattr("zhilian.events.publish", record)
    return sent


@pytest.fixture
def sent(monkeypatch):
    """Events that actually went out (after commit), as (groups, event) pairs."""
    out = []
    monkeypatch.setattr("zhilian.events._send", lambda groups, event: out.append((groups, event)))
    return out
