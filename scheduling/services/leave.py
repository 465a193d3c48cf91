"""Time off (请假): asking for leave, deciding it, cancelling it.

Staff ask for themselves, managers for anyone of their store; a request may not overlap another
pending or approved one of the employee (the employee row is locked while checking, so two
concurrent requests cannot both pass). Only a pending request is decided. Approving removes the
employee's shifts from the unpublished schedules of those days and is refused while a day of it is
on a published schedule (unpublished work can be redone; a published week is a promise to the
staff, so the manager must first take the shift off it another way). The managers hear of a new
request, the employee of the decision (notifications, pushed after commit).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create, store_managers
from scheduling.models import LeaveRequest, Schedule, Shift
from stores.models import Employee
from zhilian import roles
from zhilian.audit import CREATE, DELETE, audit_record
from zhilian.dates import check_day
from zhilian.errors import Forbidden, InvalidInput, InvalidTransition, Locked, NotFound, Unavailable
from zhilian.models import in_store_scope

RESOURCE = "scheduling.leaverequest"
MAX_LEAVE_DAYS = 366


def _own_employee(user: User) -> Employee | None:
    return Employee.objects.filter(user=user).first()


def _refuse_other_store(user: User, employee: Employee) -> None:
    if not in_store_scope(user, employee.store_id):
        raise NotFound(_("No such employee."))


@transaction.atomic
def leave_request_create(
    *,
    user: User,
    leave_type: str,
    start_date: dt.date,
    end_date: dt.date,
    employee: Employee | None = None,
    reason: str = "",
) -> LeaveRequest:
    """Ask for leave from `start_date` to `end_date` (inclusive) for `employee` (staff: themself,
    the default; managers: anyone of their store)."""
    if not roles.can(user, roles.ADD, RESOURCE):
        raise Forbidden(_("You may not ask for leave."))
    if employee is None:
        employee = _own_employee(user)
        if employee is None:
            raise InvalidInput({"employee": _("Name the employee.")})
    _refuse_other_store(user, employee)
    if user.role == roles.STAFF and employee.user_id != user.pk:
        raise Forbidden(_("You can ask for leave only for yourself."))
    if leave_type not in LeaveRequest.Type.values:
        raise InvalidInput({"leave_type": _("Unknown leave type.")})
    check_day(start_date, "start_date")
    check_day(end_date, "end_date")
    if end_date < start_date:
        raise InvalidInput({"end_date": _("The last day cannot come before the first.")})
    if (end_date - start_date).days + 1 > MAX_LEAVE_DAYS:
        raise InvalidInput({"end_date": _("A request covers at most %(days)d days.") % {"days": MAX_LEAVE_DAYS}})
    # The employee row is the lock: concurrent requests of one employee check overlap one at a time.
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    clash = (
        LeaveRequest.objects.filter(
            employee=employee, status__in=LeaveRequest.HOLDING, start_date__lte=end_date, end_date__gte=start_date
        )
        .order_by("start_date")
        .first()
    )
    if clash is not None:
        raise Unavailable(
            _("%(name)s already has %(status)s leave from %(start)s to %(end)s.")
            % {
                "name": employee.name,
                "status": clash.get_status_display().lower(),
                "start": clash.start_date,
                "end": clash.end_date,
            },
            code="leave_overlap",
            leave_request=str(clash.pk),
        )
    leave = LeaveRequest.objects.create(
        employee=employee,
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        requested_by=user,
    )
    audit_record(
        actor=user,
        instance=leave,
        event="leave.create",
        action=CREATE,
        changes={
            "employee": (None, employee.pk),
            "leave_type": (None, leave_type),
            "start_date": (None, start_date),
            "end_date": (None, end_date),
        },
    )
    managers = [m for m in store_managers(employee.store_id) if m.pk != user.pk]
    notification_create(
        recipients=managers,
        kind=Notification.Kind.LEAVE_REQUESTED,
        title=_("Leave requested: %(name)s, %(start)s to %(end)s")
        % {"name": employee.name, "start": start_date, "end": end_date},
        body=reason,
        store_id=employee.store_id,
        data=_payload(leave),
    )
    return leave


def _payload(leave: LeaveRequest) -> dict:
    return {
        "leave_request": str(leave.pk),
        "employee": leave.employee_id,
        "leave_type": leave.leave_type,
        "start_date": leave.start_date.isoformat(),
        "end_date": leave.end_date.isoformat(),
        "status": leave.status,
    }


def _locked(leave: LeaveRequest, user: User) -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update(of=("self",)).select_related("employee").get(pk=leave.pk)
    _refuse_other_store(user, leave.employee)
    if user.role == roles.STAFF and leave.employee.user_id != user.pk:
        raise NotFound(_("No such leave request."))
    return leave


def _move(leave: LeaveRequest, to: str) -> None:
    allowed = LeaveRequest.TRANSITIONS[leave.status]
    if to not in allowed:
        raise InvalidTransition(
            _("A %(status)s leave request cannot be %(to)s.")
            % {"status": leave.get_status_display().lower(), "to": LeaveRequest.Status(to).label.lower()},
            allowed=list(allowed),
        )


@transaction.atomic
def leave_request_decide(*, leave_request: LeaveRequest, approve: bool, user: User, note: str = "") -> LeaveRequest:
    """A manager approves or denies a pending request. Approving takes the employee's shifts off the
    unpublished schedules of those days; it is refused (409 `leave_published_shifts`) while one of
    those days' shifts of the employee is on a published schedule."""
    if not roles.can(user, "decide", RESOURCE):
        raise Forbidden(_("Only a manager decides leave requests."))
    leave = _locked(leave_request, user)
    to = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.DENIED
    _move(leave, to)
    removed = []
    if approve:
        removed = _clear_shifts(leave, user)
    old = leave.status
    leave.status = to
    leave.decided_by = user
    leave.decided_at = timezone.now()
    leave.decision_note = note
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=user,
        instance=leave,
        event="leave.decide",
        changes={"status": (old, to), "decision_note": ("", note)},
        removed_shifts=removed,
    )
    _notify_employee(
        leave,
        _("Your leave from %(start)s to %(end)s is approved")
        if approve
        else _("Your leave from %(start)s to %(end)s is denied"),
        note,
    )
    return leave


def _leave_shifts(leave: LeaveRequest) -> list[Shift]:
    return list(
        Shift.objects.filter(
            employee_id=leave.employee_id, schedule__schedule_date__range=(leave.start_date, leave.end_date)
        ).select_related("schedule")
    )


def _refuse_published(leave: LeaveRequest, shifts: list[Shift]) -> None:
    published = sorted({s.schedule.schedule_date for s in shifts if s.schedule.is_published})
    if published:
        raise Locked(
            _("%(name)s has shifts on published schedules on %(days)s; take them off before approving.")
            % {"name": leave.employee.name, "days": ", ".join(d.isoformat() for d in published)},
            code="leave_published_shifts",
            days=[d.isoformat() for d in published],
        )


def _clear_shifts(leave: LeaveRequest, user: User) -> list[str]:
    """Take the employee's shifts of the leave's days off their (unpublished) schedules.

    Locks the schedules in pk order, then the employee: the shift services' order (schedule, then
    employee), so no deadlock; and once the employee row is held, no shift of theirs is being
    added (shift_create holds it), so the second read sees every shift and the approval, once
    committed, keeps new ones off those days (shift_check reads approved leave)."""
    shifts = _leave_shifts(leave)
    _refuse_published(leave, shifts)
    list(Schedule.objects.select_for_update().filter(pk__in={s.schedule_id for s in shifts}).order_by("pk"))
    Employee.objects.select_for_update().get(pk=leave.employee_id)
    shifts = _leave_shifts(leave)
    _refuse_published(leave, shifts)
    for shift in shifts:
        audit_record(actor=user, instance=shift, event="shift.delete", action=DELETE, leave_request=str(leave.pk))
    Shift.objects.filter(pk__in=[s.pk for s in shifts]).delete()
    return [str(s.pk) for s in shifts]


def _notify_employee(leave: LeaveRequest, title: str, body: str) -> None:
    employee = leave.employee
    if employee.user_id is None:
        return
    notification_create(
        recipients=[employee.user],
        kind=Notification.Kind.LEAVE_DECIDED,
        title=title % {"start": leave.start_date, "end": leave.end_date},
        body=body,
        level=Notification.Level.INFO if leave.status == LeaveRequest.Status.APPROVED else Notification.Level.WARNING,
        store_id=employee.store_id,
        data=_payload(leave),
    )


@transaction.atomic
def leave_request_cancel(*, leave_request: LeaveRequest, user: User, note: str = "") -> LeaveRequest:
    """Withdraw a request: its employee while it is pending, a manager also once approved (the days
    are then free for scheduling again; removed shifts are not put back)."""
    if not roles.can(user, "cancel", RESOURCE):
        raise Forbidden(_("You may not cancel leave requests."))
    leave = _locked(leave_request, user)
    if user.role == roles.STAFF and leave.status != LeaveRequest.Status.PENDING:
        raise InvalidTransition(
            _("Only a pending request can be withdrawn; ask your manager."),
            allowed=[],
        )
    _move(leave, LeaveRequest.Status.CANCELLED)
    old = leave.status
    leave.status = LeaveRequest.Status.CANCELLED
    fields = ["status", "updated_at"]
    if note:
        leave.decision_note = note
        fields.append("decision_note")
    leave.save(update_fields=fields)
    audit_record(actor=user, instance=leave, event="leave.cancel", changes={"status": (old, leave.status)})
    if leave.employee.user_id != user.pk:
        _notify_employee(leave, _("Your leave from %(start)s to %(end)s is cancelled"), note)
    return leave
