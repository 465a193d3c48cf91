"""WebSocket authentication, store scoping and delivery of every event type (docs/architecture.md,
"Events and live updates").

The tests run the real ASGI application (origin check, session/JWT middleware, router) with
channels' WebsocketCommunicator. Business changes run through the real services inside
`database_sync_to_async`, so events are published exactly as in production: on commit, through
the channel layer (Redis when REDIS_URL is set, see conftest.py).
"""

import asyncio
import copy
import datetime as dt
import json
import logging
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from inventory.tests.factories import InventoryItemFactory
from kpis.tests.factories import KPIFactory
from notifications.models import Notification
from notifications.services import notification_create
from orders.tests.factories import OrderFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian import events
from zhilian.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")
# Generous: a slow CI machine must not fail a test; no timing is asserted.
WAIT = 5
QUIET = 0.5


def token_for(user) -> str:
    # An access token as the login endpoint issues it; no database access, so usable in async code.
    return str(AccessToken.for_user(user))


def communicator(path, *, token=None, subprotocols=None, cookie=None, origin=ORIGIN):
    if token is not None:
        path = f"{path}?token={token}"
    headers = [origin] if origin else []
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)


def run(scenario):
    """Run an async scenario from a sync test; DB work in it goes back to this thread."""
    async_to_sync(scenario)()


async def open_socket(path, **kwargs):
    comm = communicator(path, **kwargs)
    connected, subprotocol = await comm.connect(timeout=WAIT)
    assert connected
    return comm, subprotocol


async def expect_close(comm, code):
    connected, _ = await comm.connect(timeout=WAIT)
    assert connected, "the socket is accepted, then closed, so the browser sees the code"
    message = await comm.receive_output(timeout=WAIT)
    assert message == {"type": "websocket.close", "code": code}
    await comm.wait()


async def receive_event(comm, event_type):
    """The next event of `event_type` (other events of the same change may come first)."""
    while True:
        event = await comm.receive_json_from(timeout=WAIT)
        assert set(event) == {"type", "store", "data", "at"}
        if event["type"] == event_type:
            return event


# --- authentication ----------------------------------------------------------------------------


def test_no_credentials_closes_4401(store):
    async def scenario():
        await expect_close(communicator(f"/ws/stores/{store.pk}/"), 4401)
        await expect_close(communicator("/ws/notifications/"), 4401)

    run(scenario)


@pytest.mark.parametrize("bad", ["garbage", "a.b.c", ""])
def test_bad_token_closes_4401(store, bad):
    async def scenario():
        await expect_close(communicator(f"/ws/stores/{store.pk}/?token={bad}"), 4401)
        await expect_close(communicator("/ws/notifications/", subprotocols=["bearer", bad or "x"]), 4401)

    run(scenario)


def test_expired_refresh_or_inactive_tokens_close_4401(manager):
    expired = AccessToken.for_user(manager)
    expired.set_exp(from_time=timezone.now() - dt.timedelta(hours=1), lifetime=dt.timedelta(minutes=1))
    refresh = str(RefreshToken.for_user(manager))  # a refresh token is not an access token
    inactive = UserFactory(username="gone", store=manager.store, is_active=False)
    inactive_token = token_for(inactive)

    async def scenario():
        for token in (str(expired), refresh, inactive_token):
            await expect_close(communicator("/ws/notifications/", token=token), 4401)

    run(scenario)


def test_bad_token_does_not_fall_back_to_the_session(manager):
    client = Client()
    client.force_login(manager)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def scenario():
        await expect_close(communicator("/ws/notifications/?token=garbage", cookie=cookie), 4401)

    run(scenario)


def test_store_not_visible_or_unknown_closes_4403(manager, other_store):
    async def scenario():
        token = token_for(manager)
        await expect_close(communicator(f"/ws/stores/{other_store.pk}/", token=token), 4403)
        await expect_close(communicator("/ws/stores/NOSUCHSTORE/", token=token), 4403)

    run(scenario)


def _api_session(client, username):
    response = client.post("/api/v1/auth/login/", {"username": username, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("everywhere", [False, True], ids=["logout", "logout-everywhere"])
def test_an_access_token_ended_by_logout_closes_4401(manager, store, everywhere):
    cache.clear()
    client = APIClient()
    ended, other_session = _api_session(client, "manager1"), _api_session(client, "manager1")
    response = client.post(
        "/api/v1/auth/logout/", {"refresh": ended["refresh"], "everywhere": everywhere}, format="json"
    )
    assert response.status_code == 204

    async def scenario():
        await expect_close(communicator(f"/ws/stores/{store.pk}/", token=ended["access"]), 4401)
        await expect_close(communicator("/ws/notifications/", subprotocols=["bearer", ended["access"]]), 4401)
        if everywhere:
            await expect_close(communicator("/ws/notifications/", token=other_session["access"]), 4401)
        else:
            comm, _ = await open_socket("/ws/notifications/", token=other_session["access"])
            await comm.disconnect()

    run(scenario)


def test_jwt_in_query_string(manager, store):
    async def scenario():
        comm, subprotocol = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        assert subprotocol is None
        await comm.disconnect()

    run(scenario)


def test_jwt_in_subprotocol_is_accepted_with_bearer(manager, store):
    async def scenario():
        comm, subprotocol = await open_socket(f"/ws/stores/{store.pk}/", subprotocols=["bearer", token_for(manager)])
        assert subprotocol == "bearer"
        await comm.send_json_to({"type": "ping", "at": 1})
        assert await comm.receive_json_from(timeout=WAIT) == {"type": "pong", "at": 1}
        await comm.disconnect()

    run(scenario)


def test_session_auth_receives_events(manager, store):
    client = Client()
    client.force_login(manager)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", cookie=cookie)
        await database_sync_to_async(events.publish)("kpi.updated", store_id=store.pk, data={"date": "2026-11-26"})
        event = await receive_event(comm, "kpi.updated")
        assert event["store"] == store.pk
        await comm.disconnect()

    run(scenario)


def test_staff_may_watch_own_store_admin_any(staff, admin_user, store, other_store):
    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(staff))
        await comm.disconnect()
        await expect_close(communicator(f"/ws/stores/{other_store.pk}/", token=token_for(staff)), 4403)
        for s in (store, other_store):
            comm, _ = await open_socket(f"/ws/stores/{s.pk}/", token=token_for(admin_user))
            await comm.disconnect()

    run(scenario)


def test_foreign_origin_is_refused(manager, store):
    async def scenario():
        comm = communicator(
            f"/ws/stores/{store.pk}/", token=token_for(manager), origin=(b"origin", b"http://evil.test")
        )
        connected, _ = await comm.connect(timeout=WAIT)
        assert not connected

    run(scenario)


def test_socket_opened_with_a_token_closes_when_the_token_expires(manager, store, monkeypatch):
    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        monkeypatch.setattr("notifications.consumers.now", lambda: 4_102_444_800.0)  # year 2100
        await database_sync_to_async(events.publish)("kpi.updated", store_id=store.pk, data={})
        assert await comm.receive_output(timeout=WAIT) == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_garbage_from_the_client_is_ignored(manager, store):
    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        await comm.send_to(text_data="not json")
        await comm.send_json_to(["not", "an", "object"])
        await comm.send_json_to({"type": "ping"})
        assert (await comm.receive_json_from(timeout=WAIT))["type"] == "pong"
        await comm.disconnect()

    run(scenario)


# --- delivery, isolation, commit/rollback ------------------------------------------------------


def make_order(store, user):
    from orders.services import order_create

    return order_create(
        store=store,
        user=user,
        items=[{"item_code": "D001", "item_name": "Mapo Tofu", "quantity": 2, "unit_price_cents": 32_00}],
        customer_name="Li Lei",
    )


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


# --- keep-alive: idle sockets, heartbeats ------------------------------------------------------

# Well past the 5 s after which redis-py 8's default socket timeout used to abort the layer's
# blocking read (and with it the socket). Nothing is timed: the socket just has to be idle that long.
IDLE = 12
needs_redis = pytest.mark.skipif(
    not django_settings.REDIS_URL,
    reason="needs the Redis channel layer: set REDIS_URL (CI's PostgreSQL pass does)",
)


async def receive_until_closed(comm):
    """The close message, skipping the heartbeats that may come before it."""
    while True:
        message = await comm.receive_output(timeout=WAIT)
        if message["type"] == "websocket.close":
            return message
        assert json.loads(message["text"])["type"] == "heartbeat"


@needs_redis
def test_redis_layer_read_timeout_outlasts_its_blocking_receive():
    # channels_redis waits for messages with BZPOPMIN for `brpop_timeout` seconds; a client read
    # timeout no longer than that aborts every idle receive (and the socket with it).
    from channels_redis.core import RedisChannelLayer

    (host,) = django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert host["address"] == django_settings.REDIS_URL
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout


@pytest.mark.slow
@needs_redis
def test_socket_on_the_redis_layer_delivers_after_an_idle_period(manager, store, settings):
    # No heartbeat during the idle period: a message would wake the layer's blocking read early
    # and hide a read timeout.
    settings.ZHILIAN_WS_HEARTBEAT_SECONDS = 0

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        assert await comm.receive_nothing(timeout=IDLE)
        order = await database_sync_to_async(make_order)(store, manager)
        # Raises the consumer's own error had the idle read failed.
        event = await receive_event(comm, "order.created")
        assert event["data"]["id"] == order.pk
        await comm.send_json_to({"type": "ping", "at": 2})
        assert await comm.receive_json_from(timeout=WAIT) == {"type": "pong", "at": 2}
        await comm.disconnect()

    run(scenario)


def test_heartbeats_reach_an_idle_socket(manager, store, settings):
    settings.ZHILIAN_WS_HEARTBEAT_SECONDS = 0.2

    async def scenario():
        for path in (f"/ws/stores/{store.pk}/", "/ws/notifications/"):
            comm, _ = await open_socket(path, token=token_for(manager))
            for _ in range(2):  # it keeps beating
                beat = await comm.receive_json_from(timeout=WAIT)
                assert set(beat) == {"type", "at"}
                assert beat["type"] == "heartbeat"
                assert dt.datetime.fromisoformat(beat["at"]).tzinfo is not None
            await comm.disconnect()

    run(scenario)


def test_heartbeats_interleave_with_events(manager, store, settings):
    settings.ZHILIAN_WS_HEARTBEAT_SECONDS = 0.2

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        assert (await comm.receive_json_from(timeout=WAIT))["type"] == "heartbeat"
        await database_sync_to_async(events.publish)("kpi.updated", store_id=store.pk, data={"date": "2026-11-26"})
        while (event := await comm.receive_json_from(timeout=WAIT))["type"] == "heartbeat":
            pass
        assert event["type"] == "kpi.updated"
        assert event["data"] == {"date": "2026-11-26"}
        await comm.disconnect()

    run(scenario)


def test_heartbeats_renew_the_group_membership_the_layer_would_expire(manager, store, settings):
    # The layer forgets a group member after group_expiry (a day in production; 1 s here). A socket
    # open longer than that must still get its store's events.
    layer = copy.deepcopy(settings.CHANNEL_LAYERS["default"])
    layer.setdefault("CONFIG", {})["group_expiry"] = 1
    settings.CHANNEL_LAYERS = {"default": layer}
    settings.ZHILIAN_WS_HEARTBEAT_SECONDS = 0.3

    async def first_event(comm):
        while (event := await comm.receive_json_from(timeout=WAIT))["type"] == "heartbeat":
            pass
        return event

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        for _ in range(10):  # about 3 s: well past the group expiry
            assert (await comm.receive_json_from(timeout=WAIT))["type"] == "heartbeat"
        await database_sync_to_async(events.publish)("kpi.updated", store_id=store.pk, data={"date": "2026-11-27"})
        event = await asyncio.wait_for(first_event(comm), WAIT)
        assert event["type"] == "kpi.updated"
        assert event["data"] == {"date": "2026-11-27"}
        await comm.disconnect()

    run(scenario)


def test_no_heartbeat_when_turned_off(manager, store, settings):
    settings.ZHILIAN_WS_HEARTBEAT_SECONDS = 0

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        assert await comm.receive_nothing(timeout=QUIET)
        await comm.disconnect()

    run(scenario)


def test_quiet_socket_closes_at_a_heartbeat_once_its_token_expired(manager, store, settings, monkeypatch):
    settings.ZHILIAN_WS_HEARTBEAT_SECONDS = 0.2

    async def scenario():
        comm, _ = await open_socket(f"/ws/stores/{store.pk}/", token=token_for(manager))
        monkeypatch.setattr("notifications.consumers.now", lambda: 4_102_444_800.0)  # year 2100
        assert await receive_until_closed(comm) == {"type": "websocket.close", "code": 4401}

    run(scenario)


# --- paths that match no route -----------------------------------------------------------------

UNROUTED = [
    "/ws/nope/",
    "/ws/stores/bad id/",
    "/ws/stores/",
    "/ws/stores/STORE001",
    "/ws/stores/STORE001/extra/",
    "/ws/notifications",
    "/ws/",
    "/",
]


@pytest.mark.parametrize("path", UNROUTED)
def test_unrouted_path_closes_4404_without_an_error(path, manager, caplog):
    async def scenario():
        await expect_close(communicator(path), 4404)
        await expect_close(communicator(path, token=token_for(manager)), 4404)

    with caplog.at_level(logging.WARNING):
        run(scenario)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_dead_channel_layer_closes_the_socket_1011_without_an_error(manager, store, settings, caplog):
    # Redis on a port where nothing listens: joining the store's group fails.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]},
        }
    }

    async def scenario():
        comm = communicator(f"/ws/stores/{store.pk}/", token=token_for(manager))
        connected, code = await comm.connect(timeout=WAIT)
        assert (connected, code) == (False, 1011)
        await comm.wait()

    with caplog.at_level(logging.WARNING):
        run(scenario)
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []
    assert any("the channel layer failed" in record.getMessage() for record in caplog.records)
