"""Availability and time off of the demo staff, through the services (before the recent window is
generated, so generation works around them): two employees with weekday ranges, an approved
annual leave in the coming days and the staff login's pending request."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from accounts.models import User
from scheduling.models import LeaveRequest
from scheduling.services import availability_create, leave_request_create, leave_request_decide
from stores.models import Employee, Store

if TYPE_CHECKING:
    from zhilian.seed.runner import Seeder


def seed_time_off(seeder: Seeder, store: Store, manager: User, staff: User) -> None:
    employees = list(Employee.objects.filter(store=store, is_active=True).exclude(user=staff).order_by("pk"))
    own = Employee.objects.filter(user=staff).first()
    if len(employees) < 3:
        return
    start = seeder.end_date
    lunch, evenings, away = employees[0], employees[1], employees[2]
    # Lunch only on weekdays (a parent on school runs); evenings only at the weekend (a student).
    for weekday in range(5):
        availability_create(employee=lunch, weekday=weekday, start_time=dt.time(9), end_time=dt.time(15), user=manager)
    for weekday in (4, 5, 6):
        availability_create(
            employee=evenings, weekday=weekday, start_time=dt.time(16), end_time=dt.time(23, 30), user=manager
        )
    # Past the days published ahead: approving finds no published shift to refuse on.
    leave = leave_request_create(
        user=manager,
        employee=away,
        leave_type=LeaveRequest.Type.ANNUAL,
        start_date=start + dt.timedelta(days=3),
        end_date=start + dt.timedelta(days=4),
        reason="回老家 Visiting family",
    )
    leave_request_decide(leave_request=leave, approve=True, user=manager, note="")
    if own is not None:
        leave_request_create(
            user=staff,
            leave_type=LeaveRequest.Type.PERSONAL,
            start_date=start + dt.timedelta(days=6),
            end_date=start + dt.timedelta(days=6),
            reason="办理证件 Paperwork at the city office",
        )
    seeder.result.services["leave_request_create"] = "approved and pending leave, availability per weekday"
