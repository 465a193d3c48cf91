"""Creating notifications: one row per recipient, pushed live after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from zhilian import events
from zhilian.roles import Role


def store_managers(store_id: str) -> list[User]:
    """Who hears about a store's operations: its active managers."""
    return list(User.objects.filter(store_id=store_id, role=Role.MANAGER, is_active=True))


def notification_create(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    level: str = Notification.Level.INFO,
    store_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Create one notification per recipient and publish `notification.created` to each."""
    recipients = list({u.pk: u for u in recipients}.values())
    if not recipients:
        return []
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user, store_id=store_id, kind=kind, level=level, title=title, body=body, data=data or {}
                )
                for user in recipients
            ]
        )
        for row in rows:
            events.publish(
                "notification.created",
                store_id=store_id,
                user_ids=[row.recipient_id],
                data=notification_payload(row),
            )
    return rows


def notification_payload(row: Notification) -> dict[str, Any]:
    return {
        "id": str(row.pk),
        "kind": row.kind,
        "level": row.level,
        "title": row.title,
        "body": row.body,
        "data": row.data,
        "store": row.store_id,
        "created_at": (row.created_at or timezone.now()).isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )
