"""The inventory items changelist sorts and colours by severity; the reorder suggestions page;
the item page's latest ledger rows in local time (issue 15's walkthrough)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from inventory import services
from inventory.models import InventoryItem
from inventory.tests.factories import InventoryItemFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/inventory/inventoryitem/"
REORDER = "/admin/inventory/inventoryitem/reorder-suggestions/"


def web(user):
    client = Client()
    client.force_login(user)
    return client


def _item(store, name, quantity, status, **fields):
    return InventoryItemFactory(
        store=store,
        name=name,
        current_quantity=Decimal(quantity),
        min_quantity=Decimal("10"),
        max_quantity=Decimal("40"),
        status=status,
        **fields,
    )


def test_the_worst_come_first_with_a_coloured_status(actors):
    for name, quantity, status in (
        ("Apples", "30", "normal"),
        ("Beef", "0", "out_of_stock"),
        ("Carrots", "8", "low"),
        ("Duck", "3", "critical"),
    ):
        _item(actors.store, name, quantity, status)
    response = web(actors.manager).get(CHANGELIST)
    assert [obj.name for obj in response.context["cl"].result_list] == ["Beef", "Duck", "Carrots", "Apples"]
    body = response.content.decode()
    assert '<span class="stock-status stock-status-out_of_stock">Out of stock</span>' in body
    assert "inventory/stock_status" in body  # the badge colours
    # Sorting by the status column sorts by severity too, both ways.
    column = response.context["cl"].list_display.index("status_badge")
    reverse = web(actors.manager).get(CHANGELIST, {"o": f"-{column}"})
    assert [obj.name for obj in reverse.context["cl"].result_list][0] == "Apples"


def test_reorder_suggestions_per_supplier_for_the_managers_store(actors):
    _item(actors.store, "Beef", "2", "critical", supplier_name="Meat Co", unit_cost_cents=80_00)
    _item(actors.store, "Rice", "9", "low", supplier_name="Grain Co", unit_cost_cents=5_00)
    _item(actors.store, "Salt", "30", "normal", supplier_name="Grain Co")
    _item(actors.other_store, "Theirs", "0", "out_of_stock", supplier_name="Meat Co")
    response = web(actors.manager).get(REORDER)
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["supplier_name"] for g in groups] == ["Grain Co", "Meat Co"]
    assert [(i["name"], i["quantity"]) for g in groups for i in g["items"]] == [
        ("Rice", Decimal("31.000")),
        ("Beef", Decimal("38.000")),
    ]
    body = response.content.decode()
    assert "¥3,040.00" in body  # 38 kg of beef at ¥80.00
    assert "Theirs" not in body and "Salt" not in body
    # A manager may not ask for another store's; the changelist links the page.
    assert web(actors.manager).get(REORDER, {"store": actors.other_store.pk}).status_code == 404
    assert REORDER in web(actors.manager).get(CHANGELIST).content.decode()


def test_the_item_page_shows_its_latest_rows_in_local_time(actors, settings):
    item = InventoryItem.objects.get(pk=_item(actors.store, "Beef", "20", "normal").pk)
    at = timezone.make_aware(dt.datetime(2026, 11, 20, 19, 45), timezone.get_current_timezone())
    services.stock_record_purchase(item=item, quantity=5, transaction_time=at)
    body = web(actors.manager).get(f"/admin/inventory/inventoryitem/{item.pk}/change/").content.decode()
    assert "2026-11-20 19:45" in body and "2026-11-20 11:45" not in body
