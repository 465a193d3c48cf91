"""Time clock and timesheets: punches, manager edits, missed clock-outs, weekly approval.

Every function runs in one transaction, takes the acting `user`, raises the domain errors of
zhilian.errors and writes its audit entry (zhilian.audit). The rules:

- a staff member punches for themself, now; a manager (or admin) punches for anyone of a store
  they see, or at another moment, and must give a reason (400 without one);
- no clock-in while clocked in (the partial unique constraint `timeentry_one_open_per_employee`
  decides between concurrent clock-ins), no break or clock-out without a clock-in, no break end
  without a break start, no second break while on one; a clock-out ends an open break;
- a clock-in is matched to the employee's published shift nearest in start time among those
  that start at most `MATCH_BEFORE` later and have not ended, else recorded as unscheduled;
  one earlier than `Store.early_clock_in_minutes` before its shift needs a manager (409 for
  staff, a manager gives a reason);
- an approved week is locked: no punch, edit or recomputation touches it (409 `locked`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from attendance import overtime, selectors
from attendance.models import BreakPeriod, PublicHoliday, TimeEntry, Timesheet
from scheduling.models import Shift
from stores.models import Employee
from zhilian import roles
from zhilian.audit import CREATE, audit_record
from zhilian.dates import check_day
from zhilian.errors import DomainError, Forbidden, InvalidInput, Locked, NotFound

RESOURCE = "attendance.timeentry"
PUNCH = "punch"
PUNCH_FOR_OTHERS = "punch_for_others"
APPROVE = "approve"

CLOCK_IN, BREAK_START, BREAK_END, CLOCK_OUT = "clock_in", "break_start", "break_end", "clock_out"
PUNCH_KINDS = (CLOCK_IN, BREAK_START, BREAK_END, CLOCK_OUT)

# A clock-in is matched to a shift starting at most this much later (earlier ones still running).
MATCH_BEFORE = dt.timedelta(hours=4)
# An unscheduled entry nobody closed is closed this long after its clock-in (no store time set).
UNSCHEDULED_MAX = dt.timedelta(hours=12)
# A punch "now" from a device whose clock is a little ahead is still now.
CLOCK_SKEW = dt.timedelta(minutes=2)


# --- who may punch ------------------------------------------------------------------------------


def _authorize_punch(
    *, employee: Employee, user: User, at: dt.datetime | None, reason: str
) -> tuple[dt.datetime, bool]:
    """The moment of the punch and whether it is a manager's (who then owes a reason)."""
    now = timezone.now()
    if not roles.can(user, PUNCH, RESOURCE):
        raise Forbidden(_("You may not use the time clock."))
    manager = roles.can(user, PUNCH_FOR_OTHERS, RESOURCE)
    own = employee.user_id is not None and employee.user_id == user.pk
    if not own or at is not None:
        if not manager:
            raise Forbidden(_("Only a manager may punch for someone else or at another time."))
        if not Employee.objects.for_user(user).filter(pk=employee.pk).exists():
            raise NotFound(_("No such employee."))
        if not (reason or "").strip():
            raise InvalidInput({"reason": [_("Say why you punch for someone else or at another time.")]})
    if not employee.is_active:
        raise DomainError(_("%(name)s is not an active employee.") % {"name": employee.name}, code="inactive")
    moment = at or now
    if moment > now + CLOCK_SKEW:
        raise InvalidInput({"at": [_("A punch cannot be in the future.")]})
    return moment, manager


def _check_week_open(employee: Employee, day: dt.date) -> None:
    week = overtime.monday_of(day)
    if Timesheet.objects.filter(employee=employee, week_start=week, status=Timesheet.Status.APPROVED).exists():
        raise Locked(
            _("The timesheet of the week of %(week)s is approved; its punches are locked.") % {"week": week},
            code="locked",
        )


def _open_entry(employee: Employee) -> TimeEntry:
    entry = (
        TimeEntry.objects.select_for_update()
        .filter(employee=employee, clock_out_at__isnull=True)
        .order_by("clock_in_at")
        .first()
    )
    if entry is None:
        raise DomainError(_("%(name)s is not clocked in.") % {"name": employee.name}, code="not_clocked_in")
    return entry


def _not_before(moment: dt.datetime, earliest: dt.datetime, field: str = "at") -> None:
    if moment < earliest:
        raise InvalidInput({field: [_("The punch is before the one it follows.")]})


# --- matching a clock-in to the schedule -------------------------------------------------------


def match_shift(employee: Employee, moment: dt.datetime) -> Shift | None:
    """The employee's published shift nearest in start time to `moment` among those that start
    at most MATCH_BEFORE later and end after it; None: unscheduled."""
    candidates = Shift.objects.filter(
        employee=employee,
        schedule__is_published=True,
        starts_at__lte=moment + MATCH_BEFORE,
        ends_at__gt=moment,
    ).select_related("schedule")
    return min(candidates, key=lambda shift: (abs(shift.starts_at - moment), shift.starts_at), default=None)


# --- punches ------------------------------------------------------------------------------------


@transaction.atomic
def time_entry_clock_in(
    *, employee: Employee, user: User, at: dt.datetime | None = None, reason: str = ""
) -> TimeEntry:
    moment, by_manager = _authorize_punch(employee=employee, user=user, at=at, reason=reason)
    already = _("%(name)s is already clocked in.") % {"name": employee.name}
    if TimeEntry.objects.filter(employee=employee, clock_out_at__isnull=True).exists():
        raise DomainError(already, code="already_clocked_in")
    shift = match_shift(employee, moment)
    if shift is not None:
        early = shift.starts_at - moment
        allowance = dt.timedelta(minutes=employee.store.early_clock_in_minutes)
        if early > allowance:
            if not by_manager:
                raise DomainError(
                    _("More than %(minutes)s minutes before the shift starts at %(start)s: ask a manager.")
                    % {"minutes": employee.store.early_clock_in_minutes,
                       "start": timezone.localtime(shift.starts_at).strftime("%H:%M")},
                    code="early_clock_in",
                )  # fmt: skip
            if not (reason or "").strip():
                raise InvalidInput({"reason": [_("An early clock-in needs a reason.")]})
    day = shift.schedule.schedule_date if shift is not None else timezone.localdate(moment)
    check_day(day, "at")
    _check_week_open(employee, day)
    if TimeEntry.objects.filter(employee=employee, clock_in_at__lte=moment, clock_out_at__gt=moment).exists():
        raise DomainError(_("That moment is inside another time entry."), code="overlap")
    try:
        with transaction.atomic():
            entry = TimeEntry.objects.create(
                store_id=employee.store_id,
                employee=employee,
                shift=shift,
                business_date=day,
                clock_in_at=moment,
                clocked_in_by=user,
                edit_reason=(reason or "").strip() if by_manager else "",
            )
    except IntegrityError as exc:
        # A concurrent clock-in of the same employee committed first.
        raise DomainError(already, code="already_clocked_in") from exc
    audit_record(
        actor=user,
        instance=entry,
        event="attendance.clock_in",
        action=CREATE,
        shift=str(shift.pk) if shift else None,
        reason=reason or None,
    )
    return entry


@transaction.atomic
def time_entry_break_start(
    *, employee: Employee, user: User, at: dt.datetime | None = None, reason: str = ""
) -> TimeEntry:
    moment, _manager = _authorize_punch(employee=employee, user=user, at=at, reason=reason)
    entry = _open_entry(employee)
    _check_week_open(employee, entry.business_date)
    last_end = entry.breaks.filter(ended_at__isnull=False).order_by("-ended_at").values_list("ended_at", flat=True)
    _not_before(moment, max([entry.clock_in_at, *last_end[:1]]))
    try:
        with transaction.atomic():
            BreakPeriod.objects.create(entry=entry, started_at=moment)
    except IntegrityError as exc:
        raise DomainError(_("%(name)s is already on a break.") % {"name": employee.name}, code="on_break") from exc
    audit_record(actor=user, instance=entry, event="attendance.break_start", at=moment.isoformat(),
                 reason=reason or None)  # fmt: skip
    return entry


def _end_break(entry: TimeEntry, moment: dt.datetime) -> BreakPeriod | None:
    open_break = entry.breaks.select_for_update().filter(ended_at__isnull=True).first()
    if open_break is None:
        return None
    _not_before(moment, open_break.started_at)
    open_break.ended_at = moment
    open_break.save(update_fields=["ended_at", "updated_at"])
    entry.break_seconds += int((moment - open_break.started_at).total_seconds())
    return open_break


@transaction.atomic
def time_entry_break_end(
    *, employee: Employee, user: User, at: dt.datetime | None = None, reason: str = ""
) -> TimeEntry:
    moment, _manager = _authorize_punch(employee=employee, user=user, at=at, reason=reason)
    entry = _open_entry(employee)
    _check_week_open(employee, entry.business_date)
    if _end_break(entry, moment) is None:
        raise DomainError(_("%(name)s is not on a break.") % {"name": employee.name}, code="not_on_break")
    entry.save(update_fields=["break_seconds", "updated_at"])
    audit_record(actor=user, instance=entry, event="attendance.break_end", at=moment.isoformat(),
                 reason=reason or None)  # fmt: skip
    return entry


def _close(entry: TimeEntry, moment: dt.datetime) -> None:
    _not_before(moment, entry.clock_in_at)
    _end_break(entry, moment)
    entry.clock_out_at = moment
    entry.worked_seconds = worked_seconds(entry.clock_in_at, moment, entry.break_seconds)


def worked_seconds(clock_in: dt.datetime, clock_out: dt.datetime, break_seconds: int) -> int:
    return max(0, int((clock_out - clock_in).total_seconds()) - break_seconds)


@transaction.atomic
def time_entry_clock_out(
    *, employee: Employee, user: User, at: dt.datetime | None = None, reason: str = ""
) -> TimeEntry:
    moment, by_manager = _authorize_punch(employee=employee, user=user, at=at, reason=reason)
    entry = _open_entry(employee)
    _check_week_open(employee, entry.business_date)
    # A backdated clock-in may precede another entry: the closed one must not span it.
    _check_no_overlap(employee, entry.clock_in_at, moment, exclude=entry.pk)
    _close(entry, moment)
    entry.clocked_out_by = user
    fields = ["clock_out_at", "worked_seconds", "break_seconds", "clocked_out_by", "updated_at"]
    if by_manager and reason:
        entry.edit_reason = reason.strip()
        fields.append("edit_reason")
    entry.save(update_fields=fields)
    audit_record(actor=user, instance=entry, event="attendance.clock_out", at=moment.isoformat(),
                 worked_seconds=entry.worked_seconds, reason=reason or None)  # fmt: skip
    return entry


PUNCHES = {
    CLOCK_IN: time_entry_clock_in,
    BREAK_START: time_entry_break_start,
    BREAK_END: time_entry_break_end,
    CLOCK_OUT: time_entry_clock_out,
}


def time_entry_punch(
    *, kind: str, employee: Employee, user: User, at: dt.datetime | None = None, reason: str = ""
) -> TimeEntry:
    """One of the four punches by name (the API's punch endpoints)."""
    if kind not in PUNCHES:
        raise InvalidInput({"kind": [_("Choose one of: %s.") % ", ".join(PUNCH_KINDS)]})
    return PUNCHES[kind](employee=employee, user=user, at=at, reason=reason)


# --- manager edits ------------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"edit_reason": [_("Say why the time entry is changed.")]})
    return reason


def _check_no_overlap(employee: Employee, start: dt.datetime, end: dt.datetime | None, exclude=None) -> None:
    others = TimeEntry.objects.filter(employee=employee).exclude(pk=exclude)
    clash = others.filter(Q(clock_out_at__isnull=True) | Q(clock_out_at__gt=start))
    if end is not None:
        clash = clash.filter(clock_in_at__lt=end)
    if clash.exists():
        raise DomainError(_("The entry overlaps another time entry of %(name)s.") % {"name": employee.name},
                          code="overlap")  # fmt: skip


@transaction.atomic
def time_entry_create(
    *,
    employee: Employee,
    clock_in_at: dt.datetime,
    clock_out_at: dt.datetime,
    edit_reason: str,
    user: User,
    break_seconds: int = 0,
    shift: Shift | None = None,
    notes: str = "",
    **_ignored: Any,
) -> TimeEntry:
    """A whole entry a manager adds after the fact (a forgotten clock-in), with its reason."""
    reason = _require_reason(edit_reason)
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if clock_out_at < clock_in_at:
        raise InvalidInput({"clock_out_at": [_("The clock-out is before the clock-in.")]})
    if clock_out_at > timezone.now() + CLOCK_SKEW:
        raise InvalidInput({"clock_out_at": [_("A punch cannot be in the future.")]})
    if shift is not None and shift.employee_id != employee.pk:
        raise InvalidInput({"shift": [_("The shift is someone else's.")]})
    shift = shift or match_shift(employee, clock_in_at)
    day = shift.schedule.schedule_date if shift is not None else timezone.localdate(clock_in_at)
    check_day(day, "clock_in_at")
    _check_week_open(employee, day)
    _check_no_overlap(employee, clock_in_at, clock_out_at)
    if break_seconds > (clock_out_at - clock_in_at).total_seconds():
        raise InvalidInput({"break_seconds": [_("The breaks are longer than the entry.")]})
    entry = TimeEntry.objects.create(
        store_id=employee.store_id,
        employee=employee,
        shift=shift,
        business_date=day,
        clock_in_at=clock_in_at,
        clock_out_at=clock_out_at,
        break_seconds=break_seconds,
        worked_seconds=worked_seconds(clock_in_at, clock_out_at, break_seconds),
        clocked_in_by=user,
        clocked_out_by=user,
        edit_reason=reason,
        notes=notes,
    )
    audit_record(actor=user, instance=entry, event="attendance.entry_create", action=CREATE, reason=reason)
    return entry


EDITABLE = ("clock_in_at", "clock_out_at", "break_seconds", "shift", "notes")


@transaction.atomic
def time_entry_update(*, time_entry: TimeEntry, user: User, edit_reason: str = "", **changes: Any) -> TimeEntry:
    """A manager's correction: times, breaks, the matched shift, notes; always with a reason,
    kept on the entry and in its audit trail. It also marks the entry reviewed."""
    reason = _require_reason(edit_reason)
    entry = TimeEntry.objects.select_for_update().select_related("employee").get(pk=time_entry.pk)
    _check_week_open(entry.employee, entry.business_date)
    audited = {}
    for key in EDITABLE:
        if key in changes and getattr(entry, key) != changes[key]:
            audited[key] = (getattr(entry, key), changes[key])
            setattr(entry, key, changes[key])
    if entry.shift is not None and entry.shift.employee_id != entry.employee_id:
        raise InvalidInput({"shift": [_("The shift is someone else's.")]})
    if "clock_in_at" in audited or "shift" in audited:
        entry.business_date = (
            entry.shift.schedule.schedule_date if entry.shift is not None else timezone.localdate(entry.clock_in_at)
        )
        check_day(entry.business_date, "clock_in_at")
        _check_week_open(entry.employee, entry.business_date)
    if entry.clock_in_at > timezone.now() + CLOCK_SKEW:
        raise InvalidInput({"clock_in_at": [_("A punch cannot be in the future.")]})
    if entry.clock_out_at is not None:
        if entry.clock_out_at < entry.clock_in_at:
            raise InvalidInput({"clock_out_at": [_("The clock-out is before the clock-in.")]})
        if entry.clock_out_at > timezone.now() + CLOCK_SKEW:
            raise InvalidInput({"clock_out_at": [_("A punch cannot be in the future.")]})
        if entry.break_seconds > (entry.clock_out_at - entry.clock_in_at).total_seconds():
            raise InvalidInput({"break_seconds": [_("The breaks are longer than the entry.")]})
        if "clock_out_at" in audited and audited["clock_out_at"][0] is None:
            # Closing a forgotten entry: an open break ends with it.
            open_break = entry.breaks.filter(ended_at__isnull=True).first()
            if open_break is not None:
                open_break.ended_at = max(open_break.started_at, entry.clock_out_at)
                open_break.save(update_fields=["ended_at", "updated_at"])
                if "break_seconds" not in changes:
                    entry.break_seconds += int((open_break.ended_at - open_break.started_at).total_seconds())
            entry.clocked_out_by = user
        entry.worked_seconds = worked_seconds(entry.clock_in_at, entry.clock_out_at, entry.break_seconds)
    elif "clock_out_at" in changes:
        raise InvalidInput({"clock_out_at": [_("A closed entry cannot be opened again.")]})
    _check_no_overlap(entry.employee, entry.clock_in_at, entry.clock_out_at, exclude=entry.pk)
    if entry.needs_review:
        audited["needs_review"] = (True, False)
    entry.needs_review = False
    # The reason is part of the change (so the admin's History shows why beside what).
    audited["edit_reason"] = (entry.edit_reason, reason)
    entry.edit_reason = reason
    entry.save()
    audit_record(actor=user, instance=entry, event="attendance.entry_edit", changes=audited, reason=reason)
    return entry


# --- missed clock-outs --------------------------------------------------------------------------


def missed_clock_out(entry: TimeEntry) -> tuple[dt.datetime, dt.datetime]:
    """(deadline, moment to close at) of an open entry.

    The deadline is the store's `auto_clock_out_time` first reached after the clock-in, else the
    shift's end plus `auto_clock_out_after_hours`, else (unscheduled) the clock-in plus
    UNSCHEDULED_MAX. The entry is closed at its shift's end when that comes before the deadline
    (nobody is paid for hours they probably went home in), else at the deadline.
    """
    store = entry.store
    if store.auto_clock_out_time is not None:
        tz = timezone.get_current_timezone()
        deadline = timezone.make_aware(dt.datetime.combine(entry.business_date, store.auto_clock_out_time), tz)
        while deadline <= entry.clock_in_at:
            deadline += dt.timedelta(days=1)
    elif entry.shift is not None:
        deadline = max(entry.shift.ends_at, entry.clock_in_at) + dt.timedelta(hours=store.auto_clock_out_after_hours)
    else:
        deadline = entry.clock_in_at + UNSCHEDULED_MAX
    close_at = deadline
    if entry.shift is not None and entry.clock_in_at < entry.shift.ends_at < deadline:
        close_at = entry.shift.ends_at
    return deadline, close_at


def time_entries_close_missed(*, now: dt.datetime | None = None, user: User | None = None) -> list[TimeEntry]:
    """Close every entry still open past its deadline and flag it for review. Idempotent: a
    closed entry is never touched again; each entry is closed in its own transaction, locked."""
    now = now or timezone.now()
    closed = []
    candidates = TimeEntry.objects.filter(clock_out_at__isnull=True, clock_in_at__lt=now).select_related(
        "store", "shift"
    )
    for candidate in candidates.order_by("clock_in_at", "pk"):
        deadline, close_at = missed_clock_out(candidate)
        if deadline > now:
            continue
        with transaction.atomic():
            entry = (
                TimeEntry.objects.select_for_update(of=("self",))
                .select_related("store", "shift")
                .filter(pk=candidate.pk, clock_out_at__isnull=True)
                .first()
            )
            if entry is None:  # clocked out meanwhile
                continue
            open_break = entry.breaks.filter(ended_at__isnull=True).first()
            if open_break is not None and open_break.started_at > close_at:
                close_at = open_break.started_at
            _close(entry, close_at)
            entry.auto_closed = True
            entry.needs_review = True
            entry.save()
            audit_record(actor=user, instance=entry, event="attendance.auto_clock_out",
                         at=close_at.isoformat(), deadline=deadline.isoformat())  # fmt: skip
        closed.append(entry)
    return closed


# --- timesheets ---------------------------------------------------------------------------------


def _check_week_start(week_start: dt.date) -> None:
    check_day(week_start, "week_start")
    if week_start.weekday() != 0:
        raise InvalidInput({"week_start": [_("A week starts on a Monday.")]})


def _fill(timesheet: Timesheet) -> None:
    employee = timesheet.employee
    week = selectors.timesheet_week(employee, timesheet.week_start)
    rules = selectors.overtime_rules(employee)
    timesheet.store_id = employee.store_id
    timesheet.worked_minutes = week.worked
    timesheet.regular_minutes = week.regular
    timesheet.overtime_workday_minutes = week.overtime_workday
    timesheet.overtime_rest_day_minutes = week.overtime_rest_day
    timesheet.overtime_holiday_minutes = week.overtime_holiday
    timesheet.hourly_wage_cents = employee.hourly_wage_cents
    timesheet.gross_pay_cents = week.pay_cents(employee.hourly_wage_cents, rules)
    timesheet.days = [day.as_dict() for day in week.days]


@transaction.atomic
def timesheet_compute(*, employee: Employee, week_start: dt.date, user: User | None = None) -> Timesheet:
    """The employee's week computed from its entries (a draft, made or refreshed); 409 once approved."""
    _check_week_start(week_start)
    # One writer per employee: the check below and the insert cannot race.
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    timesheet = Timesheet.objects.filter(employee=employee, week_start=week_start).first()
    if timesheet is not None and timesheet.status == Timesheet.Status.APPROVED:
        raise Locked(_("The timesheet is approved; it no longer changes."), code="locked")
    created = timesheet is None
    timesheet = timesheet or Timesheet(employee=employee, week_start=week_start)
    timesheet.employee = employee
    _fill(timesheet)
    timesheet.save()
    if created:
        audit_record(actor=user, instance=timesheet, event="timesheet.create", action=CREATE)
    return timesheet


@transaction.atomic
def timesheet_approve(*, timesheet: Timesheet, user: User) -> Timesheet:
    """Approve the week as computed now; from then on its punches are locked."""
    timesheet = Timesheet.objects.select_for_update().select_related("employee").get(pk=timesheet.pk)
    if timesheet.status == Timesheet.Status.APPROVED:
        raise Locked(_("The timesheet is already approved."), code="locked")
    entries = TimeEntry.objects.filter(
        employee=timesheet.employee, business_date__range=(timesheet.week_start, timesheet.week_end)
    )
    if entries.filter(clock_out_at__isnull=True).exists():
        raise DomainError(_("An entry of the week is still open: clock it out first."), code="open_entries")
    pending = entries.filter(needs_review=True).count()
    if pending:
        raise DomainError(
            _("%(count)s entries of the week need review (closed automatically).") % {"count": pending},
            code="needs_review",
        )
    _fill(timesheet)
    timesheet.status = Timesheet.Status.APPROVED
    timesheet.approved_by = user
    timesheet.approved_at = timezone.now()
    timesheet.save()
    audit_record(actor=user, instance=timesheet, event="timesheet.approve",
                 changes={"status": (Timesheet.Status.DRAFT, Timesheet.Status.APPROVED)},
                 regular_minutes=timesheet.regular_minutes, gross_pay_cents=timesheet.gross_pay_cents)  # fmt: skip
    return timesheet


# --- the holiday calendar -----------------------------------------------------------------------


@transaction.atomic
def public_holidays_load(*, rows: list[dict], user: User | None = None) -> tuple[int, int]:
    """Upsert calendar days ({"date", "name", "kind"}); returns (created, updated)."""
    kinds = set(PublicHoliday.Kind.values)
    created = updated = 0
    for row in rows:
        try:
            day = dt.date.fromisoformat(str(row["date"]))
            name, kind = str(row["name"])[:60], row.get("kind", PublicHoliday.Kind.HOLIDAY)
        except (KeyError, ValueError) as exc:
            raise InvalidInput({"rows": [_("Each day needs an ISO date and a name: %s") % row]}) from exc
        if kind not in kinds:
            raise InvalidInput({"rows": [_("Unknown kind %(kind)s on %(date)s.") % {"kind": kind, "date": day}]})
        check_day(day, "date")
        _obj, was_created = PublicHoliday.objects.update_or_create(date=day, defaults={"name": name, "kind": kind})
        created += was_created
        updated += not was_created
    return created, updated
