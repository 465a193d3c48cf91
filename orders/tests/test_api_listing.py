"""Orders API: listing, filters, and the remaining endpoint behaviour."""

import pytest

from orders.models import Order
from orders.tests.factories import OrderFactory
from orders.tests.helpers import ITEMS_URL, ORDERS, transition
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.testing.queries import assert_constant_queries

S = Order.Status


@pytest.mark.django_db
class TestListing:
    def test_filters(self, actors, client_for):
        import datetime as dt

        from django.utils import timezone

        day = timezone.make_aware(dt.datetime(2026, 11, 20, 12, 0))
        table = TableFactory(store=actors.store)
        a = OrderFactory(store=actors.store, status=S.PENDING, order_time=day, table=table, customer_phone="139")
        b = OrderFactory(store=actors.store, status=S.CONFIRMED, order_time=day + dt.timedelta(hours=11, minutes=30))
        c = OrderFactory(store=actors.store, status=S.COMPLETED, order_time=day + dt.timedelta(days=2))
        d = OrderFactory(store=actors.store, status=S.CANCELLED, order_type="takeaway", sales_channel="meituan")
        client = client_for(actors.manager)

        def ids(**params):
            response = client.get(ORDERS, params)
            assert response.status_code == 200, response.content
            return {row["id"] for row in response.json()["results"]}

        assert ids(status=["pending", "confirmed"]) == {a.pk, b.pk}
        assert ids(date="2026-11-20") == {a.pk, b.pk}  # 23:30 local is still the 20th
        assert ids(order_time_after="2026-11-21T00:00:00+08:00", order_time_before="2026-11-23T00:00:00+08:00") == {
            c.pk
        }
        assert ids(order_type="takeaway") == {d.pk}
        assert ids(sales_channel="meituan") == {d.pk}
        assert ids(table=str(table.pk)) == {a.pk}
        assert ids(customer_phone="139") == {a.pk}
        assert ids(search="139") == {a.pk}
        assert ids(search=a.pk) == {a.pk}
        assert ids(store="STORE002") == set()
        ordered = [r["id"] for r in client.get(ORDERS, {"ordering": "order_time"}).json()["results"]]
        assert ordered[:2] == [a.pk, b.pk]

    @pytest.mark.parametrize(
        "params",
        [{"status": "eaten"}, {"date": "2026-13-40"}, {"order_time_after": "soon"}, {"table": "x"}, {"page": "zz"}],
    )
    def test_bad_filters_are_not_500(self, actors, client_for, params):
        response = client_for(actors.manager).get(ORDERS, params)
        assert response.status_code in (400, 404)

    def test_list_queries_do_not_grow_with_items_and_relations(self, actors, client_for):
        client = client_for(actors.manager)

        def make_rows(n):
            for _ in range(n):
                OrderFactory(
                    store=actors.store,
                    table=TableFactory(store=actors.store),
                    waiter=EmployeeFactory(store=actors.store),
                    items=[("A", "Soup", 1, 100), ("B", "Bun", 2, 50)],
                )

        few, many = assert_constant_queries(make_rows, lambda: client.get(ORDERS, {"page_size": 100}))
        assert len(many.json()["results"]) == 50
        assert all(len(row["items"]) == 2 and row["table_number"] for row in many.json()["results"])


@pytest.mark.django_db
class TestMore:
    def test_put_need_not_repeat_the_store(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        response = client_for(actors.manager).put(
            f"{ORDERS}{order.pk}/", {"customer_name": "Chen Jing", "order_type": "takeaway"}, format="json"
        )
        assert response.status_code == 200, response.content
        order.refresh_from_db()
        assert (order.customer_name, order.order_type, order.store_id) == ("Chen Jing", "takeaway", "STORE001")

    def test_order_items_filter_by_order(self, actors, client_for):
        a = OrderFactory(store=actors.store, items=[("A", "Soup", 1, 100), ("B", "Bun", 1, 50)])
        OrderFactory(store=actors.store)
        response = client_for(actors.staff).get(ITEMS_URL, {"order": a.pk})
        rows = response.json()["results"]
        assert sorted(r["item_code"] for r in rows) == ["A", "B"]
        assert {r["order_status"] for r in rows} == {"pending"}

    def test_detail_tells_what_can_happen_next(self, actors, client_for):
        order = OrderFactory(store=actors.store, status=S.PREPARING)
        body = client_for(actors.staff).get(f"{ORDERS}{order.pk}/").json()
        assert body["allowed_transitions"] == ["ready", "cancelled"]
        assert body["items_editable"] is False

    def test_transition_notifies_managers_through_the_api(self, actors, client_for):
        from notifications.models import Notification

        order = OrderFactory(store=actors.store)
        response = transition(client_for(actors.staff), order, "cancelled", reason="Guest left")
        assert response.json()["cancel_reason"] == "Guest left"
        assert list(Notification.objects.values_list("recipient__username", "kind")) == [("manager1", "order_status")]

    def test_transition_asks_the_role_matrix_for_transition(self, actors, client_for, monkeypatch):
        from zhilian import roles

        matrix = dict(roles.PERMISSIONS["orders.order"])
        matrix[roles.STAFF] = frozenset({roles.VIEW, roles.ADD, roles.CHANGE})  # everything but "transition"
        monkeypatch.setitem(roles.PERMISSIONS, "orders.order", matrix)
        order = OrderFactory(store=actors.store)
        assert transition(client_for(actors.staff), order, "confirmed").status_code == 403
        order.refresh_from_db()
        assert order.status == "pending"
