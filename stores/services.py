"""Stores, tables and employees: records with history are deactivated, never deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import Employee, Store, Table
from zhilian.audit import CREATE, audit_record
from zhilian.errors import InvalidInput

if TYPE_CHECKING:
    from accounts.models import User


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


# --- writes of single rows (the import; the admin's forms save through Django) ------------------


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(
            {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        ) from exc


def _row_create(model, *, user, event: str, fields: dict[str, Any]):
    instance = model(**fields)
    _full_clean(instance)
    with transaction.atomic():
        instance.save(force_insert=True)
        audit_record(actor=user, instance=instance, event=event, action=CREATE)
    return instance


def _row_update(instance, *, user, event: str, changes: dict[str, Any]):
    if "store" in changes and getattr(changes["store"], "pk", changes["store"]) != instance.store_id:
        raise InvalidInput({"store": _("An existing record cannot move to another store.")})
    with transaction.atomic():
        row = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = {field: getattr(row, field) for field in changes}
        for field, value in changes.items():
            setattr(row, field, value)
        _full_clean(row)
        row.save(update_fields=[*changes, "updated_at"])
        edited = {f: (before[f], getattr(row, f)) for f in changes if before[f] != getattr(row, f)}
        if edited:
            audit_record(actor=user, instance=row, event=event, changes=edited)
    return row


def employee_create(*, user: User | None, **fields: Any) -> Employee:
    """A new employee record (its login account, if any, is made in accounts)."""
    return _row_create(Employee, user=user, event="employee.create", fields=fields)


def employee_update(*, employee: Employee, user: User | None, **changes: Any) -> Employee:
    """Change an employee's fields; an employee never moves to another store (a new record does)."""
    return _row_update(employee, user=user, event="employee.update", changes=changes)


def table_create(*, user: User | None, **fields: Any) -> Table:
    return _row_create(Table, user=user, event="table.create", fields=fields)


def table_update(*, table: Table, user: User | None, **changes: Any) -> Table:
    return _row_update(table, user=user, event="table.update", changes=changes)
