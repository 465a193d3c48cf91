"""Live events: services publish them after commit; sockets deliver them (docs/architecture.md,
"Events and live updates").

Every event is ``{"type", "store", "data", "at"}``. It goes to the group of its store
(``store.<id>``) and, for notifications, to the recipient's group (``user.<id>``). Nothing is
sent for a transaction that rolls back, because sending is scheduled with `on_commit`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

EVENT_TYPES = frozenset(
    {
        "order.created",
        "order.status_changed",
        "reservation.created",
        "reservation.status_changed",
        "reservation.updated",
        "inventory.low_stock",
        "stock.count_closed",
        "schedule.published",
        "kpi.updated",
        "menu.sold_out",
        "menu.updated",
        "notification.created",
        "waitlist.created",
        "waitlist.status_changed",
    }
)


def store_group(store_id: str) -> str:
    return f"store.{store_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def build_event(event_type: str, *, store_id: str | None, data: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so dates, decimals and UUIDs travel as strings.
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return {"type": event_type, "store": store_id, "data": payload, "at": timezone.now().isoformat()}


def publish(event_type: str, *, store_id: str | None, data: dict[str, Any], user_ids=()) -> None:
    """Send the event once the surrounding transaction commits (at once outside one)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event = build_event(event_type, store_id=store_id, data=data)
    groups = [store_group(store_id)] if store_id and not user_ids else []
    groups += [user_group(uid) for uid in user_ids]
    transaction.on_commit(lambda: _send(groups, event))


def _send(groups: list[str], event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for group in groups:
            async_to_sync(layer.group_send)(group, {"type": "zhilian.event", "event": event})
    except Exception:  # a down Redis must not undo or fail a committed business change
        logger.exception("could not publish %s to %s", event["type"], groups)
