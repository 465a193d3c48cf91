from itertools import product

import pytest

from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory, OrderItemFactory
from orders.tests.test_services import CHAIN, expected_moves
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.testing.api import APIResourceTests
from zhilian.testing.queries import assert_constant_queries

S = Order.Status
ORDERS = "/api/v1/orders/"
ITEMS_URL = "/api/v1/order-items/"


def order_body(**extra):
    return {
        "order_type": "dine_in",
        "customer_name": "Wang Fang",
        "customer_phone": "13800001111",
        "items": [
            {"item_code": "D001", "item_name": "Kung Pao Chicken", "quantity": 2, "unit_price_cents": 4800},
            {"item_code": "D002", "item_name": "Mapo Tofu", "unit_price_cents": 3200, "notes": "mild"},
        ],
        **extra,
    }


@pytest.mark.django_db
class TestOrderResource(APIResourceTests):
    list_url = ORDERS

    def make(self, store, **kwargs):
        return OrderFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return order_body(table=str(TableFactory(store=actors.store).pk))

    def update_payload(self, obj):
        return {"customer_name": "Li Lei", "discount_cents": 500, "notes": "birthday"}

    def check_created(self, obj, payload):
        assert obj.store_id == "STORE001"
        assert obj.total_cents == 128_00
        assert str(obj.table_id) == payload["table"]
        assert obj.items.count() == 2


@pytest.mark.django_db
class TestOrderItemResource(APIResourceTests):
    list_url = ITEMS_URL

    def make(self, store, **kwargs):
        return OrderItemFactory(order=OrderFactory(store=store, items=[]), **kwargs)

    def create_payload(self, actors):
        order = OrderFactory(store=actors.store)
        return {
            "order": order.pk,
            "item_code": "T01",
            "item_name": "Jasmine tea",
            "quantity": 2,
            "unit_price_cents": 800,
        }

    def update_payload(self, obj):
        return {"quantity": 3, "notes": "extra spicy"}

    def check_created(self, obj, payload):
        assert obj.subtotal_cents == 1600
        obj.order.refresh_from_db()
        assert obj.order.subtotal_cents == 48_00 + 16_00


@pytest.mark.django_db
class TestCreateOrder:
    def test_totals_and_ids_are_the_servers(self, actors, client_for):
        body = order_body(
            id="HACK-1",
            subtotal_cents=1,
            total_cents=1,
            status="completed",
            discount_cents=800,
            confirmed_at="2020-01-01T00:00:00Z",
        )
        body["items"][0]["subtotal_cents"] = 5
        response = client_for(actors.staff).post(ORDERS, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["id"].startswith("STORE001-") and data["id"] != "HACK-1"
        assert (data["subtotal_cents"], data["discount_cents"], data["total_cents"]) == (128_00, 800, 120_00)
        assert data["status"] == "pending" and data["confirmed_at"] is None
        assert data["store"] == "STORE001"
        assert [(i["item_code"], i["quantity"], i["subtotal_cents"]) for i in data["items"]] == [
            ("D001", 2, 9600),
            ("D002", 1, 3200),
        ]
        assert data["allowed_transitions"] == ["confirmed", "cancelled"]
        stored = Order.objects.get(pk=data["id"])
        assert stored.total_cents == 120_00

    def test_needs_items(self, actors, client_for):
        response = client_for(actors.manager).post(ORDERS, order_body(items=[]), format="json")
        assert response.status_code == 400
        assert "items" in response.json()
        assert not Order.objects.exists()

    def test_discount_above_subtotal(self, actors, client_for):
        response = client_for(actors.manager).post(ORDERS, order_body(discount_cents=999_00), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["discount_cents"]

    @pytest.mark.parametrize(
        ("patch", "field"),
        [
            ({"quantity": 0}, "quantity"),
            ({"quantity": 10**30}, "quantity"),
            ({"quantity": "many"}, "quantity"),
            ({"unit_price_cents": -5}, "unit_price_cents"),
            ({"unit_price_cents": 10**20}, "unit_price_cents"),
            ({"item_name": ""}, "item_name"),
        ],
    )
    def test_bad_items_are_400_naming_the_field(self, actors, client_for, patch, field):
        body = order_body()
        body["items"][0].update(patch)
        response = client_for(actors.manager).post(ORDERS, body, format="json")
        assert response.status_code == 400
        assert field in response.json()["items"]["0"]  # DRF reports list errors by index

    @pytest.mark.parametrize(
        "patch",
        [
            {"order_type": "teleport"},
            {"discount_cents": -1},
            {"discount_cents": 10**25},
            {"order_time": "yesterday"},
            {"guest_count": 0},
            {"items": "lots"},
            {"table": "not-a-uuid"},
            {"metadata": "x"},
        ],
    )
    def test_malformed_bodies_are_400(self, actors, client_for, patch):
        response = client_for(actors.manager).post(ORDERS, order_body(**patch), format="json")
        assert response.status_code == 400, response.content
        assert set(patch) & set(response.json())

    @pytest.mark.parametrize("field", ["table", "waiter"])
    @pytest.mark.parametrize("actor", ["manager", "admin"])
    def test_table_or_waiter_of_another_store(self, actors, client_for, field, actor):
        other = (
            TableFactory(store=actors.other_store) if field == "table" else EmployeeFactory(store=actors.other_store)
        )
        body = order_body(**{field: str(other.pk)})
        if actor == "admin":
            body["store"] = "STORE001"
        response = client_for(getattr(actors, actor)).post(ORDERS, body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Order.objects.exists()

    def test_manager_cannot_create_in_another_store(self, actors, client_for):
        response = client_for(actors.manager).post(ORDERS, order_body(store="STORE002"), format="json")
        assert response.status_code == 400
        assert "store" in response.json()


def transition(client, order, status, reason=""):
    return client.post(f"{ORDERS}{order.pk}/transition/", {"status": status, "reason": reason}, format="json")


@pytest.mark.django_db
class TestTransitionEndpoint:
    @pytest.mark.parametrize(("source", "target"), list(product(S.values, S.values)))
    def test_matrix(self, actors, client_for, source, target):
        order = OrderFactory(store=actors.store, status=source)
        response = transition(client_for(actors.staff), order, target, reason="guest left")
        body = response.json()
        if target in expected_moves(source):
            assert response.status_code == 200, body
            assert body["status"] == target
            stamp = {"cancelled": "cancelled_at"}.get(target, f"{target}_at")
            assert body[stamp] is not None
        else:
            assert response.status_code == 409, body
            assert body["code"] == "invalid_transition"
            assert set(body["allowed"]) == expected_moves(source)
            assert source in body["detail"] and target in body["detail"]
            order.refresh_from_db()
            assert order.status == source

    def test_walk_the_chain(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        client = client_for(actors.manager)
        for status in CHAIN[1:]:
            assert transition(client, order, status).status_code == 200
        body = client.get(f"{ORDERS}{order.pk}/").json()
        assert body["status"] == "completed" and body["allowed_transitions"] == []
        assert all(body[f"{s}_at"] for s in CHAIN[1:])

    def test_cancel_without_reason(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        response = transition(client_for(actors.staff), order, "cancelled")
        assert response.status_code == 400
        assert "reason" in response.json()

    @pytest.mark.parametrize(
        "body", [{}, {"status": "eaten"}, {"status": ["pending"]}, {"status": "cancelled", "reason": "x" * 300}]
    )
    def test_bad_bodies(self, actors, client_for, body):
        order = OrderFactory(store=actors.store)
        response = client_for(actors.staff).post(f"{ORDERS}{order.pk}/transition/", body, format="json")
        assert response.status_code == 400

    def test_other_store_is_404(self, actors, client_for):
        order = OrderFactory(store=actors.other_store)
        response = transition(client_for(actors.staff), order, "confirmed")
        assert response.status_code == 404
        order.refresh_from_db()
        assert order.status == "pending"

    def test_anonymous(self, actors, anon_client):
        order = OrderFactory(store=actors.store)
        assert transition(anon_client, order, "confirmed").status_code == 401


@pytest.mark.django_db
class TestRoles:
    def test_staff_creates_reads_moves_but_does_not_edit_or_delete(self, actors, client_for):
        client = client_for(actors.staff)
        created = client.post(ORDERS, order_body(), format="json")
        assert created.status_code == 201
        order_id = created.json()["id"]
        assert client.get(f"{ORDERS}{order_id}/").status_code == 200
        assert client.patch(f"{ORDERS}{order_id}/", {"notes": "x"}, format="json").status_code == 403
        assert client.delete(f"{ORDERS}{order_id}/").status_code == 403
        assert Order.objects.filter(pk=order_id).exists()

    def test_staff_may_add_items_but_not_change_them(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        client = client_for(actors.staff)
        added = client.post(
            ITEMS_URL, {"order": order.pk, "item_code": "T", "item_name": "Tea", "unit_price_cents": 500}, format="json"
        )
        assert added.status_code == 201
        item_url = f"{ITEMS_URL}{added.json()['id']}/"
        assert client.patch(item_url, {"quantity": 4}, format="json").status_code == 403
        assert client.delete(item_url).status_code == 403

    def test_manager_deletes_an_order_with_its_items(self, actors, client_for):
        order = OrderFactory(store=actors.store, items=[("A", "Soup", 1, 100), ("B", "Bun", 2, 50)])
        response = client_for(actors.manager).delete(f"{ORDERS}{order.pk}/")
        assert response.status_code == 204
        assert not Order.objects.filter(pk=order.pk).exists()
        assert not OrderItem.objects.filter(order_id=order.pk).exists()

    def test_manager_cannot_delete_another_stores_order(self, actors, client_for):
        order = OrderFactory(store=actors.other_store)
        assert client_for(actors.manager).delete(f"{ORDERS}{order.pk}/").status_code == 404
        assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.django_db
class TestEditing:
    def test_patch_changes_editable_fields_and_recomputes(self, actors, client_for):
        order = OrderFactory(store=actors.store)  # one item of 48.00
        waiter = EmployeeFactory(store=actors.store)
        response = client_for(actors.manager).patch(
            f"{ORDERS}{order.pk}/",
            {"discount_cents": 800, "waiter": waiter.pk, "total_cents": 1, "status": "completed"},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["subtotal_cents"], body["discount_cents"], body["total_cents"]) == (4800, 800, 4000)
        assert body["status"] == "pending"
        assert body["waiter"] == waiter.pk and body["waiter_name"] == waiter.name

    def test_patch_cannot_touch_items_store_or_time(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        client = client_for(actors.admin)
        assert "items" in client.patch(f"{ORDERS}{order.pk}/", {"items": []}, format="json").json()
        response = client.patch(f"{ORDERS}{order.pk}/", {"store": "STORE002"}, format="json")
        assert response.status_code == 400 and "store" in response.json()
        before = order.order_time
        client.patch(f"{ORDERS}{order.pk}/", {"order_time": "2020-01-01T00:00:00Z"}, format="json")
        order.refresh_from_db()
        assert order.order_time == before and order.store_id == "STORE001"

    def test_patch_table_of_another_store(self, actors, client_for):
        order = OrderFactory(store=actors.store)
        table = TableFactory(store=actors.other_store)
        response = client_for(actors.admin).patch(f"{ORDERS}{order.pk}/", {"table": str(table.pk)}, format="json")
        assert response.status_code == 400
        assert "table" in response.json()

    def test_discount_locked_once_preparing(self, actors, client_for):
        order = OrderFactory(store=actors.store, status=S.PREPARING)
        client = client_for(actors.manager)
        response = client.patch(f"{ORDERS}{order.pk}/", {"discount_cents": 100}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "locked"
        # The service fields still follow the meal.
        assert client.patch(f"{ORDERS}{order.pk}/", {"notes": "moved to A2"}, format="json").status_code == 200

    def test_items_through_the_api_follow_the_editable_rule(self, actors, client_for):
        client = client_for(actors.manager)
        order_id = client.post(ORDERS, order_body(), format="json").json()["id"]
        order = Order.objects.get(pk=order_id)
        added = client.post(
            ITEMS_URL, {"order": order_id, "item_code": "T", "item_name": "Tea", "unit_price_cents": 500}, format="json"
        )
        assert added.status_code == 201
        item_url = f"{ITEMS_URL}{added.json()['id']}/"
        assert client.patch(item_url, {"quantity": 3}, format="json").json()["subtotal_cents"] == 1500
        order.refresh_from_db()
        assert order.total_cents == 128_00 + 15_00

        transition(client, order, "confirmed")
        assert client.patch(item_url, {"quantity": 2}, format="json").status_code == 200
        transition(client, order, "preparing")

        refused = [
            client.post(ITEMS_URL, {"order": order_id, "item_code": "X", "item_name": "X", "unit_price_cents": 1}),
            client.patch(item_url, {"quantity": 9}, format="json"),
            client.delete(item_url),
        ]
        assert [r.status_code for r in refused] == [409, 409, 409]
        assert {r.json()["code"] for r in refused} == {"locked"}
        order.refresh_from_db()
        assert order.total_cents == 128_00 + 10_00
        assert order.items.count() == 3

    def test_item_cannot_move_orders(self, actors, client_for):
        item = OrderFactory(store=actors.store).items.get()
        other = OrderFactory(store=actors.store)
        client_for(actors.manager).patch(f"{ITEMS_URL}{item.pk}/", {"order": other.pk}, format="json")
        item.refresh_from_db()
        assert item.order_id != other.pk

    def test_item_on_another_stores_order(self, actors, client_for):
        theirs = OrderFactory(store=actors.other_store)
        response = client_for(actors.manager).post(
            ITEMS_URL, {"order": theirs.pk, "item_code": "T", "item_name": "Tea", "unit_price_cents": 5}, format="json"
        )
        assert response.status_code == 400
        assert "order" in response.json()

    def test_removing_the_last_item_is_refused(self, actors, client_for):
        item = OrderFactory(store=actors.store).items.get()
        response = client_for(actors.manager).delete(f"{ITEMS_URL}{item.pk}/")
        assert response.status_code == 409
        assert response.json()["code"] == "last_item"


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
