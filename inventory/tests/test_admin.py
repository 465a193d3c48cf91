from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction
from inventory.tests.factories import InventoryItemFactory
from zhilian.testing.queries import count_queries

D = Decimal
ITEM_LIST = reverse("admin:inventory_inventoryitem_changelist")
ITEM_ADD = reverse("admin:inventory_inventoryitem_add")
LEDGER_LIST = reverse("admin:inventory_inventorytransaction_changelist")
LEDGER_ADD = reverse("admin:inventory_inventorytransaction_add")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stocked(store, quantity=10, **kwargs):
    item = InventoryItemFactory(store=store, **kwargs)
    if quantity:
        services.stock_record_purchase(item=item, quantity=quantity)
    return item


def item_form(item, **changes):
    data = {
        "name": item.name,
        "category": item.category,
        "unit": item.unit,
        "is_active": "on",
        "min_quantity": str(item.min_quantity),
        "max_quantity": str(item.max_quantity),
        "unit_cost_cents": "12.00",
        "supplier_name": item.supplier_name,
        "supplier_contact": "",
    }
    return {**data, **changes}


def test_item_changelist_is_scoped_and_shows_yuan(actors):
    stocked(actors.store, name="Mine", unit_cost_cents=12_34)
    stocked(actors.other_store, name="Theirs")
    response = browser(actors.manager).get(ITEM_LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine" in html and "Theirs" not in html and "¥12.34" in html
    assert "Theirs" in browser(actors.admin).get(ITEM_LIST).content.decode()


def test_item_changelist_query_count_is_constant(actors):
    client = browser(actors.manager)
    for _ in range(3):
        stocked(actors.store)
    few, _ = count_queries(lambda: client.get(ITEM_LIST))
    for _ in range(20):
        stocked(actors.store)
    many, _ = count_queries(lambda: client.get(ITEM_LIST))
    assert few == many


def test_ledger_changelist_query_count_is_constant(actors):
    client = browser(actors.manager)
    item = stocked(actors.store, 100)
    for _ in range(3):
        services.stock_record_usage(item=item, quantity=1, user=actors.staff)
    few, _ = count_queries(lambda: client.get(LEDGER_LIST))
    for _ in range(20):
        services.stock_record_usage(item=item, quantity=1, user=actors.manager)
    many, _ = count_queries(lambda: client.get(LEDGER_LIST))
    assert few == many


def test_other_stores_item_is_not_found_in_the_admin(actors):
    theirs = stocked(actors.other_store)
    url = reverse("admin:inventory_inventoryitem_change", args=[theirs.pk])
    response = browser(actors.manager).get(url)
    assert response.status_code == 302  # Django redirects "does not exist" to the index
    assert InventoryItem.objects.get(pk=theirs.pk).name == theirs.name


def test_editing_an_item_in_the_admin_never_touches_its_stock(actors):
    item = stocked(actors.store, 10, min_quantity=D("5"), max_quantity=D("30"))
    url = reverse("admin:inventory_inventoryitem_change", args=[item.pk])
    client = browser(actors.manager)
    page = client.get(url)
    assert page.status_code == 200 and "latest transactions" in page.content.decode().lower()
    services.stock_record_usage(item=item, quantity=3)  # happens while the form is open
    response = client.post(url, item_form(item, name="Renamed", min_quantity="8"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    item.refresh_from_db()
    assert (item.name, item.current_quantity, item.status) == ("Renamed", D("7"), InventoryItem.Status.LOW)
    assert services.stock_verify() == []


def test_adding_an_item_in_the_admin(actors):
    client = browser(actors.manager)
    data = item_form(InventoryItem(name="Garlic", category="vegetable", unit="kg", min_quantity=2, max_quantity=9))
    response = client.post(ITEM_ADD, {**data, "id": "INV321", "store": actors.store.pk, "unit_cost_cents": "7.50"})
    assert response.status_code == 302
    item = InventoryItem.objects.get(pk="INV321")
    assert (item.store_id, item.unit_cost_cents, item.current_quantity, item.status) == (
        "STORE001",
        7_50,
        0,
        InventoryItem.Status.OUT_OF_STOCK,
    )


def test_recompute_status_action(actors):
    item = stocked(actors.store, 3, min_quantity=D("10"))
    InventoryItem.objects.filter(pk=item.pk).update(status="normal")
    response = browser(actors.manager).post(
        ITEM_LIST, {"action": "recompute_status", "_selected_action": [item.pk]}, follow=True
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == InventoryItem.Status.CRITICAL
    assert "1 item(s) changed status" in response.content.decode()


def test_ledger_rows_cannot_be_changed_or_deleted_in_the_admin(actors):
    item = stocked(actors.store, 10)
    row = InventoryTransaction.objects.get(item=item)
    client = browser(actors.admin)
    change = reverse("admin:inventory_inventorytransaction_change", args=[row.pk])
    delete = reverse("admin:inventory_inventorytransaction_delete", args=[row.pk])
    assert client.get(change).status_code == 200  # view only
    assert client.post(change, {"quantity": "99", "notes": "edited"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(LEDGER_LIST, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert InventoryTransaction.objects.filter(pk=row.pk, quantity=D("10"), notes="").exists()
    assert response.status_code in (200, 302)


def test_recording_a_movement_in_the_admin_goes_through_the_services(actors):
    item = stocked(actors.store, 10, unit_cost_cents=10_00)
    client = browser(actors.manager)
    assert client.get(LEDGER_ADD).status_code == 200
    response = client.post(
        LEDGER_ADD,
        {"item": item.pk, "transaction_type": "purchase", "quantity": "5", "unit_cost": "11.50", "notes": "admin"},
        follow=True,
    )
    assert response.status_code == 200
    row = InventoryTransaction.objects.get(item=item, notes="admin")
    assert (row.quantity, row.quantity_before, row.unit_cost_cents, row.performed_by) == (
        D("5"),
        D("10"),
        11_50,
        actors.manager,
    )
    item.refresh_from_db()
    assert (item.current_quantity, item.unit_cost_cents) == (D("15"), 11_50)


def test_admin_refusal_is_a_message_and_writes_nothing(actors):
    item = stocked(actors.store, 2)
    response = browser(actors.manager).post(LEDGER_ADD, {"item": item.pk, "transaction_type": "usage", "quantity": "5"})
    assert response.status_code == 200
    assert "Only 2 kg" in response.content.decode()
    assert InventoryTransaction.objects.filter(item=item).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"transaction_type": "waste", "quantity": "1"}, "waste_reason"),
        ({"transaction_type": "adjustment"}, "counted_quantity"),
        ({"transaction_type": "transfer", "quantity": "1"}, "to_store"),
        ({"transaction_type": "usage"}, "quantity"),
    ],
)
def test_admin_record_form_validates(actors, body, field):
    item = stocked(actors.store, 2)
    response = browser(actors.manager).post(LEDGER_ADD, {"item": item.pk, **body})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert InventoryTransaction.objects.filter(item=item).count() == 1


def test_admin_record_form_offers_only_visible_items(actors):
    theirs = stocked(actors.other_store, 5)
    response = browser(actors.manager).post(
        LEDGER_ADD, {"item": theirs.pk, "transaction_type": "usage", "quantity": "1"}
    )
    assert "item" in response.context["form"].errors
    assert InventoryTransaction.objects.filter(item=theirs).count() == 1


def test_staff_cannot_enter_the_admin(actors):
    response = browser(actors.staff).get(LEDGER_ADD)
    assert response.status_code == 302 and "/login/" in response["Location"]
