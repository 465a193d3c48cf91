"""WebSocket consumers: a store's live events and a user's own notifications (DESIGN §7).

Close codes (the socket is accepted first so a browser sees the code, not a failed handshake):

- 4401: no credentials, or a bad / expired token;
- 4403: the store does not exist or the user may not see it (the two are not told apart, as
  the API answers 404 for both).

Messages from the server are the events themselves: ``{"type", "store", "data", "at"}``.
The client may send ``{"type": "ping"}`` and gets ``{"type": "pong"}``.
"""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from stores.models import Store
from zhilian.events import store_group, user_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def now() -> float:
    return time.time()


class EventConsumer(AsyncJsonWebsocketConsumer):
    """Authenticates, joins one group, forwards its `zhilian.event` messages."""

    group_name: str | None = None

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

    async def refuse(self, code: int, subprotocol: str | None) -> None:
        await self.accept(subprotocol)
        await self.close(code=code)

    async def group_for(self, user) -> str | None:
        raise NotImplementedError

    async def disconnect(self, code):
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
