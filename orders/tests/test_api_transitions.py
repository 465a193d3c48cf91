"""Orders API: the transition endpoint and what each role may do."""

from itertools import product

import pytest

from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory
from orders.tests.helpers import ITEMS_URL, ORDERS, order_body, transition
from orders.tests.test_services import CHAIN, expected_moves

S = Order.Status


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
            ITEMS_URL,
            {"order": order.pk, "is_open_item": True, "item_code": "T", "item_name": "Tea", "unit_price_cents": 500},
            format="json",
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
