"""A one-store manager's admin: no store column, no store filter, the store preset and hidden on
forms; admins keep all three (issue 15)."""

from __future__ import annotations

import pytest
from django.test import Client

from inventory.tests.factories import InventoryItemFactory

pytestmark = pytest.mark.django_db
ITEMS = "/admin/inventory/inventoryitem/"


def page(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def test_a_manager_sees_no_store_column_or_filter_and_a_preset_hidden_store(actors):
    InventoryItemFactory(store=actors.store)
    listing = page(actors.manager, ITEMS)
    assert "store" not in listing.context["cl"].list_display
    assert 'class="column-store' not in listing.content.decode()
    form = page(actors.manager, f"{ITEMS}add/").context["adminform"].form
    field = form.fields["store"]
    assert field.disabled and field.widget.is_hidden and field.initial == actors.store.pk


def test_an_admin_keeps_the_store_column_and_picks_the_store(actors):
    InventoryItemFactory(store=actors.store)
    listing = page(actors.admin, ITEMS)
    assert "store" in listing.context["cl"].list_display
    form = page(actors.admin, f"{ITEMS}add/").context["adminform"].form
    assert not form.fields["store"].disabled and not form.fields["store"].widget.is_hidden
