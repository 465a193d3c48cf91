"""Stores, tables and employees: records with history are deactivated, never deleted."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stores.models import Employee, Store, Table
from zhilian.errors import InvalidInput


def employee_set_active(*, employees: QuerySet[Employee], active: bool) -> int:
    """Activate or deactivate employees (a deactivated one is no longer scheduled). Returns how many changed."""
    with transaction.atomic():
        return employees.exclude(is_active=active).update(is_active=active, updated_at=timezone.now())


def table_set_active(*, tables: QuerySet[Table], active: bool) -> int:
    """Take tables out of service (or back in); reservations and orders keep referring to them."""
    with transaction.atomic():
        return tables.exclude(is_active=active).update(is_active=active, updated_at=timezone.now())


def store_set_status(*, store: Store, status: str) -> Store:
    """Move a store to another operating status (closing keeps all of its history)."""
    if status not in Store.Status.values:
        raise InvalidInput({"status": [f"Choose one of: {', '.join(Store.Status.values)}."]})
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        if locked.status != status:
            locked.status = status
            locked.save(update_fields=["status", "updated_at"])
    return locked
