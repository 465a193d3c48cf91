"""Open shifts: unfilled demand that eligible staff claim (first claim wins), optionally approved by
a manager. Generation turns its gaps into open shifts (`open_shifts_sync_gaps`, idempotent).

Lock order, the same as generation and manual edits: the schedule, then the open shift, then the
employee; so a claim never deadlocks with a regeneration of the same day."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create, store_managers
from scheduling.demand import shift_type_for
from scheduling.models import OpenShift, Schedule, Shift
from scheduling.services import edits
from scheduling.services.eligibility import require_eligible
from stores.models import Employee
from zhilian import roles
from zhilian.audit import CREATE, audit_record
from zhilian.errors import Forbidden, InvalidInput, InvalidTransition, Locked, NotFound, Unavailable
from zhilian.models import in_store_scope

S = OpenShift.Status


def _notify(recipients: Iterable[User], title: str, body: str, open_shift: OpenShift) -> None:
    """After commit, so a rolled-back claim tells nobody anything."""
    recipients = [u for u in recipients if u is not None]
    store_id = open_shift.schedule.store_id
    data = {"open_shift": str(open_shift.pk), "date": open_shift.schedule.schedule_date.isoformat()}
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


def _label(open_shift: OpenShift) -> str:
    day = open_shift.schedule.schedule_date
    return f"{day} {open_shift.start_time:%H:%M}–{open_shift.end_time:%H:%M} {open_shift.position}"


def _locked(open_shift: OpenShift) -> OpenShift:
    Schedule.objects.select_for_update().get(pk=open_shift.schedule_id)
    return OpenShift.objects.select_for_update(of=("self",)).select_related("schedule").get(pk=open_shift.pk)


def _require_store(actor: User, open_shift: OpenShift) -> None:
    if not in_store_scope(actor, open_shift.schedule.store_id):
        raise NotFound(_("No such open shift."))


def _require_manager(actor: User, action: str) -> None:
    if not roles.can(actor, action, "scheduling.openshift"):
        raise Forbidden(_("Only a manager may do that."))


def _require_status(open_shift: OpenShift, *allowed: str) -> None:
    if open_shift.status not in allowed:
        raise InvalidTransition(
            _("The open shift is %(status)s.") % {"status": open_shift.get_status_display()},
            code="open_shift_" + open_shift.status,
            allowed=list(allowed),
        )


def _shift_from(open_shift: OpenShift, employee: Employee, actor: User | None) -> Shift:
    """The Shift an open shift becomes. A draft day goes through the manual `shift_create`; a
    published day is frozen for manual edits, so the shift is added here after the same check."""
    schedule = open_shift.schedule
    kwargs = {
        "start_time": open_shift.start_time,
        "end_time": open_shift.end_time,
        "shift_type": open_shift.shift_type,
        "position": open_shift.position,
    }
    if not schedule.is_published:
        return edits.shift_create(schedule=schedule, employee=employee, user=actor, notes=_("open shift"), **kwargs)
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    require_eligible(
        schedule=schedule,
        employee=employee,
        position=open_shift.position,
        required_skills=open_shift.required_skills,
        start_time=open_shift.start_time,
        end_time=open_shift.end_time,
    )
    shift = Shift(schedule=schedule, employee=employee, notes=_("open shift"), **kwargs)
    shift.save()
    audit_record(
        actor=actor,
        instance=shift,
        event="shift.create",
        action=CREATE,
        changes={
            "employee": (None, employee.pk),
            "start_time": (None, shift.start_time),
            "end_time": (None, shift.end_time),
        },
        open_shift=str(open_shift.pk),
    )
    return shift


def _check(open_shift: OpenShift, employee: Employee) -> None:
    require_eligible(
        schedule=open_shift.schedule,
        employee=employee,
        position=open_shift.position,
        required_skills=open_shift.required_skills,
        start_time=open_shift.start_time,
        end_time=open_shift.end_time,
    )


@transaction.atomic
def open_shift_create(
    *,
    actor: User | None,
    schedule: Schedule,
    position: str,
    start_time: dt.time,
    end_time: dt.time,
    required_skills: list[str] | None = None,
    requires_approval: bool = False,
    shift_type: str = "",
    notes: str = "",
    source: str = OpenShift.Source.MANUAL,
) -> OpenShift:
    """A manager posts a shift for anyone eligible to claim."""
    if start_time == end_time:
        raise InvalidInput({"end_time": _("A shift cannot end when it starts.")})
    if position not in Employee.Position.values:
        raise InvalidInput({"position": _("Unknown position.")})
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    open_shift = OpenShift(
        schedule=schedule,
        position=position,
        required_skills=list(required_skills or []),
        shift_type=shift_type or shift_type_for(start_time),
        start_time=start_time,
        end_time=end_time,
        requires_approval=requires_approval,
        notes=notes,
        source=source,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    open_shift.save()
    audit_record(actor=actor, instance=open_shift, event="open_shift.create", action=CREATE, source=source)
    return open_shift


@transaction.atomic
def open_shift_claim(*, actor: User, open_shift: OpenShift, employee: Employee) -> OpenShift:
    """`employee` takes the open shift: the first claim wins (the row is locked and must still be
    open), the loser gets 409. With approval required it waits for a manager; otherwise the shift
    is created now, through the same rule check as a manual edit."""
    open_shift = _locked(open_shift)
    _require_store(actor, open_shift)
    if employee.store_id != open_shift.schedule.store_id:
        raise NotFound(_("No such open shift."))
    if open_shift.status != S.OPEN:
        raise Unavailable(_("Someone else has already claimed this shift."), code="open_shift_taken")
    if open_shift.starts_at <= timezone.now():
        raise Locked(_("The shift has already started."), code="open_shift_started")
    _check(open_shift, employee)
    now = timezone.now()
    open_shift.claimed_by, open_shift.claimed_at = employee, now
    if open_shift.requires_approval:
        open_shift.status = S.PENDING_APPROVAL
        _notify(
            store_managers(open_shift.schedule.store_id),
            _("Open shift claimed: approval needed"),
            _("%(name)s claimed %(shift)s.") % {"name": employee.name, "shift": _label(open_shift)},
            open_shift,
        )
    else:
        open_shift.shift = _shift_from(open_shift, employee, actor)
        open_shift.status = S.FILLED
        _notify(
            store_managers(open_shift.schedule.store_id),
            _("Open shift filled"),
            _("%(name)s took %(shift)s.") % {"name": employee.name, "shift": _label(open_shift)},
            open_shift,
        )
    open_shift.save()
    audit_record(
        actor=actor,
        instance=open_shift,
        event="open_shift.claim",
        changes={"status": (S.OPEN, open_shift.status), "claimed_by": (None, employee.pk)},
    )
    return open_shift


@transaction.atomic
def open_shift_approve(*, actor: User, open_shift: OpenShift) -> OpenShift:
    """A manager approves a pending claim: the shift is created (rules checked again: a lot may
    have changed since the claim); a refusal leaves the claim pending."""
    _require_manager(actor, "approve")
    open_shift = _locked(open_shift)
    _require_store(actor, open_shift)
    _require_status(open_shift, S.PENDING_APPROVAL)
    employee = open_shift.claimed_by
    open_shift.shift = _shift_from(open_shift, employee, actor)
    open_shift.status, open_shift.decided_by, open_shift.decided_at = S.FILLED, actor, timezone.now()
    open_shift.save()
    audit_record(
        actor=actor, instance=open_shift, event="open_shift.approve", changes={"status": (S.PENDING_APPROVAL, S.FILLED)}
    )
    _notify(
        [employee.user],
        _("Your open-shift claim was approved"),
        _("You work %(shift)s.") % {"shift": _label(open_shift)},
        open_shift,
    )
    return open_shift


@transaction.atomic
def open_shift_reject(*, actor: User, open_shift: OpenShift, reason: str = "") -> OpenShift:
    """A manager rejects a pending claim: the shift is open again for anyone."""
    _require_manager(actor, "reject")
    open_shift = _locked(open_shift)
    _require_store(actor, open_shift)
    _require_status(open_shift, S.PENDING_APPROVAL)
    employee = open_shift.claimed_by
    open_shift.status, open_shift.claimed_by, open_shift.claimed_at = S.OPEN, None, None
    open_shift.decided_by, open_shift.decided_at = actor, timezone.now()
    open_shift.save()
    audit_record(
        actor=actor,
        instance=open_shift,
        event="open_shift.reject",
        changes={"status": (S.PENDING_APPROVAL, S.OPEN), "claimed_by": (employee.pk, None)},
        reason=reason,
    )
    _notify(
        [employee.user],
        _("Your open-shift claim was rejected"),
        reason or _("%(shift)s is open again.") % {"shift": _label(open_shift)},
        open_shift,
    )
    return open_shift


@transaction.atomic
def open_shift_cancel(*, actor: User | None, open_shift: OpenShift, reason: str = "") -> OpenShift:
    """A manager withdraws an open (or pending) shift; a pending claimer is told."""
    if actor is not None:
        _require_manager(actor, "cancel")
    open_shift = _locked(open_shift)
    if actor is not None:
        _require_store(actor, open_shift)
    _require_status(open_shift, S.OPEN, S.PENDING_APPROVAL)
    before, employee = open_shift.status, open_shift.claimed_by
    open_shift.status, open_shift.decided_by, open_shift.decided_at = S.CANCELLED, actor, timezone.now()
    open_shift.save()
    audit_record(
        actor=actor,
        instance=open_shift,
        event="open_shift.cancel",
        changes={"status": (before, S.CANCELLED)},
        reason=reason,
    )
    if employee is not None:
        _notify([employee.user], _("An open shift you claimed was withdrawn"), _label(open_shift), open_shift)
    return open_shift


def _gap_key(position: str, start: dt.time, end: dt.time) -> tuple[str, dt.time, dt.time]:
    return position, start, end


def open_shifts_sync_gaps(
    *, schedule: Schedule, gaps: list[dict[str, Any]], actor: User | None = None
) -> list[OpenShift]:
    """Make the generated open shifts of `schedule` match its gaps: one open shift per missing head.

    Idempotent: a re-run with the same gaps changes nothing. Unclaimed generated rows beyond the
    gaps are deleted; claims pending approval count towards their gap and are kept. The caller holds
    the schedule's lock (generation)."""
    wanted: Counter = Counter()
    for gap in gaps:
        missing = max(int(gap.get("needed", 0)) - int(gap.get("filled", 0)), 0)
        if missing and gap.get("start") and gap.get("end"):
            wanted[
                _gap_key(gap["position"], dt.time.fromisoformat(gap["start"]), dt.time.fromisoformat(gap["end"]))
            ] += missing
    existing = list(
        OpenShift.objects.filter(
            schedule=schedule, source=OpenShift.Source.GENERATED, status__in=[S.OPEN, S.PENDING_APPROVAL]
        ).order_by("status", "created_at")
    )
    have: Counter = Counter()
    doomed = []
    for row in existing:
        key = _gap_key(row.position, row.start_time, row.end_time)
        if have[key] < wanted[key] or row.status == S.PENDING_APPROVAL:
            have[key] += 1
        else:
            doomed.append(row.pk)
    if doomed:
        OpenShift.objects.filter(pk__in=doomed, status=S.OPEN).delete()
    created = []
    for (position, start, end), count in sorted(wanted.items()):
        for _i in range(count - have[(position, start, end)]):
            row = OpenShift(
                schedule=schedule,
                position=position,
                shift_type=shift_type_for(start),
                start_time=start,
                end_time=end,
                source=OpenShift.Source.GENERATED,
                notes=_("unfilled demand"),
            )
            row.save()
            created.append(row)
    if created or doomed:
        audit_record(
            actor=actor, instance=schedule, event="open_shift.sync_gaps", created=len(created), removed=len(doomed)
        )
    return created
