import pytest
from django.contrib.messages import get_messages
from django.test import Client

from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.testing.queries import assert_constant_queries

S = Order.Status
CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def web(actors):
    client = Client()
    client.force_login(actors.manager)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def management(total, initial, prefix="items"):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def order_form(**extra):
    return {
        "order_type": "dine_in",
        "sales_channel": "pos",
        "guest_count": "2",
        "customer_name": "Zhang Wei",
        "customer_phone": "13900000000",
        "discount_cents": "0",
        "notes": "",
        "metadata": "{}",
        **extra,
    }


def item_rows(order):
    data = {}
    for index, item in enumerate(order.items.order_by("created_at", "id")):
        data.update(
            {
                f"items-{index}-id": str(item.pk),
                f"items-{index}-order": order.pk,
                f"items-{index}-item_code": item.item_code,
                f"items-{index}-item_name": item.item_name,
                f"items-{index}-quantity": str(item.quantity),
                f"items-{index}-unit_price_cents": f"{item.unit_price_cents / 100:.2f}",
                f"items-{index}-notes": item.notes,
            }
        )
    return data


@pytest.mark.django_db
class TestChangelist:
    def test_lists_only_own_store_with_constant_queries(self, actors, web):
        OrderFactory(store=actors.other_store, id="THEIRS-1")

        def make_rows(n):
            for _ in range(n):
                OrderFactory(
                    store=actors.store,
                    table=TableFactory(store=actors.store),
                    waiter=EmployeeFactory(store=actors.store),
                )

        few, many = assert_constant_queries(make_rows, lambda: web.get(CHANGELIST))
        assert many.status_code == 200
        assert b"THEIRS-1" not in many.content
        assert "¥48.00" in many.content.decode()

    def test_filters_and_search_render(self, actors, web):
        order = OrderFactory(store=actors.store, customer_phone="13712345678")
        response = web.get(CHANGELIST, {"q": "13712345678", "status__exact": "pending"})
        assert response.status_code == 200
        assert order.pk in response.content.decode()

    def test_other_store_order_is_not_reachable(self, actors, web):
        theirs = OrderFactory(store=actors.other_store)
        response = web.get(f"{CHANGELIST}{theirs.pk}/change/")
        assert response.status_code == 302  # "does not exist" redirect to the index


@pytest.mark.django_db
class TestActions:
    def test_confirm_moves_what_it_can_and_counts(self, actors, web):
        a = OrderFactory(store=actors.store)
        b = OrderFactory(store=actors.store)
        done = OrderFactory(store=actors.store, status=S.COMPLETED)
        response = web.post(
            CHANGELIST, {"action": "mark_confirmed", "_selected_action": [a.pk, b.pk, done.pk]}, follow=True
        )
        assert response.status_code == 200
        text = " | ".join(messages_of(response))
        assert "2 orders moved to Confirmed" in text
        assert "1 order was refused" in text
        assert "cannot move from completed to confirmed" in text
        statuses = dict(Order.objects.values_list("pk", "status"))
        assert (statuses[a.pk], statuses[b.pk], statuses[done.pk]) == ("confirmed", "confirmed", "completed")
        a.refresh_from_db()
        assert a.confirmed_at is not None

    def test_cancel_uses_a_default_reason(self, actors, web):
        order = OrderFactory(store=actors.store, status=S.PREPARING)
        web.post(CHANGELIST, {"action": "mark_cancelled", "_selected_action": [order.pk]})
        order.refresh_from_db()
        assert order.status == "cancelled" and order.cancel_reason and order.cancelled_at

    def test_other_store_orders_are_not_touched(self, actors, web):
        theirs = OrderFactory(store=actors.other_store)
        web.post(CHANGELIST, {"action": "mark_confirmed", "_selected_action": [theirs.pk]})
        theirs.refresh_from_db()
        assert theirs.status == "pending"


@pytest.mark.django_db
class TestSaving:
    def test_add_with_items_gets_id_and_totals(self, actors, web):
        data = {
            **order_form(discount_cents="5.00", store="STORE001", order_time_0="2026-11-26", order_time_1="12:00:00"),
            **management(2, 0),
            "items-0-item_code": "D001",
            "items-0-is_open_item": "on",
            "items-0-item_name": "Kung Pao Chicken",
            "items-0-quantity": "2",
            "items-0-unit_price_cents": "48.00",
            "items-1-item_code": "D002",
            "items-1-is_open_item": "on",
            "items-1-item_name": "Rice",
            "items-1-quantity": "1",
            "items-1-unit_price_cents": "2.50",
        }
        response = web.post(f"{CHANGELIST}add/", data)
        assert response.status_code == 302, response.context["errors"] if response.context else response
        order = Order.objects.get()
        assert order.id == "STORE001-20261126-0001"
        assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (98_50, 5_00, 93_50)
        assert order.items.count() == 2

    def test_add_without_items_is_refused(self, actors, web):
        data = {**order_form(store="STORE001", order_time_0="2026-11-26", order_time_1="12:00:00"), **management(0, 0)}
        response = web.post(f"{CHANGELIST}add/", data)
        assert response.status_code == 200  # form redisplayed with the error
        assert not Order.objects.exists()

    def test_change_items_and_discount_recomputes(self, actors, web):
        order = OrderFactory(store=actors.store, items=[("A", "Soup", 1, 20_00), ("B", "Bun", 2, 5_00)])
        data = {**order_form(discount_cents="3.00"), **management(2, 2), **item_rows(order)}
        data["items-0-quantity"] = "3"  # soup x3 -> 60.00
        data["items-1-DELETE"] = "on"
        response = web.post(f"{CHANGELIST}{order.pk}/change/", data)
        assert response.status_code == 302
        order.refresh_from_db()
        assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (60_00, 3_00, 57_00)
        assert order.customer_name == "Zhang Wei"

    def test_discount_above_items_is_a_form_error(self, actors, web):
        order = OrderFactory(store=actors.store, items=[("A", "Soup", 1, 20_00)])
        data = {**order_form(discount_cents="25.00"), **management(1, 1), **item_rows(order)}
        response = web.post(f"{CHANGELIST}{order.pk}/change/", data)
        assert response.status_code == 200
        assert "cannot exceed" in response.content.decode()
        order.refresh_from_db()
        assert (order.discount_cents, order.total_cents) == (0, 20_00)

    def test_items_are_read_only_once_preparing(self, actors, web):
        order = OrderFactory(store=actors.store, status=S.PREPARING, items=[("A", "Soup", 1, 20_00)])
        page = web.get(f"{CHANGELIST}{order.pk}/change/").content.decode()
        assert 'name="items-0-quantity"' not in page
        assert 'name="discount_cents"' not in page
        data = {**order_form(), **management(1, 1), **item_rows(order)}
        for key in ("discount_cents", "order_type", "sales_channel"):
            data.pop(key)
        data["items-0-quantity"] = "9"
        data["notes"] = "no coriander"
        response = web.post(f"{CHANGELIST}{order.pk}/change/", data)
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.items.get().quantity == 1
        assert order.total_cents == 20_00
        assert order.notes == "no coriander"

    def test_deleting_removes_items(self, actors, web):
        order = OrderFactory(store=actors.store, items=[("A", "Soup", 1, 20_00)])
        response = web.post(f"{CHANGELIST}{order.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not Order.objects.exists() and not OrderItem.objects.exists()


@pytest.mark.django_db
class TestAddGoesThroughTheService:
    def form(self):
        return {
            **order_form(store="STORE001", order_time_0="2026-11-26", order_time_1="12:00:00"),
            **management(1, 0),
            "items-0-item_code": "D001",
            "items-0-is_open_item": "on",
            "items-0-item_name": "Kung Pao Chicken",
            "items-0-quantity": "1",
            "items-0-unit_price_cents": "48.00",
        }

    def test_publishes_and_logs(self, actors, web, sent, django_capture_on_commit_callbacks):
        from django.contrib.admin.models import LogEntry

        with django_capture_on_commit_callbacks(execute=True):
            response = web.post(f"{CHANGELIST}add/", self.form())
        assert response.status_code == 302
        order = Order.objects.get()
        assert [e["type"] for _, e in sent] == ["order.created"]
        assert LogEntry.objects.get().object_id == order.pk

    def test_refusal_saves_nothing(self, actors, web, monkeypatch):
        from django.contrib.admin.models import LogEntry

        from orders import services
        from zhilian.errors import Unavailable

        def refuse(**kwargs):
            raise Unavailable("The kitchen is closed.")

        monkeypatch.setattr(services, "order_create", refuse)
        response = web.post(f"{CHANGELIST}add/", self.form(), follow=True)
        assert "The kitchen is closed." in messages_of(response)
        assert not Order.objects.exists() and not LogEntry.objects.exists()

    def test_inactive_table_is_not_offered_for_a_new_order(self, actors, web):
        table = TableFactory(store=actors.store, is_active=False)
        response = web.post(f"{CHANGELIST}add/", {**self.form(), "table": str(table.pk)})
        assert response.status_code == 200
        assert "table" in response.context["adminform"].form.errors


@pytest.mark.django_db
def test_a_refused_change_undoes_fields_and_items(actors, web, monkeypatch):
    from django.contrib.admin.models import LogEntry

    from orders import services
    from zhilian.errors import Locked

    order = OrderFactory(store=actors.store, items=[("A", "Soup", 1, 20_00)], notes="")

    def refuse(**kwargs):
        raise Locked("The kitchen already started this order.")

    monkeypatch.setattr(services, "order_recompute_totals", refuse)
    data = {**order_form(notes="extra bowl"), **management(1, 1), **item_rows(order)}
    data["items-0-quantity"] = "4"
    response = web.post(f"{CHANGELIST}{order.pk}/change/", data, follow=True)
    assert "The kitchen already started this order." in messages_of(response)
    order.refresh_from_db()
    assert (order.notes, order.items.get().quantity, order.total_cents) == ("", 1, 20_00)
    assert not LogEntry.objects.exists()
