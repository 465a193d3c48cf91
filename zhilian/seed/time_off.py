"""Availability and time off of the demo staff. Two employees state weekday ranges (the older
history in memory, zhilian.seed.rosters, and the service's recent window both keep to them); an
approved annual leave in the coming days and the staff login's pending request go through the
services before the recent window is generated, so generation works around them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from accounts.models import User
from scheduling.models import LeaveRequest
from scheduling.services import availability_create, leave_request_create, leave_request_decide
from stores.models import Employee, Store

if TYPE_CHECKING:
    from zhilian.seed.runner import Seeder

# Lunch only on weekdays (a parent on school runs); evenings only at the weekend (a student).
LUNCH_ON_WEEKDAYS = {weekday: ((dt.time(9), dt.time(15)),) for weekday in range(5)}
WEEKEND_EVENINGS = {weekday: ((dt.time(16), dt.time(23, 30)),) for weekday in (4, 5, 6)}


def _candidates(employees: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active staff, by id, without the manager and the first waiter (the demo logins' employees)."""
    rows = sorted((e for e in employees if e["is_active"]), key=lambda e: e["id"])
    first_waiter = next((e["id"] for e in rows if e["position"] == "waiter"), None)
    return [e for e in rows if e["position"] != "manager" and e["id"] != first_waiter]


def availability_plan(employees: Iterable[dict[str, Any]]) -> dict[Any, dict[int, tuple]]:
    """{employee id: {weekday: ranges}} of the employees who state availability (plain data)."""
    chosen = _candidates(employees)[:2]
    return {e["id"]: ranges for e, ranges in zip(chosen, (LUNCH_ON_WEEKDAYS, WEEKEND_EVENINGS), strict=False)}


def seed_time_off(seeder: Seeder, store: Store, manager: User, staff: User) -> None:
    rows = list(Employee.objects.filter(store=store).values("id", "position", "is_active"))
    for employee_id, weekdays in availability_plan(rows).items():
        employee = Employee.objects.get(pk=employee_id)
        for weekday, ranges in weekdays.items():
            for start, end in ranges:
                availability_create(employee=employee, weekday=weekday, start_time=start, end_time=end, user=manager)
    candidates = _candidates(rows)
    if len(candidates) > 2:
        # Past the days published ahead: approving finds no published shift to refuse on.
        leave = leave_request_create(
            user=manager,
            employee=Employee.objects.get(pk=candidates[2]["id"]),
            leave_type=LeaveRequest.Type.ANNUAL,
            start_date=seeder.end_date + dt.timedelta(days=3),
            end_date=seeder.end_date + dt.timedelta(days=4),
            reason="回老家 Visiting family",
        )
        leave_request_decide(leave_request=leave, approve=True, user=manager, note="")
    if Employee.objects.filter(user=staff).exists():
        leave_request_create(
            user=staff,
            leave_type=LeaveRequest.Type.PERSONAL,
            start_date=seeder.end_date + dt.timedelta(days=6),
            end_date=seeder.end_date + dt.timedelta(days=6),
            reason="办理证件 Paperwork at the city office",
        )
    seeder.result.services["leave_request_create"] = "approved and pending leave, availability per weekday"
