"""When each employee can work per weekday (ranges a shift must fit in; scheduling.assignment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from scheduling.models import Availability
from stores.models import Employee
from zhilian.audit import CREATE, DELETE, audit_record
from zhilian.errors import DomainError, InvalidInput

AVAILABILITY_EDITABLE = ("weekday", "start_time", "end_time")


def _save(row: Availability) -> None:
    try:
        row.full_clean(exclude=["employee"])
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise DomainError(_("A range of that weekday already starts then."), code="duplicate") from exc


@transaction.atomic
def availability_create(
    *, employee: Employee, weekday: int, start_time: dt.time, end_time: dt.time, user: User | None = None
) -> Availability:
    row = Availability(employee=employee, weekday=weekday, start_time=start_time, end_time=end_time)
    _save(row)
    audit_record(
        actor=user,
        instance=row,
        event="availability.create",
        action=CREATE,
        changes={k: (None, getattr(row, k)) for k in ("employee_id", *AVAILABILITY_EDITABLE)},
    )
    return row


@transaction.atomic
def availability_update(*, availability: Availability, user: User | None = None, **changes: Any) -> Availability:
    unknown = set(changes) - set(AVAILABILITY_EDITABLE)
    if unknown:
        raise InvalidInput({k: _("This field cannot be changed here.") for k in sorted(unknown)})
    row = Availability.objects.select_for_update().get(pk=availability.pk)
    audited = {k: (getattr(row, k), v) for k, v in changes.items() if getattr(row, k) != v}
    for key, value in changes.items():
        setattr(row, key, value)
    _save(row)
    if audited:
        audit_record(actor=user, instance=row, event="availability.update", changes=audited)
    return row


@transaction.atomic
def availability_delete(*, availability: Availability, user: User | None = None) -> None:
    audit_record(
        actor=user, instance=availability, event="availability.delete", action=DELETE, employee=availability.employee_id
    )
    availability.delete()
