"""WebSocket consumers: a store's live events and a user's own notifications (docs/architecture.md,
"Events and live updates").

Close codes (the socket is accepted first so a browser sees the code, not a failed handshake):

- 4401: no credentials, or a bad / expired token;
- 4403: the store does not exist or the user may not see it (the two are not told apart, as
  the API answers 404 for both);
- 4404: the path matches no route (`UnroutedConsumer`);
- 1011: the channel layer (Redis) failed; the client reconnects with back-off.

Messages from the server are the events themselves: ``{"type", "store", "data", "at"}``, and
every ``ZHILIAN_WS_HEARTBEAT_SECONDS`` a ``{"type": "heartbeat", "at"}``.
The client may send ``{"type": "ping"}`` and gets ``{"type": "pong"}``.

Keep-alive comes in two layers. The server (gunicorn.conf.py) sends protocol pings, which keep
idle sockets open through proxies and drop clients that stopped answering; browsers answer them
but cannot see them. So each socket also gets an application heartbeat, sent through the channel
layer like any event: when it arrives, Redis, the consumer's blocking receive and the socket all
work. The dashboard reconnects a socket that misses two heartbeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from stores.models import Store
from zhilian.events import store_group, user_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_LAYER_FAILED = 1011
# What a failing channel layer raises: redis-py's errors (ConnectionError, TimeoutError) and the
# socket errors under them.
try:
    from redis.exceptions import RedisError as _RedisError
except ImportError:  # without redis installed only the in-memory layer exists
    _RedisError = OSError
LAYER_ERRORS = (_RedisError, OSError)


def now() -> float:
    return time.time()


class EventConsumer(AsyncJsonWebsocketConsumer):
    """Authenticates, joins one group, forwards its `zhilian.event` messages and heartbeats."""

    group_name: str | None = None
    heartbeat: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as exc:
            # Redis went away under the socket (or was never there): say so in one log line and close
            # with 1011 instead of dropping the connection with a traceback.
            logger.warning("live socket closed: the channel layer failed (%s: %s)", type(exc).__name__, exc)
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": CLOSE_LAYER_FAILED})
        finally:
            # However the consumer ends (disconnect, close, error, cancellation), its heartbeat stops.
            await self.stop_heartbeat()

    async def connect(self):
        user = self.scope.get("user")
        subprotocol = self.scope.get("accept_subprotocol")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED, subprotocol)
            return
        group = await self.group_for(user)
        if group is None:
            await self.refuse(CLOSE_FORBIDDEN, subprotocol)
            return
        # Join before accepting: once the client sees the socket open, no event is missed.
        self.group_name = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(subprotocol)
        self.start_heartbeat()

    async def refuse(self, code: int, subprotocol: str | None) -> None:
        await self.accept(subprotocol)
        await self.close(code=code)

    async def group_for(self, user) -> str | None:
        raise NotImplementedError

    async def disconnect(self, code):
        await self.stop_heartbeat()
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
            self.group_name = None

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "at": content.get("at")})

    @classmethod
    async def decode_json(cls, text_data):
        # A client sending garbage gets ignored rather than crashing the consumer.
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    def token_expired(self) -> bool:
        exp = self.scope.get("token_exp")
        return bool(exp) and now() >= exp

    async def zhilian_event(self, message):
        if self.token_expired():
            # A socket opened with a token lives no longer than the token.
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json(message["event"])

    # --- heartbeat ---------------------------------------------------------------------------

    def start_heartbeat(self) -> None:
        interval = settings.ZHILIAN_WS_HEARTBEAT_SECONDS
        if interval and interval > 0:
            self.heartbeat = asyncio.create_task(self.beat(interval))

    async def stop_heartbeat(self) -> None:
        task, self.heartbeat = self.heartbeat, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                # The layer drops a group member after its group_expiry (a day): a socket left open
                # longer would stop getting events without knowing. Each beat renews the membership.
                if self.group_name:
                    await self.channel_layer.group_add(self.group_name, self.channel_name)
                # Through the layer, not straight to the socket: see the module docstring.
                await self.channel_layer.send(self.channel_name, {"type": "zhilian.heartbeat"})
            except Exception:  # the missed beat is what tells the client; the next one may pass
                logger.warning("could not send the heartbeat of %s", self.channel_name, exc_info=True)

    async def zhilian_heartbeat(self, message):
        if self.token_expired():
            # Also when the store is quiet: a heartbeat is the next chance to check.
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json({"type": "heartbeat", "at": timezone.now().isoformat()})


class StoreEventsConsumer(EventConsumer):
    """/ws/stores/<store_id>/: the live events of one store the user may see."""

    async def group_for(self, user) -> str | None:
        store_id = self.scope["url_route"]["kwargs"]["store_id"]
        visible = await database_sync_to_async(Store.objects.for_user(user).filter(pk=store_id).exists)()
        return store_group(store_id) if visible else None


class NotificationConsumer(EventConsumer):
    """/ws/notifications/: the notifications addressed to the connected user."""

    async def group_for(self, user) -> str | None:
        return user_group(user.pk)


class UnroutedConsumer(AsyncWebsocketConsumer):
    """Any other path: accepted and closed with 4404, instead of the router's "No route found"
    error, which the server logs as a traceback and answers with a 500 handshake."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)
