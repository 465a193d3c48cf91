"""The audit trail of orders: who moved, cancelled, discounted or changed the items of an order."""

import pytest

from orders import services
from orders.models import Order
from zhilian.audit import audit_entries
from zhilian.errors import DomainError

pytestmark = pytest.mark.django_db

S = Order.Status
ITEMS = [
    {
        "is_open_item": True,
        "item_code": "D001",
        "item_name": "Kung Pao Chicken",
        "quantity": 2,
        "unit_price_cents": 48_00,
    },
    {"is_open_item": True, "item_code": "D002", "item_name": "Mapo Tofu", "quantity": 1, "unit_price_cents": 32_00},
]


@pytest.fixture
def order(store, manager):
    return services.order_create(store=store, items=ITEMS, user=manager)


def trail(order):
    return [
        (e.actor, e.additional_data["event"], e.changes)
        for e in audit_entries(order).exclude(additional_data__event="order.create").order_by("pk")
    ]


def test_creating_an_order_names_who_took_it(order, manager):
    (created,) = audit_entries(order)
    assert (created.actor, created.additional_data["event"]) == (manager, "order.create")
    assert created.changes == {"status": ["None", "pending"], "total_cents": ["None", "12800"]}
    assert created.additional_data["items"] == 2


def test_a_transition_and_a_cancellation_name_the_actor_the_move_and_the_reason(order, manager, staff):
    services.order_transition(order=order, status=S.CONFIRMED, user=staff)
    services.order_transition(order=order, status=S.CANCELLED, reason="Guest left", user=manager)

    confirmed, cancelled = audit_entries(order).filter(additional_data__event="order.transition").order_by("pk")
    assert (confirmed.actor, confirmed.additional_data["event"]) == (staff, "order.transition")
    assert confirmed.changes == {"status": ["pending", "confirmed"]}
    assert (cancelled.actor, cancelled.changes) == (manager, {"status": ["confirmed", "cancelled"]})
    assert cancelled.additional_data["reason"] == "Guest left"


def test_a_discount_and_item_changes_record_the_totals_they_moved(order, manager):
    services.order_update(order=order, discount_cents=10_00, user=manager)
    item = services.order_item_add(
        order=order, is_open_item=True, item_code="D003", item_name="Rice", unit_price_cents=3_00, user=manager
    )
    services.order_item_update(item=item, quantity=2, user=manager)
    services.order_item_remove(item=item, user=manager)

    assert trail(order) == [
        (manager, "order.update", {"discount_cents": ["0", "1000"], "total_cents": ["12800", "11800"]}),
        (manager, "order.item_add", {"subtotal_cents": ["12800", "13100"], "total_cents": ["11800", "12100"]}),
        (
            manager,
            "order.item_update",
            {"item.quantity": ["1", "2"], "subtotal_cents": ["13100", "13400"], "total_cents": ["12100", "12400"]},
        ),
        (manager, "order.item_remove", {"subtotal_cents": ["13400", "12800"], "total_cents": ["12400", "11800"]}),
    ]
    added = audit_entries(order).get(additional_data__event="order.item_add")
    assert added.additional_data["item"] == str(item.pk) and added.additional_data["item_code"] == "D003"


def test_a_discount_set_through_recompute_names_its_actor(order, manager):
    services.order_recompute_totals(order=order, discount_cents=5_00, user=manager)
    assert trail(order) == [
        (manager, "order.discount", {"discount_cents": ["0", "500"], "total_cents": ["12800", "12300"]})
    ]


@pytest.mark.parametrize(
    "refused",
    [
        lambda order, user: services.order_transition(order=order, status=S.COMPLETED, user=user),
        lambda order, user: services.order_update(order=order, discount_cents=999_999_00, user=user),
        lambda order, user: services.order_item_remove(item=order.items.get(), user=user),
    ],
    ids=["forbidden move", "discount above subtotal", "last item"],
)
def test_a_refused_change_writes_no_entry(store, manager, refused):
    order = services.order_create(store=store, items=ITEMS[:1], user=manager)
    with pytest.raises(DomainError):
        refused(order, manager)
    assert [e.additional_data["event"] for e in audit_entries(order)] == ["order.create"]
