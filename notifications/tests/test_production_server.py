"""Live updates through the production layout: the HTTP server (gunicorn.conf.py, WSGI) takes the
order, the WebSocket server (gunicorn-ws.conf.py, uvicorn worker) holds the socket, DEBUG off,
the Redis channel layer between them, a real WebSocket client.

The servers are subprocesses (zhilian/testing/server.py starts them as `make bench` does) on the
test database, so they need PostgreSQL (pytest-django's SQLite test database lives in this process's memory) and
REDIS_URL; CI's PostgreSQL pass has both. This layout is where idle sockets used to die after 5 s
(redis-py's default read timeout inside the channel layer's blocking receive).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from zhilian.testing.server import ProductionServer, database_url

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not django_settings.REDIS_URL,
        reason="needs the Redis channel layer of production: set REDIS_URL (CI's PostgreSQL pass does)",
    ),
    pytest.mark.django_db(transaction=True),
]

# Well past the 5 s after which the idle socket used to close; nothing is timed.
IDLE = 12
WAIT = 10
PING_INTERVAL = 2  # seconds between the server's protocol pings, short so the idle period sees some
NEW_ORDER = {
    "order_type": "takeaway",
    "customer_name": "Zhao Lei",
    "items": [
        {
            "is_open_item": True,
            "item_code": "D002",
            "item_name": "Dan Dan Noodles",
            "quantity": 1,
            "unit_price_cents": 2800,
        }
    ],
}


@dataclass
class Layout:
    http: ProductionServer
    ws: ProductionServer


@pytest.fixture(scope="module")
def production_server(django_db_setup):
    # After django_db_setup the connection points at the test database the servers must share.
    common = {
        "secret_key": django_settings.SECRET_KEY,
        "redis_url": django_settings.REDIS_URL,
        "ready_path": "/health/ready",
        # Tokens minted by the tests must verify on the servers.
        "JWT_SIGNING_KEY": django_settings.SIMPLE_JWT["SIGNING_KEY"],
        # Their own keys in a Redis other runs may share.
        "CHANNELS_PREFIX": f"zhtest-{uuid.uuid4().hex[:12]}",
        "CACHE_PREFIX": f"zhtest-{uuid.uuid4().hex[:12]}",
    }
    http = ProductionServer(database_url(connection.settings_dict), workers=2, **common)
    ws = ProductionServer(
        database_url(connection.settings_dict),
        kind="ws",
        workers=2,
        **common,
        # No application heartbeat: any message would wake the layer's blocking read early and
        # hide a read timeout. Protocol pings do not touch the layer.
        ZHILIAN_WS_HEARTBEAT_SECONDS="0",
        WS_PING_INTERVAL=str(PING_INTERVAL),
        # As production logs: uvicorn notes each accepted socket (with its URL) at INFO.
        LOG_LEVEL="INFO",
    )
    with http, ws:
        yield Layout(http=http, ws=ws)
    Path(http.log.name).unlink(missing_ok=True)
    Path(ws.log.name).unlink(missing_ok=True)


def ws_url(layout: Layout, path: str) -> str:
    return layout.ws.ws_url + path


class FrameLog(logging.Handler):
    """Collects what the websockets client logs at DEBUG: one line per frame ("< PING ...")."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def frame_logger() -> tuple[logging.Logger, FrameLog]:
    logger = logging.getLogger(f"zhilian.tests.wsclient.{uuid.uuid4().hex[:8]}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = FrameLog()
    logger.addHandler(handler)
    return logger, handler


async def message_during(ws, seconds: float):
    """The first message within `seconds`, or None; fails the test if the socket closes meanwhile."""
    try:
        return await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return None
    except ConnectionClosed as closed:
        pytest.fail(f"the socket closed while idle: received {closed.rcvd}, sent {closed.sent}")


async def next_event(ws, event_type: str) -> dict:
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if event["type"] == event_type:
            return event


def test_idle_socket_stays_open_and_delivers_the_next_event(production_server, store, manager):
    token = str(AccessToken.for_user(manager))
    origin = production_server.http.base_url
    logger, frames = frame_logger()

    async def scenario():
        url = ws_url(production_server, f"/ws/stores/{store.pk}/?token={token}")
        # The client sends no pings of its own: the socket is as idle as a quiet store makes it.
        async with connect(url, origin=origin, ping_interval=None, open_timeout=WAIT, logger=logger) as ws:
            assert await message_during(ws, IDLE) is None
            # The order goes through the API of the HTTP server: the event crosses Redis to
            # whichever WebSocket worker holds the socket.
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=origin, headers=headers, timeout=WAIT) as api:
                response = await api.post("/api/v1/orders/", json=NEW_ORDER)
            assert response.status_code == 201, response.text
            event = await next_event(ws, "order.created")
            assert event["store"] == store.pk
            assert event["data"]["id"] == response.json()["id"]
            assert event["data"]["customer_name"] == "Zhao Lei"

    asyncio.run(scenario())
    # While idle, the server kept the socket alive with protocol pings (the client answered them).
    assert any(line.startswith("< PING") for line in frames.lines), frames.lines
    # The access log names the socket's path, never the token in its query string.
    log = production_server.ws.log_text()
    assert f"/ws/stores/{store.pk}/" in log
    assert token not in log and "token=[redacted]" in log


@pytest.mark.parametrize("path", ["/ws/nope/", "/ws/stores/bad%20id/", "/ws/stores/STORE001", "/ws/"])
def test_unrouted_path_closes_4404_without_an_error_in_the_log(production_server, path):
    log_path = Path(production_server.ws.log.name)
    logged_before = log_path.stat().st_size

    async def scenario():
        async with connect(ws_url(production_server, path), origin=production_server.http.base_url) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), WAIT)
        return closed.value.rcvd

    close = asyncio.run(scenario())
    assert close is not None, "the server sends a close frame"
    assert close.code == 4404
    with log_path.open("rb") as log:
        log.seek(logged_before)
        written = log.read().decode(errors="replace")
    assert "Traceback" not in written
    assert "[ERROR]" not in written
