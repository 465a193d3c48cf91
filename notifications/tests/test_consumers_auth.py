"""WebSocket authentication and store scoping (docs/architecture.md, "Events and live updates").

The tests run the real ASGI application (origin check, session/JWT middleware, router) with
channels' WebsocketCommunicator (see ws.py).
"""

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from notifications.tests.ws import WAIT, communicator, expect_close, open_socket, receive_event, run, token_for
from zhilian import events

pytestmark = pytest.mark.django_db(transaction=True)

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
