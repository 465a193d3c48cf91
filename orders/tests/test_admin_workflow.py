"""The order page in the admin: the allowed moves as buttons, no delete for closed orders, waiters
from the front of house only, and warnings about the table (issue 15's walkthrough)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from orders import services
from orders.models import Order
from orders.tests.factories import OrderFactory
from stores.models import Employee
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.errors import InvalidInput

S = Order.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def web(actors):
    client = Client()
    client.force_login(actors.manager)
    return client


def change_url(order):
    return f"/admin/orders/order/{order.pk}/change/"


def move_url(order, status):
    return f"/admin/orders/order/{order.pk}/move/{status}/"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_order_page_offers_exactly_the_allowed_moves_as_buttons(actors, web):
    order = OrderFactory(store=actors.store, status=S.CONFIRMED)
    body = web.get(change_url(order)).content.decode()
    assert f'action="{move_url(order, "preparing")}"' in body
    assert f'action="{move_url(order, "cancelled")}"' in body
    assert 'name="reason" required' in body  # cancelling asks why
    for status in ("pending", "ready", "served", "completed"):
        assert move_url(order, status) not in body


def test_a_button_moves_the_order_through_the_service(actors, web):
    order = OrderFactory(store=actors.store, status=S.PENDING)
    response = web.post(move_url(order, "confirmed"), follow=True)
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and order.confirmed_at is not None
    assert f"Order {order.pk} moved to Confirmed." in messages_of(response)
    assert response.redirect_chain[-1][0] == change_url(order)


def test_cancelling_needs_a_reason_and_keeps_it(actors, web):
    order = OrderFactory(store=actors.store, status=S.CONFIRMED)
    refused = web.post(move_url(order, "cancelled"), follow=True)
    assert "Say why the order is cancelled." in " ".join(messages_of(refused))
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED
    web.post(move_url(order, "cancelled"), {"reason": "guest left"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "guest left")


def test_a_forbidden_move_says_which_moves_are_allowed(actors, web):
    order = OrderFactory(store=actors.store, status=S.PREPARING)
    response = web.post(move_url(order, "served"), follow=True)
    text = " ".join(messages_of(response))
    assert "cannot move from preparing to served; it can move to: ready, cancelled." in text
    assert Order.objects.get(pk=order.pk).status == S.PREPARING


def test_moves_are_scoped_to_the_managers_store_and_need_post(actors, web):
    theirs = OrderFactory(store=actors.other_store, status=S.PENDING)
    assert web.post(move_url(theirs, "confirmed")).status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == S.PENDING
    mine = OrderFactory(store=actors.store, status=S.PENDING)
    assert web.get(move_url(mine, "confirmed")).status_code == 405


def test_closed_orders_offer_no_delete_open_ones_do(actors, web):
    for status in (S.COMPLETED, S.CANCELLED):
        order = OrderFactory(store=actors.store, status=status)
        assert "deletelink" not in web.get(change_url(order)).content.decode()
        assert web.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
        assert Order.objects.filter(pk=order.pk).exists()
        # A closed order offers no moves either.
        assert "/move/" not in web.get(change_url(order)).content.decode()
    pending = OrderFactory(store=actors.store, status=S.PENDING)
    assert "deletelink" in web.get(change_url(pending)).content.decode()


def test_the_waiter_picker_lists_the_front_of_house_only(actors, web):
    waiter = EmployeeFactory(store=actors.store, name="Li Waiter", position=Employee.Position.WAITER)
    host = EmployeeFactory(store=actors.store, name="Zhou Host", position=Employee.Position.HOST)
    chef = EmployeeFactory(store=actors.store, name="Wang Chef", position=Employee.Position.CHEF)
    washer = EmployeeFactory(store=actors.store, name="Zhao Washer", position=Employee.Position.DISHWASHER)
    form = web.get("/admin/orders/order/add/").context["adminform"].form
    choices = set(form.fields["waiter"].queryset.values_list("pk", flat=True))
    assert {waiter.pk, host.pk} <= choices
    assert not {chef.pk, washer.pk} & choices
    # An order that has a chef as waiter (from before the rule) keeps showing it.
    old = OrderFactory(store=actors.store, waiter=chef)
    form = web.get(change_url(old)).context["adminform"].form
    assert chef.pk in set(form.fields["waiter"].queryset.values_list("pk", flat=True))


def test_the_service_refuses_kitchen_staff_as_waiter(actors):
    chef = EmployeeFactory(store=actors.store, name="Wang Chef", position=Employee.Position.CHEF)
    items = [{"item_code": "X1", "item_name": "Tea", "unit_price_cents": 500, "is_open_item": True}]
    with pytest.raises(InvalidInput) as refused:
        services.order_create(store=actors.store, items=items, waiter=chef, user=actors.manager)
    assert "Wang Chef works as Chef" in str(refused.value.errors["waiter"])
    assert not Order.objects.exists()


def test_the_order_page_warns_about_too_many_guests_and_a_table_already_in_use(actors, web):
    table = TableFactory(store=actors.store, number="A12", capacity=4)
    first = OrderFactory(store=actors.store, table=table, status=S.PREPARING, guest_count=2)
    crowded = OrderFactory(store=actors.store, table=table, status=S.PENDING, guest_count=6)
    body = web.get(change_url(crowded)).content.decode()
    assert "Table A12 seats 4; this order has 6 guests." in body
    assert f"Table A12 already has an open order: {first.pk}." in body
    # Once the first order is closed and the party fits, no warning.
    Order.objects.filter(pk=first.pk).update(status=S.COMPLETED)
    Order.objects.filter(pk=crowded.pk).update(guest_count=4)
    body = web.get(change_url(crowded)).content.decode()
    assert "seats 4" not in body and "already has an open order" not in body


def test_the_waiter_autocomplete_of_the_order_form_offers_the_front_of_house_only(actors, web):
    EmployeeFactory(store=actors.store, name="Li Waiter", position=Employee.Position.WAITER)
    EmployeeFactory(store=actors.store, name="Li Chef", position=Employee.Position.CHEF)
    params = {"term": "Li", "app_label": "orders", "model_name": "order", "field_name": "waiter"}
    found = [row["text"] for row in web.get("/admin/autocomplete/", params).json()["results"]]
    assert any("Li Waiter" in text for text in found) and not any("Li Chef" in text for text in found)
    # Elsewhere (e.g. a shift's employee) everyone is offered.
    params.update(app_label="scheduling", model_name="shift", field_name="employee")
    found = [row["text"] for row in web.get("/admin/autocomplete/", params).json()["results"]]
    assert any("Li Chef" in text for text in found)
