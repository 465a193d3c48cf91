"""Shift swaps and drops: a staff member offers one of their future published shifts to a named
colleague (swap: the colleague accepts) or to anyone eligible (drop: whoever picks it up); a manager
approves, which moves the shift to the new employee after the same rule check as a manual edit.

offered -> accepted -> approved; offered/accepted -> rejected (manager) or cancelled (requester).
Lock order: the schedule, the shift, the request, then the employee (as manual edits)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create, store_managers
from scheduling.models import Schedule, Shift, ShiftSwapRequest
from scheduling.services.eligibility import require_eligible
from stores.models import Employee
from zhilian import roles
from zhilian.audit import CREATE, audit_record
from zhilian.errors import DomainError, Forbidden, InvalidInput, InvalidTransition, Locked, NotFound
from zhilian.models import in_store_scope

R = ShiftSwapRequest.Status
RESOURCE = "scheduling.shiftswaprequest"


def _notify(recipients: Iterable[User | None], title: str, body: str, request: ShiftSwapRequest) -> None:
    recipients = [u for u in recipients if u is not None]
    store_id = request.shift.schedule.store_id
    data = {"swap_request": str(request.pk), "shift": str(request.shift_id), "kind": request.kind}
    transaction.on_commit(
        lambda: notification_create(
            recipients=recipients,
            kind=Notification.Kind.SHIFT_CHANGE,
            title=title,
            body=body,
            store_id=store_id,
            data=data,
        )
    )


def _label(shift: Shift) -> str:
    return f"{shift.schedule.schedule_date} {shift.start_time:%H:%M}–{shift.end_time:%H:%M}"


def _own_employee(actor: User) -> Employee | None:
    return Employee.objects.filter(user=actor).first() if getattr(actor, "is_authenticated", False) else None


def _locked(request: ShiftSwapRequest) -> ShiftSwapRequest:
    shift = Shift.objects.only("schedule_id").get(pk=request.shift_id)
    Schedule.objects.select_for_update().get(pk=shift.schedule_id)
    Shift.objects.select_for_update().get(pk=shift.pk)
    return (
        ShiftSwapRequest.objects.select_for_update(of=("self",))
        .select_related("shift__schedule", "shift__employee", "requested_by__user", "target__user", "taker__user")
        .get(pk=request.pk)
    )


def _require_store(actor: User, store_id: str) -> None:
    if not in_store_scope(actor, store_id):
        raise NotFound(_("No such swap request."))


def _require_status(request: ShiftSwapRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise InvalidTransition(
            _("The request is %(status)s.") % {"status": request.get_status_display()},
            code="swap_" + request.status,
            allowed=list(allowed),
        )


def _require_future(shift: Shift) -> None:
    if not shift.schedule.is_published:
        raise Locked(_("Only shifts of a published schedule can be swapped or dropped."), code="not_published")
    if shift.starts_at <= timezone.now():
        raise Locked(_("The shift has already started."), code="shift_started")


def _check(shift: Shift, employee: Employee) -> None:
    require_eligible(
        schedule=shift.schedule,
        employee=employee,
        position=shift.position,
        required_skills=[],
        start_time=shift.start_time,
        end_time=shift.end_time,
        exclude=[shift.pk],
    )


@transaction.atomic
def swap_request_create(
    *, actor: User, shift: Shift, kind: str, target: Employee | None = None, reason: str = ""
) -> ShiftSwapRequest:
    """Offer `shift` (the actor's own; a manager may offer on an employee's behalf)."""
    Schedule.objects.select_for_update().get(pk=shift.schedule_id)
    shift = Shift.objects.select_for_update(of=("self",)).select_related("schedule", "employee").get(pk=shift.pk)
    _require_store(actor, shift.schedule.store_id)
    own = _own_employee(actor)
    if actor.role == roles.STAFF and (own is None or own.pk != shift.employee_id):
        raise Forbidden(_("You can offer only your own shifts."))
    if kind not in ShiftSwapRequest.Kind.values:
        raise InvalidInput({"kind": _("Choose swap or drop.")})
    _require_future(shift)
    if kind == ShiftSwapRequest.Kind.SWAP:
        if target is None:
            raise InvalidInput({"target": _("A swap names the colleague who takes the shift.")})
        if target.store_id != shift.schedule.store_id or not target.is_active:
            raise InvalidInput({"target": _("The colleague must be an active employee of the same store.")})
        if target.pk == shift.employee_id:
            raise InvalidInput({"target": _("The colleague must be someone else.")})
    else:
        target = None
    request = ShiftSwapRequest(shift=shift, kind=kind, requested_by=shift.employee, target=target, reason=reason)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise DomainError(_("This shift is already offered."), code="swap_already_offered") from exc
    audit_record(
        actor=actor,
        instance=request,
        event="swap.create",
        action=CREATE,
        shift=str(shift.pk),
        kind=kind,
        target=target.pk if target else None,
    )
    if target is not None:
        _notify(
            [target.user],
            _("%(name)s asks you to take a shift") % {"name": shift.employee.name},
            _label(shift),
            request,
        )
    return request


@transaction.atomic
def swap_request_accept(*, actor: User, swap_request: ShiftSwapRequest, employee: Employee) -> ShiftSwapRequest:
    """The named colleague (swap) or anyone eligible (drop) takes the offer; the rules are checked
    now so a refusal comes early, and again when the manager approves."""
    request = _locked(swap_request)
    shift = request.shift
    _require_store(actor, shift.schedule.store_id)
    _require_status(request, R.OFFERED)
    if employee.store_id != shift.schedule.store_id:
        raise NotFound(_("No such swap request."))
    if request.kind == ShiftSwapRequest.Kind.SWAP and employee.pk != request.target_id:
        raise Forbidden(_("This swap is offered to someone else."))
    if employee.pk == shift.employee_id:
        raise DomainError(_("You cannot take your own shift."), code="own_shift")
    _require_future(shift)
    _check(shift, Employee.objects.select_for_update().get(pk=employee.pk))
    request.status, request.taker, request.accepted_at = R.ACCEPTED, employee, timezone.now()
    request.save(update_fields=["status", "taker", "accepted_at", "updated_at"])
    audit_record(
        actor=actor,
        instance=request,
        event="swap.accept",
        changes={"status": (R.OFFERED, R.ACCEPTED), "taker": (None, employee.pk)},
    )
    body = _("%(name)s will take %(shift)s; approval needed.") % {"name": employee.name, "shift": _label(shift)}
    _notify(store_managers(shift.schedule.store_id), _("Shift swap waiting for approval"), body, request)
    _notify([request.requested_by.user], _("Your shift offer was accepted"), body, request)
    return request


@transaction.atomic
def swap_request_approve(*, actor: User, swap_request: ShiftSwapRequest) -> ShiftSwapRequest:
    """A manager approves: the shift moves to the taker after the rule check (409 listing every
    broken rule when the taker may not work it)."""
    if not roles.can(actor, "approve", RESOURCE):
        raise Forbidden(_("Only a manager may do that."))
    request = _locked(swap_request)
    shift = request.shift
    _require_store(actor, shift.schedule.store_id)
    _require_status(request, R.ACCEPTED)
    _require_future(shift)
    taker = Employee.objects.select_for_update().get(pk=request.taker_id)
    _check(shift, taker)
    before = shift.employee_id
    shift.employee, shift.is_confirmed, shift.confirmed_at = taker, False, None
    shift.save(update_fields=["employee", "is_confirmed", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        instance=shift,
        event="shift.reassign",
        changes={"employee": (before, taker.pk)},
        swap=str(request.pk),
    )
    request.status, request.decided_by, request.decided_at = R.APPROVED, actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, instance=request, event="swap.approve", changes={"status": (R.ACCEPTED, R.APPROVED)})
    body = _("%(shift)s now belongs to %(name)s.") % {"shift": _label(shift), "name": taker.name}
    _notify([request.requested_by.user, taker.user], _("Shift swap approved"), body, request)
    return request


@transaction.atomic
def swap_request_reject(*, actor: User, swap_request: ShiftSwapRequest, reason: str = "") -> ShiftSwapRequest:
    """A manager refuses the offer; the shift stays with its employee."""
    if not roles.can(actor, "reject", RESOURCE):
        raise Forbidden(_("Only a manager may do that."))
    request = _locked(swap_request)
    _require_store(actor, request.shift.schedule.store_id)
    _require_status(request, R.OFFERED, R.ACCEPTED)
    before = request.status
    request.status, request.decided_by, request.decided_at = R.REJECTED, actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor, instance=request, event="swap.reject", changes={"status": (before, R.REJECTED)}, reason=reason
    )
    _notify(
        [request.requested_by.user, request.taker.user if request.taker else None],
        _("Shift swap rejected"),
        reason or _label(request.shift),
        request,
    )
    return request


@transaction.atomic
def swap_request_cancel(*, actor: User, swap_request: ShiftSwapRequest) -> ShiftSwapRequest:
    """The requester (or a manager) withdraws the offer before it is decided."""
    request = _locked(swap_request)
    _require_store(actor, request.shift.schedule.store_id)
    own = _own_employee(actor)
    if actor.role == roles.STAFF and (own is None or own.pk != request.requested_by_id):
        raise Forbidden(_("Only who offered the shift may withdraw the offer."))
    _require_status(request, R.OFFERED, R.ACCEPTED)
    before = request.status
    request.status = R.CANCELLED
    request.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, instance=request, event="swap.cancel", changes={"status": (before, R.CANCELLED)})
    others = [request.target.user if request.target else None, request.taker.user if request.taker else None]
    _notify(others, _("A shift offer was withdrawn"), _label(request.shift), request)
    return request
