"""Creating notifications: one row per recipient, pushed live after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from notifications.texts import Message, english
from zhilian import events
from zhilian.roles import Role


def store_managers(store_id: str) -> list[User]:
    """Who hears about a store's operations: its active managers."""
    return list(User.objects.filter(store_id=store_id, role=Role.MANAGER, is_active=True))


def notification_create(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str | Message,
    body: str | Message | list[Message] = "",
    level: str = Notification.Level.INFO,
    store_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Create one notification per recipient and publish `notification.created` to each.

    A title or body given as notifications.texts messages is kept in ``data["i18n"]`` and shown
    in each reader's language (the columns hold the English text)."""
    recipients = list({u.pk: u for u in recipients}.values())
    if not recipients:
        return []
    i18n = {key: value for key, value in (("title", title), ("body", body)) if not isinstance(value, str)}
    if i18n:
        data = {**(data or {}), "i18n": i18n}
        title, body = english(title), english(body)
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
        "title": row.display_title,
        "body": row.display_body,
        "data": row.data,
        "store": row.store_id,
        "created_at": (row.created_at or timezone.now()).isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }


def notification_mark_read(*, notification: Notification) -> Notification:
    """Stamp read_at once; a second call (or a concurrent one) keeps the first time."""
    now = timezone.now()
    with transaction.atomic():
        # A conditional UPDATE instead of read-modify-write: concurrent calls cannot both stamp.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now, updated_at=now)
        notification.refresh_from_db(fields=["read_at", "updated_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    now = timezone.now()
    with transaction.atomic():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now, updated_at=now)


def notification_mark_many_read(*, notifications: QuerySet[Notification]) -> int:
    """Mark the given notifications read (admin action); returns how many changed."""
    now = timezone.now()
    with transaction.atomic():
        return notifications.filter(read_at__isnull=True).update(read_at=now, updated_at=now)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_delete(*, notification: Notification) -> None:
    with transaction.atomic():
        notification.delete()


def chain_admins() -> list[User]:
    """Who hears about the platform itself (a background job that failed): the active admins."""
    return list(User.objects.filter(role=Role.ADMIN, is_active=True))
