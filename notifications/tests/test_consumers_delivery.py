"""WebSocket delivery of every event type, store isolation, commit/rollback (docs/architecture.md,
"Events and live updates").

Business changes run through the real services inside `database_sync_to_async`, so events are
published exactly as in production: on commit, through the channel layer (Redis when REDIS_URL
is set, see conftest.py).
"""

import datetime as dt
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from inventory.tests.factories import InventoryItemFactory
from kpis.tests.factories import KPIFactory
from notifications.models import Notification
from notifications.services import notification_create
from notifications.tests.ws import QUIET, make_order, open_socket, receive_event, run, token_for
from orders.tests.factories import OrderFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian import events

pytestmark = pytest.mark.django_db(transaction=True)

# --- delivery, isolation, commit/rollback ------------------------------------------------------


def test_store_isolation(manager, store, other_store, other_manager):
    async def scenario():
        mine, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        theirs, _ = await open_socket(f"/ws/stores/{other_store.pk}/", token=token_for(other_manager))
        order = await database_sync_to_async(make_order)(other_store, other_manager)
        event = await receive_event(theirs, "order.created")
        assert event["data"]["id"] == order.pk
        assert await mine.receive_nothing(timeout=QUIET)
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)


def test_notifications_reach_only_their_recipient(manager, other_manager, staff, store):
    async def scenario():
        mine, _ = await open_socket("/ws/notifications/", token=token_for(manager))
        theirs, _ = await open_socket("/ws/notifications/", token=token_for(other_manager))
        colleague, _ = await open_socket("/ws/notifications/", token=token_for(staff))
        store_feed, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(staff))
        await database_sync_to_async(notification_create)(
            recipients=[manager], kind=Notification.Kind.SYSTEM, title="Hello", store_id=store.pk
        )
        event = await receive_event(mine, "notification.created")
        assert event["data"]["title"] == "Hello"
        assert event["data"]["read_at"] is None
        for comm in (theirs, colleague, store_feed):
            assert await comm.receive_nothing(timeout=QUIET)
        for comm in (mine, theirs, colleague, store_feed):
            await comm.disconnect()

    run(scenario)


def test_event_is_sent_after_commit_and_not_after_rollback(manager, store):
    def rolled_back():
        with transaction.atomic():
            make_order(store, manager)
            raise RuntimeError("the surrounding transaction fails")

    def committed():
        with transaction.atomic():
            order = make_order(store, manager)
            # Still inside the transaction: nothing may have been sent yet.
            return order

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        with pytest.raises(RuntimeError):
            await database_sync_to_async(rolled_back)()
        assert await comm.receive_nothing(timeout=QUIET)
        order = await database_sync_to_async(committed)()
        event = await receive_event(comm, "order.created")
        assert event["data"]["id"] == order.pk
        await comm.disconnect()

    run(scenario)


def test_publish_inside_a_rolled_back_atomic_sends_nothing(manager, store):
    def rolled_back():
        with transaction.atomic():
            events.publish("kpi.updated", store_id=store.pk, data={"date": "2026-11-26"})
            raise RuntimeError

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        with pytest.raises(RuntimeError):
            await database_sync_to_async(rolled_back)()
        assert await comm.receive_nothing(timeout=QUIET)
        await comm.disconnect()

    run(scenario)


# --- every event type, through the real services -----------------------------------------------


def trigger_order_created(ctx):
    order = make_order(ctx.store, ctx.manager)
    return {"id": order.pk, "status": "pending"}


def trigger_order_status_changed(ctx):
    from orders.services import order_transition

    order = order_transition(order=ctx.order, status="confirmed", user=ctx.manager)
    return {"id": order.pk, "status": "confirmed", "from": "pending", "to": "confirmed"}


def _reservation_fields():
    return {
        "customer_name": "Han Meimei",
        "customer_phone": "13900001111",
        "reservation_date": timezone.localdate() + dt.timedelta(days=1),
        "reservation_time": dt.time(18, 0),
        "duration_minutes": 90,
        "party_size": 2,
    }


def trigger_reservation_created(ctx):
    from reservations.services import reservation_create

    reservation = reservation_create(store=ctx.store, tables=[ctx.table], user=ctx.manager, **_reservation_fields())
    return {"id": reservation.pk, "status": "pending"}


def trigger_reservation_status_changed(ctx):
    from reservations.services import reservation_transition

    reservation = reservation_transition(reservation=ctx.reservation, status="confirmed", user=ctx.manager)
    return {"id": reservation.pk, "from": "pending", "to": "confirmed"}


def trigger_low_stock(ctx):
    from inventory.services import stock_record_usage

    stock_record_usage(item=ctx.item, quantity=Decimal("12"), user=ctx.manager)  # 20 -> 8: low
    return {"item": ctx.item.pk, "status": "low", "previous_status": "normal"}


def trigger_schedule_published(ctx):
    from scheduling.services import schedule_publish

    schedule_publish(schedule=ctx.schedule, user=ctx.manager)
    return {"id": str(ctx.schedule.pk)}


def trigger_kpi_updated(ctx):
    from kpis.services import kpi_compute_day

    kpi_compute_day(store=ctx.store, day=timezone.localdate())
    return {"date": timezone.localdate().isoformat()}


STORE_EVENTS = {
    "order.created": trigger_order_created,
    "order.status_changed": trigger_order_status_changed,
    "reservation.created": trigger_reservation_created,
    "reservation.status_changed": trigger_reservation_status_changed,
    "inventory.low_stock": trigger_low_stock,
    "schedule.published": trigger_schedule_published,
    "kpi.updated": trigger_kpi_updated,
}


class Ctx:
    def __init__(self, store, manager):
        from reservations.services import reservation_create

        self.store = store
        self.manager = manager
        self.order = OrderFactory(store=store)
        self.table = TableFactory(store=store, number="T1", capacity=4)
        self.item = InventoryItemFactory(store=store, current_quantity=Decimal("20"), min_quantity=Decimal("10"))
        self.schedule = ScheduleFactory(store=store, schedule_date=timezone.localdate() + dt.timedelta(days=2))
        ShiftFactory(schedule=self.schedule, employee=EmployeeFactory(store=store))
        KPIFactory(id="KPI_REVENUE_TEST", metric="revenue")
        other_table = TableFactory(store=store, number="T2", capacity=4)
        self.reservation = reservation_create(
            store=store, tables=[other_table], user=manager, **{**_reservation_fields(), "customer_name": "Before"}
        )


@pytest.mark.parametrize("event_type", sorted(STORE_EVENTS))
def test_each_store_event_is_delivered(event_type, manager, store):
    ctx = Ctx(store, manager)

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        expected = await database_sync_to_async(STORE_EVENTS[event_type])(ctx)
        event = await receive_event(comm, event_type)
        assert event["store"] == store.pk
        for key, value in expected.items():
            assert event["data"][key] == value, key
        await comm.disconnect()

    run(scenario)


def test_low_stock_notifies_the_manager_live(manager, store):
    ctx = Ctx(store, manager)

    async def scenario():
        comm, _ = await open_socket("/ws/notifications/", token=token_for(manager))
        await database_sync_to_async(trigger_low_stock)(ctx)
        event = await receive_event(comm, "notification.created")
        assert event["data"]["kind"] == "low_stock"
        assert event["data"]["store"] == store.pk
        await comm.disconnect()

    run(scenario)
