"""One audit trail: who changed what, written explicitly by the services.

We keep django-auditlog's `LogEntry` table and its admin history view (a maintained library with
a diff display, an actor column and per-object lookups), but we do not register models for its
signal receivers: a service that makes a change the business cares about calls `audit_record`
inside its own transaction, with the actor it was given. The entry is therefore rolled back with
the change it describes, names the service's event (`order.transition`, `stock.adjust`), and no
save anywhere writes an entry behind the caller's back.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db import models

CREATE = LogEntry.Action.CREATE
UPDATE = LogEntry.Action.UPDATE
DELETE = LogEntry.Action.DELETE


def _text(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def _plain(value: Any) -> Any:
    return _text(value) if isinstance(value, models.Model) else value


def audit_record(
    *,
    actor: Any,
    instance: models.Model,
    event: str,
    action: int = UPDATE,
    changes: dict[str, tuple[Any, Any]] | None = None,
    **details: Any,
) -> LogEntry:
    """Record that `actor` did `event` to `instance`.

    `changes` maps a field to its (old, new) values; `details` are kept beside the event name
    (a reason, a quantity, a related id). `actor` may be None or anonymous for system jobs.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=action,
        actor=user,
        changes={field: [_text(old), _text(new)] for field, (old, new) in (changes or {}).items()},
        additional_data={"event": event, **{key: _plain(value) for key, value in details.items()}},
    )


def audit_entries(instance: models.Model):
    """The trail of one object, newest first, with the actor joined."""
    return LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp", "-pk")
