"""The time clock's rules (attendance.services): punches, shift matching, early clock-ins, who
may punch for whom, manager edits with their reason and audit trail."""

import datetime as dt

import pytest

from attendance import services
from attendance.models import BreakPeriod, TimeEntry
from attendance.tests.conftest import NOW, make_shift
from stores.tests.factories import EmployeeFactory
from zhilian.audit import audit_entries
from zhilian.errors import DomainError, Forbidden, InvalidInput, NotFound

DAY = NOW.date()


def clock_in(employee, user, **kwargs):
    return services.time_entry_clock_in(employee=employee, user=user, **kwargs)


def test_full_day_of_punches(clock, worker, actors):
    shift = make_shift(worker, DAY, dt.time(10), dt.time(18))
    entry = clock_in(worker, actors.staff)
    assert entry.shift_id == shift.pk and entry.business_date == DAY and entry.is_open
    clock.advance(hours=3)
    services.time_entry_break_start(employee=worker, user=actors.staff)
    clock.advance(minutes=45)
    services.time_entry_break_end(employee=worker, user=actors.staff)
    clock.advance(hours=4, minutes=15)
    entry = services.time_entry_clock_out(employee=worker, user=actors.staff)
    # 10:00-18:00 with a 45 min break: 7 h 15 min worked.
    assert (entry.break_seconds, entry.worked_seconds) == (45 * 60, (7 * 60 + 15) * 60)
    assert entry.clocked_in_by == entry.clocked_out_by == actors.staff
    assert [e.additional_data["event"] for e in audit_entries(entry)][::-1] == [
        "attendance.clock_in",
        "attendance.break_start",
        "attendance.break_end",
        "attendance.clock_out",
    ]


def test_no_clock_in_while_clocked_in(clock, worker, actors):
    clock_in(worker, actors.staff)
    clock.advance(minutes=5)
    with pytest.raises(DomainError, match="already clocked in") as exc:
        clock_in(worker, actors.staff)
    assert exc.value.code == "already_clocked_in" and exc.value.status_code == 409
    assert TimeEntry.objects.filter(employee=worker).count() == 1


@pytest.mark.parametrize(
    "punch", [services.time_entry_break_start, services.time_entry_break_end, services.time_entry_clock_out]
)
def test_nothing_without_a_clock_in(clock, worker, actors, punch):
    with pytest.raises(DomainError, match="not clocked in") as exc:
        punch(employee=worker, user=actors.staff)
    assert exc.value.code == "not_clocked_in"


def test_no_break_end_without_break_start_and_no_second_break(clock, worker, actors):
    clock_in(worker, actors.staff)
    clock.advance(hours=1)
    with pytest.raises(DomainError, match="not on a break") as exc:
        services.time_entry_break_end(employee=worker, user=actors.staff)
    assert exc.value.code == "not_on_break"
    services.time_entry_break_start(employee=worker, user=actors.staff)
    with pytest.raises(DomainError, match="already on a break"):
        services.time_entry_break_start(employee=worker, user=actors.staff)
    assert BreakPeriod.objects.filter(entry__employee=worker).count() == 1


def test_clock_out_ends_the_open_break(clock, worker, actors):
    clock_in(worker, actors.staff)
    clock.advance(hours=4)
    services.time_entry_break_start(employee=worker, user=actors.staff)
    clock.advance(minutes=20)
    entry = services.time_entry_clock_out(employee=worker, user=actors.staff)
    assert entry.break_seconds == 20 * 60 and entry.worked_seconds == 4 * 3600
    assert not BreakPeriod.objects.filter(entry=entry, ended_at__isnull=True).exists()


def test_clock_in_matches_the_nearest_published_shift_or_none(clock, worker, actors):
    make_shift(worker, DAY, dt.time(6), dt.time(9, 30))  # over before the clock-in
    later = make_shift(worker, DAY, dt.time(10, 10), dt.time(14))
    make_shift(worker, DAY, dt.time(16), dt.time(22))  # starts too late to be this one
    assert clock_in(worker, actors.staff).shift_id == later.pk


def test_unpublished_and_far_shifts_leave_the_entry_unscheduled(clock, worker, actors):
    make_shift(worker, DAY, dt.time(10), dt.time(14), published=False)
    entry = clock_in(worker, actors.staff)
    assert entry.shift is None and entry.business_date == DAY


def test_early_clock_in_needs_a_manager(clock, worker, actors):
    # The store allows 15 minutes; the shift starts at 10:30, it is 10:00.
    shift = make_shift(worker, DAY, dt.time(10, 30), dt.time(18))
    with pytest.raises(DomainError, match="ask a manager") as exc:
        clock_in(worker, actors.staff)
    assert exc.value.code == "early_clock_in"
    with pytest.raises(InvalidInput) as missing:
        clock_in(worker, actors.manager)
    assert "reason" in missing.value.errors
    entry = clock_in(worker, actors.manager, reason="Delivery arrives early")
    assert entry.shift_id == shift.pk and entry.clocked_in_by == actors.manager
    assert entry.edit_reason == "Delivery arrives early"
    assert audit_entries(entry)[0].additional_data["reason"] == "Delivery arrives early"


def test_within_the_allowance_staff_clock_in_alone(clock, worker, actors):
    actors.store.early_clock_in_minutes = 30
    actors.store.save(update_fields=["early_clock_in_minutes"])
    make_shift(worker, DAY, dt.time(10, 30), dt.time(18))
    assert clock_in(worker, actors.staff).shift is not None


def test_staff_cannot_punch_for_someone_else_or_backdate(clock, worker, actors):
    colleague = EmployeeFactory(store=actors.store)
    with pytest.raises(Forbidden):
        clock_in(colleague, actors.staff)
    with pytest.raises(Forbidden):
        clock_in(worker, actors.staff, at=NOW - dt.timedelta(hours=1), reason="forgot")


def test_manager_punches_for_anyone_of_the_store_with_a_reason(clock, worker, actors):
    with pytest.raises(InvalidInput) as exc:
        clock_in(worker, actors.manager)
    assert exc.value.errors == {"reason": ["Say why you punch for someone else or at another time."]}
    entry = clock_in(worker, actors.manager, at=NOW - dt.timedelta(minutes=30), reason="Tablet was down")
    assert entry.clock_in_at == NOW - dt.timedelta(minutes=30)
    with pytest.raises(NotFound):
        clock_in(EmployeeFactory(store=actors.other_store), actors.manager, reason="not mine")


def test_no_punch_in_the_future(clock, worker, actors):
    with pytest.raises(InvalidInput) as exc:
        clock_in(worker, actors.manager, at=NOW + dt.timedelta(hours=1), reason="planned")
    assert "at" in exc.value.errors


def test_manager_edit_keeps_who_and_why(clock, worker, actors):
    entry = clock_in(worker, actors.staff)
    clock.advance(hours=8)
    with pytest.raises(InvalidInput) as exc:
        services.time_entry_update(time_entry=entry, user=actors.manager, clock_out_at=NOW + dt.timedelta(hours=7))
    assert "edit_reason" in exc.value.errors
    entry = services.time_entry_update(
        time_entry=entry,
        user=actors.manager,
        clock_out_at=NOW + dt.timedelta(hours=7),
        break_seconds=1800,
        edit_reason="Left at 17:00, forgot to clock out",
    )
    assert entry.worked_seconds == 6 * 3600 + 1800 and not entry.is_open
    log = audit_entries(entry)[0]
    assert log.actor == actors.manager and log.additional_data["event"] == "attendance.entry_edit"
    assert log.additional_data["reason"] == "Left at 17:00, forgot to clock out"
    assert log.changes["break_seconds"] == ["0", "1800"]


def test_manual_entry_cannot_overlap_another(clock, worker, actors):
    services.time_entry_create(
        employee=worker, clock_in_at=NOW - dt.timedelta(days=1, hours=2), clock_out_at=NOW - dt.timedelta(days=1),
        edit_reason="forgot the clock", user=actors.manager,
    )  # fmt: skip
    with pytest.raises(DomainError, match="overlaps") as exc:
        services.time_entry_create(
            employee=worker, clock_in_at=NOW - dt.timedelta(days=1, hours=1), clock_out_at=NOW - dt.timedelta(hours=20),
            edit_reason="again", user=actors.manager,
        )  # fmt: skip
    assert exc.value.code == "overlap"


def test_a_backdated_entry_cannot_swallow_a_later_one(clock, worker, actors):
    services.time_entry_create(
        employee=worker, clock_in_at=NOW - dt.timedelta(hours=3), clock_out_at=NOW - dt.timedelta(hours=2),
        edit_reason="morning prep", user=actors.manager,
    )  # fmt: skip
    clock_in(worker, actors.manager, at=NOW - dt.timedelta(hours=5), reason="came in at five")
    with pytest.raises(DomainError, match="overlaps"):
        services.time_entry_clock_out(employee=worker, user=actors.staff)
    entry = services.time_entry_clock_out(
        employee=worker, user=actors.manager, at=NOW - dt.timedelta(hours=4), reason="left before prep"
    )
    assert entry.worked_seconds == 3600
