"""WebSocket keep-alive: idle sockets on the Redis layer, heartbeats, expiry at a heartbeat.

The tests run the real ASGI application (origin check, session/JWT middleware, router) with
channels' WebsocketCommunicator (see ws.py).
"""

import asyncio
import copy
import datetime as dt
import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings

from notifications.tests.ws import (
    QUIET,
    WAIT,
    make_order,
    open_socket,
    receive_event,
    run,
    token_for,
)
from zhilian import events

pytestmark = pytest.mark.django_db(transaction=True)

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
