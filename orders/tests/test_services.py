import datetime as dt
from itertools import product

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications.models import Notification
from orders import services
from orders.models import Order, OrderItem
from orders.tests.factories import OrderFactory
from stores.tests.factories import EmployeeFactory, StoreFactory, TableFactory
from zhilian.errors import DomainError, InvalidInput, InvalidTransition, Locked

S = Order.Status
# The workflow as docs/architecture.md ("Domains") states it, written independently of the TRANSITIONS table.
CHAIN = [S.PENDING, S.CONFIRMED, S.PREPARING, S.READY, S.SERVED, S.COMPLETED]
CANCELLABLE = {S.PENDING, S.CONFIRMED, S.PREPARING}


def expected_moves(status):
    moves = set()
    if status in CHAIN and status != CHAIN[-1]:
        moves.add(CHAIN[CHAIN.index(status) + 1])
    if status in CANCELLABLE:
        moves.add(S.CANCELLED)
    return moves


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


@pytest.mark.django_db
class TestOrderCreate:
    def test_id_totals_and_items(self, store):
        when = timezone.make_aware(dt.datetime(2026, 11, 26, 12, 30))
        order = services.order_create(store=store, items=ITEMS, discount_cents=10_00, order_time=when)
        assert order.id == "STORE001-20261126-0001"
        order.refresh_from_db()
        assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (128_00, 10_00, 118_00)
        assert order.status == S.PENDING
        assert sorted((i.item_code, i.quantity, i.subtotal_cents) for i in order.items.all()) == [
            ("D001", 2, 96_00),
            ("D002", 1, 32_00),
        ]
        second = services.order_create(store=store, items=ITEMS[:1], order_time=when)
        assert second.id == "STORE001-20261126-0002"

    def test_id_day_is_the_local_day(self, store):
        # 00:30 in Shanghai is 16:30 UTC of the previous day; the ID takes the local day.
        late = timezone.make_aware(dt.datetime(2026, 11, 26, 0, 30))
        order = services.order_create(store=store, items=ITEMS, order_time=late)
        assert order.id.startswith("STORE001-20261126-")

    def test_each_store_counts_on_its_own(self, store, other_store):
        when = timezone.make_aware(dt.datetime(2026, 11, 26, 12, 0))
        a = services.order_create(store=store, items=ITEMS, order_time=when)
        b = services.order_create(store=other_store, items=ITEMS, order_time=when)
        assert (a.id, b.id) == ("STORE001-20261126-0001", "STORE002-20261126-0001")

    def test_needs_an_item(self, store):
        with pytest.raises(InvalidInput) as exc:
            services.order_create(store=store, items=[])
        assert "items" in exc.value.errors
        assert not Order.objects.exists()

    def test_discount_above_subtotal(self, store):
        with pytest.raises(InvalidInput) as exc:
            services.order_create(store=store, items=ITEMS, discount_cents=200_00)
        assert list(exc.value.errors) == ["discount_cents"]

    @pytest.mark.parametrize(
        ("item", "field"),
        [
            ({"quantity": 0}, "items[0].quantity"),
            ({"quantity": 10**12}, "items[0].quantity"),
            ({"unit_price_cents": -1}, "items[0].unit_price_cents"),
            ({"unit_price_cents": "12"}, "items[0].unit_price_cents"),
            ({"item_name": ""}, "items[0].item_name"),
        ],
    )
    def test_bad_item(self, store, item, field):
        with pytest.raises(InvalidInput) as exc:
            services.order_create(store=store, items=[{**ITEMS[0], **item}])
        assert field in exc.value.errors

    def test_table_and_waiter_of_another_store(self, store, other_store):
        with pytest.raises(InvalidInput) as exc:
            services.order_create(
                store=store,
                items=ITEMS,
                table=TableFactory(store=other_store),
                waiter=EmployeeFactory(store=other_store),
            )
        assert set(exc.value.errors) == {"table", "waiter"}

    def test_unknown_field_is_a_programming_error(self, store):
        with pytest.raises(TypeError):
            services.order_create(store=store, items=ITEMS, total_cents=1)


@pytest.mark.django_db
class TestWorkflow:
    @pytest.mark.parametrize(("source", "target"), list(product(S.values, S.values)))
    def test_matrix(self, store, source, target):
        order = OrderFactory(store=store, status=source)
        if target in expected_moves(source):
            moved = services.order_transition(order=order, status=target, reason="guest left")
            moved.refresh_from_db()
            assert moved.status == target
            assert getattr(moved, services.STATUS_TIMESTAMP[target]) is not None
            assert order.status == target  # the caller's instance follows
        else:
            with pytest.raises(InvalidTransition) as exc:
                services.order_transition(order=order, status=target, reason="guest left")
            assert set(exc.value.extra["allowed"]) == expected_moves(source)
            assert exc.value.status_code == 409
            order.refresh_from_db()
            assert order.status == source

    def test_full_run_stamps_each_time(self, store):
        order = OrderFactory(store=store)
        base = timezone.make_aware(dt.datetime(2026, 11, 26, 12, 0))
        for minutes, status in enumerate(CHAIN[1:], start=1):
            services.order_transition(order=order, status=status, at=base + dt.timedelta(minutes=minutes))
        order.refresh_from_db()
        assert order.status == S.COMPLETED
        assert [getattr(order, services.STATUS_TIMESTAMP[s]) for s in CHAIN[1:]] == [
            base + dt.timedelta(minutes=m) for m in range(1, 6)
        ]
        assert order.cancelled_at is None

    def test_cancel_needs_a_reason(self, store):
        order = OrderFactory(store=store)
        with pytest.raises(InvalidInput) as exc:
            services.order_transition(order=order, status=S.CANCELLED, reason="  ")
        assert list(exc.value.errors) == ["reason"]
        services.order_transition(order=order, status=S.CANCELLED, reason="Guest changed their mind")
        order.refresh_from_db()
        assert order.cancel_reason == "Guest changed their mind"
        assert order.cancelled_at is not None

    def test_unknown_status(self, store):
        with pytest.raises(InvalidInput):
            services.order_transition(order=OrderFactory(store=store), status="eaten")

    def test_cancel_notifies_the_managers_but_not_the_actor(self, actors):
        order = OrderFactory(store=actors.store)
        services.order_transition(order=order, status=S.CANCELLED, reason="Out of fish", user=actors.staff)
        notes = list(Notification.objects.all())
        assert [(n.recipient, n.kind, n.store_id) for n in notes] == [
            (actors.manager, Notification.Kind.ORDER_STATUS, "STORE001")
        ]
        assert notes[0].body == "Out of fish"
        assert notes[0].data["order"] == order.pk

        second = OrderFactory(store=actors.store)
        services.order_transition(order=second, status=S.CANCELLED, reason="Duplicate", user=actors.manager)
        assert Notification.objects.count() == 1

    def test_other_moves_do_not_notify(self, actors):
        order = OrderFactory(store=actors.store)
        services.order_transition(order=order, status=S.CONFIRMED)
        assert not Notification.objects.exists()


@pytest.mark.django_db
class TestEvents:
    def test_created_and_status_changed_go_out_after_commit(self, store, sent, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            order = services.order_create(store=store, items=ITEMS)
            services.order_transition(order=order, status=S.CONFIRMED)
        assert sent == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert [(groups, e["type"]) for groups, e in sent] == [
            (["store.STORE001"], "order.created"),
            (["store.STORE001"], "order.status_changed"),
        ]
        created = sent[0][1]
        assert created["store"] == "STORE001"
        assert created["data"]["id"] == order.id
        assert created["data"]["total_cents"] == 128_00
        assert created["data"]["item_count"] == 3
        changed = sent[1][1]["data"]
        assert (changed["id"], changed["from"], changed["to"]) == (order.id, "pending", "confirmed")

    def test_nothing_goes_out_on_rollback(self, store, sent, django_capture_on_commit_callbacks):
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            order = services.order_create(store=store, items=ITEMS)
            services.order_transition(order=order, status=S.CONFIRMED)
            raise RuntimeError("boom")
        assert callbacks == []
        assert sent == []
        assert not Order.objects.exists()

    def test_a_refused_move_publishes_nothing(self, store, sent, django_capture_on_commit_callbacks):
        order = OrderFactory(store=store, status=S.COMPLETED)
        with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidTransition):
            services.order_transition(order=order, status=S.CONFIRMED)
        assert callbacks == [] and sent == []


@pytest.mark.django_db
class TestItemEdits:
    @pytest.fixture
    def order(self, store):
        return services.order_create(store=store, items=ITEMS, discount_cents=8_00)

    def test_add_update_remove_recompute_totals(self, order):
        item = services.order_item_add(
            order=order, is_open_item=True, item_code="D003", item_name="Rice", quantity=3, unit_price_cents=3_00
        )
        order.refresh_from_db()
        assert (order.subtotal_cents, order.total_cents) == (137_00, 129_00)

        services.order_item_update(item=item, quantity=5)
        item.refresh_from_db()
        order.refresh_from_db()
        assert item.subtotal_cents == 15_00
        assert (order.subtotal_cents, order.total_cents) == (143_00, 135_00)

        services.order_item_remove(item=item)
        order.refresh_from_db()
        assert (order.subtotal_cents, order.total_cents) == (128_00, 120_00)
        assert not OrderItem.objects.filter(pk=item.pk).exists()

    def test_confirmed_is_still_editable(self, order):
        services.order_transition(order=order, status=S.CONFIRMED)
        services.order_item_add(order=order, is_open_item=True, item_code="D9", item_name="Tea", unit_price_cents=5_00)
        order.refresh_from_db()
        assert order.subtotal_cents == 133_00

    @pytest.mark.parametrize("status", [S.PREPARING, S.READY, S.SERVED, S.COMPLETED, S.CANCELLED])
    def test_locked_after_confirmed(self, store, status):
        order = OrderFactory(store=store, status=status, items=[("A", "Soup", 1, 20_00), ("B", "Bun", 2, 5_00)])
        item = order.items.first()
        with pytest.raises(Locked):
            services.order_item_add(
                order=order, is_open_item=True, item_code="X", item_name="Tea", unit_price_cents=100
            )
        with pytest.raises(Locked):
            services.order_item_update(item=item, quantity=9)
        with pytest.raises(Locked):
            services.order_item_remove(item=item)
        with pytest.raises(Locked):
            services.order_update(order=order, discount_cents=100)
        order.refresh_from_db()
        assert (order.subtotal_cents, order.items.count()) == (30_00, 2)

    def test_last_item_stays(self, store):
        order = services.order_create(store=store, items=ITEMS[:1])
        with pytest.raises(DomainError) as exc:
            services.order_item_remove(item=order.items.get())
        assert exc.value.code == "last_item"

    def test_removing_below_the_discount_is_refused(self, store):
        order = services.order_create(store=store, items=ITEMS, discount_cents=50_00)
        small = order.items.get(item_code="D002")
        big = order.items.get(item_code="D001")
        services.order_item_remove(item=small)  # 96 left, discount 50: fine
        services.order_item_add(order=order, is_open_item=True, item_code="D5", item_name="Tea", unit_price_cents=1_00)
        with pytest.raises(InvalidInput) as exc:
            services.order_item_remove(item=big)
        assert list(exc.value.errors) == ["discount_cents"]

    def test_update_discount_and_fields(self, order, store):
        table = TableFactory(store=store)
        services.order_update(order=order, discount_cents=28_00, table=table, notes="no chili")
        order.refresh_from_db()
        assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (128_00, 28_00, 100_00)
        assert (order.table_id, order.notes) == (table.pk, "no chili")
        with pytest.raises(InvalidInput):
            services.order_update(order=order, discount_cents=129_00)

    def test_preparing_order_keeps_money_but_can_change_service_fields(self, store):
        order = OrderFactory(store=store, status=S.PREPARING)
        waiter = EmployeeFactory(store=store)
        services.order_update(order=order, waiter=waiter, notes="table moved")
        order.refresh_from_db()
        assert order.waiter_id == waiter.pk
        # Resending the unchanged discount is harmless; changing it is not.
        services.order_update(order=order, discount_cents=0)
        with pytest.raises(Locked):
            services.order_update(order=order, discount_cents=1)

    def test_closed_order_is_frozen(self, store):
        order = OrderFactory(store=store, status=S.COMPLETED)
        with pytest.raises(Locked):
            services.order_update(order=order, notes="late remark")

    def test_recompute_totals_repairs_from_items(self, store):
        order = OrderFactory(store=store, items=[])
        OrderItem.objects.create(order=order, item_code="A", item_name="Soup", quantity=2, unit_price_cents=7_00)
        services.order_recompute_totals(order=order, discount_cents=4_00)
        order.refresh_from_db()
        assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (14_00, 4_00, 10_00)


@pytest.mark.django_db
class TestOrderNextId:
    def test_format_and_sequence(self, store):
        day = dt.date(2027, 1, 5)
        assert services.order_next_id(store_id="STORE001", day=day) == "STORE001-20270105-0001"
        assert services.order_next_id(store_id="STORE001", day=day) == "STORE001-20270105-0002"
        assert services.order_next_id(store_id="STORE001", day=dt.date(2027, 1, 6)) == "STORE001-20270106-0001"

    def test_duplicate_id_is_impossible(self, store):
        Order.objects.create(store=store, id="X-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.create(store=store, id="X-1")


@pytest.mark.django_db
def test_item_update_changes_only_what_it_is_given(store):
    order = services.order_create(
        store=store, items=[{**ITEMS[0], "notes": "no peanuts", "customizations": {"spice": "mild"}}, ITEMS[1]]
    )
    item = order.items.get(item_code="D001")
    services.order_item_update(item=item, quantity=3)
    item.refresh_from_db()
    assert (item.quantity, item.notes, item.customizations) == (3, "no peanuts", {"spice": "mild"})


ONE_ITEM = [{"is_open_item": True, "item_code": "D001", "item_name": "Kung Pao Chicken", "unit_price_cents": 4800}]


@pytest.mark.parametrize("order_time", ["0193-05-10T11:01:05+08:00", "2199-01-01T12:00:00+08:00"])
def test_an_order_time_out_of_range_is_refused(db, order_time):
    store = StoreFactory()
    with pytest.raises(InvalidInput) as refused:
        services.order_create(store=store, items=ONE_ITEM, order_time=parse_datetime(order_time))
    assert "order_time" in refused.value.errors
    assert not Order.objects.filter(store=store).exists()
