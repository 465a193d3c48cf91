"""Missed clock-outs, shift actuals, timesheets from entries (calendar included), approval and its lock."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from attendance import selectors, services
from attendance.models import PublicHoliday, TimeEntry, Timesheet
from attendance.tests.conftest import NOW, make_shift
from attendance.tests.factories import TimeEntryFactory, local
from zhilian.audit import audit_entries
from zhilian.errors import DomainError, InvalidInput, Locked

DAY = NOW.date()


# --- missed clock-outs ------------------------------------------------------------------------


def test_missed_clock_out_closes_at_shift_end_after_the_deadline(clock, worker, actors):
    make_shift(worker, DAY, dt.time(10), dt.time(18))
    entry = services.time_entry_clock_in(employee=worker, user=actors.staff)
    # The store's default: 4 h after the shift's end (18:00 + 4 h = 22:00).
    clock.set(local(DAY, 21, 59))
    assert services.time_entries_close_missed() == []
    clock.set(local(DAY, 22, 0))
    [closed] = services.time_entries_close_missed()
    assert closed.pk == entry.pk
    entry.refresh_from_db()
    assert entry.clock_out_at == local(DAY, 18) and entry.worked_seconds == 8 * 3600
    assert entry.auto_closed and entry.needs_review
    assert audit_entries(entry)[0].additional_data["event"] == "attendance.auto_clock_out"
    # Idempotent: nothing left to close, nothing changes.
    clock.advance(hours=3)
    assert services.time_entries_close_missed() == []
    assert TimeEntry.objects.get(pk=entry.pk).clock_out_at == local(DAY, 18)


def test_store_time_closes_unscheduled_entries_and_open_breaks(clock, worker, actors):
    actors.store.auto_clock_out_time = dt.time(23, 30)
    actors.store.save(update_fields=["auto_clock_out_time"])
    services.time_entry_clock_in(employee=worker, user=actors.staff)
    clock.advance(hours=2)
    services.time_entry_break_start(employee=worker, user=actors.staff)
    clock.set(local(DAY, 23, 30))
    out = io.StringIO()
    call_command("close_missed_clockouts", stdout=out)
    assert "missed clock-outs closed: 1" in out.getvalue()
    entry = TimeEntry.objects.get(employee=worker)
    # 10:00 to 23:30 with the break open since 12:00: 2 h worked, 11.5 h of break.
    assert entry.clock_out_at == local(DAY, 23, 30)
    assert entry.worked_seconds == 2 * 3600 and entry.needs_review


# --- actuals per shift ------------------------------------------------------------------------


def test_shift_actuals(clock, worker, actors):
    from stores.tests.factories import EmployeeFactory

    late = make_shift(worker, DAY - dt.timedelta(days=1), dt.time(9), dt.time(17))
    absent = EmployeeFactory(store=actors.store)
    no_show = make_shift(absent, DAY - dt.timedelta(days=1), dt.time(9), dt.time(17))
    upcoming = make_shift(absent, DAY + dt.timedelta(days=1), dt.time(9), dt.time(17))
    # In at 09:12, a 30 min break, out at 16:40: 12 min late, 20 min early, 7 h worked.
    TimeEntryFactory(
        employee=worker, shift=late, business_date=late.schedule.schedule_date,
        clock_in_at=local(late.schedule.schedule_date, 9, 12), clock_out_at=local(late.schedule.schedule_date, 16, 40),
        break_seconds=1800,
    )  # fmt: skip
    rows = {
        r["shift"]: r
        for r in selectors.shift_actuals_rows(actors.store, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    }
    row = rows[str(late.pk)]
    assert row["late_minutes"] == 12 and row["early_leave_minutes"] == 20
    assert row["break_minutes"] == 30 and row["worked_hours"] == pytest.approx(6.97, abs=0.01)
    assert row["actual_start"] == local(late.schedule.schedule_date, 9, 12) and not row["no_show"]
    assert rows[str(no_show.pk)]["no_show"] is True and rows[str(no_show.pk)]["late_minutes"] == 0
    assert rows[str(upcoming.pk)]["no_show"] is False  # not over yet


# --- timesheets from entries ---------------------------------------------------------------------


def _work(employee, day, start_hour, hours, break_minutes=0):
    start = local(day, start_hour)
    end = start + dt.timedelta(hours=hours, minutes=break_minutes)
    return TimeEntryFactory(employee=employee, business_date=day, clock_in_at=start, clock_out_at=end,
                            break_seconds=break_minutes * 60)  # fmt: skip


def test_timesheet_of_a_holiday_week_from_entries_and_the_loaded_calendar(clock, worker, actors):
    call_command("load_public_holidays", "--year", "2026", stdout=io.StringIO())
    assert PublicHoliday.objects.get(date=dt.date(2026, 10, 1)).kind == "holiday"
    monday = dt.date(2026, 9, 28)
    for offset, hours in {0: 8, 1: 8, 2: 9, 3: 8, 4: 6, 6: 4}.items():
        _work(worker, monday + dt.timedelta(days=offset), 9, hours, break_minutes=60)
    sheet = services.timesheet_compute(employee=worker, week_start=monday, user=actors.manager)
    # The hand-worked week of test_overtime.test_week_with_statutory_holidays_worked.
    assert (sheet.regular_minutes, sheet.overtime_workday_minutes) == (24 * 60, 60)
    assert (sheet.overtime_holiday_minutes, sheet.overtime_rest_day_minutes) == (14 * 60, 4 * 60)
    assert sheet.gross_pay_cents == 1_887_50 and sheet.status == "draft"
    assert sheet.days[3] == {
        "date": "2026-10-01", "kind": "holiday", "worked_minutes": 480, "regular_minutes": 0,
        "overtime_workday_minutes": 0, "overtime_rest_day_minutes": 0, "overtime_holiday_minutes": 480,
    }  # fmt: skip


def test_week_must_start_on_monday(worker, actors):
    with pytest.raises(InvalidInput) as exc:
        services.timesheet_compute(employee=worker, week_start=dt.date(2026, 11, 10), user=actors.manager)
    assert "week_start" in exc.value.errors


def test_approval_locks_the_week(clock, worker, actors):
    monday = dt.date(2026, 11, 16)
    entry = _work(worker, monday, 9, 8)
    sheet = services.timesheet_compute(employee=worker, week_start=monday, user=actors.manager)
    sheet = services.timesheet_approve(timesheet=sheet, user=actors.manager)
    assert sheet.status == "approved" and sheet.approved_by == actors.manager and sheet.regular_minutes == 480
    with pytest.raises(Locked) as exc:
        services.time_entry_update(time_entry=entry, user=actors.manager, notes="x", edit_reason="typo")
    assert exc.value.status_code == 409 and exc.value.code == "locked"
    with pytest.raises(Locked):
        services.time_entry_create(
            employee=worker, clock_in_at=local(monday + dt.timedelta(days=1), 9),
            clock_out_at=local(monday + dt.timedelta(days=1), 12), edit_reason="late add", user=actors.manager,
        )  # fmt: skip
    with pytest.raises(Locked):
        services.timesheet_compute(employee=worker, week_start=monday, user=actors.manager)
    with pytest.raises(Locked):
        services.timesheet_approve(timesheet=sheet, user=actors.manager)


def test_approval_waits_for_reviews_and_open_entries(clock, worker, actors):
    monday = dt.date(2026, 11, 23)
    flagged = _work(worker, monday, 9, 8)
    TimeEntry.objects.filter(pk=flagged.pk).update(needs_review=True, auto_closed=True)
    sheet = services.timesheet_compute(employee=worker, week_start=monday, user=actors.manager)
    with pytest.raises(DomainError, match="need review") as exc:
        services.timesheet_approve(timesheet=sheet, user=actors.manager)
    assert exc.value.code == "needs_review"
    services.time_entry_update(time_entry=flagged, user=actors.manager, edit_reason="checked with the shift lead")
    services.time_entry_clock_in(employee=worker, user=actors.staff)  # Wednesday, still open
    with pytest.raises(DomainError, match="still open"):
        services.timesheet_approve(timesheet=sheet, user=actors.manager)
    assert Timesheet.objects.get(pk=sheet.pk).status == "draft"


def test_seed_reset_removes_attendance_rows(clock, actors):
    """`seed --reset` deletes raw, leaves first: punches and approved weeks must not block it."""
    from accounts.tests.factories import ManagerFactory
    from stores.tests.factories import EmployeeFactory, StoreFactory
    from zhilian.seed.reset import reset_demo_data

    seeded = StoreFactory(id="SEEDATT", config={"seed": 42})
    boss = ManagerFactory(store=seeded)
    employee = EmployeeFactory(store=seeded)
    monday = dt.date(2026, 11, 16)
    _work(employee, monday, 9, 8)
    services.time_entry_clock_in(employee=employee, user=boss, reason="opening")
    services.time_entry_break_start(employee=employee, user=boss, reason="lunch")
    sheet = services.timesheet_compute(employee=employee, week_start=monday, user=boss)
    services.timesheet_approve(timesheet=sheet, user=boss)
    reset_demo_data()
    assert not TimeEntry.objects.filter(store_id="SEEDATT").exists()
    assert not Timesheet.objects.filter(store_id="SEEDATT").exists()


def test_seed_attendance_punches_past_published_shifts_once(clock, actors):
    from stores.tests.factories import EmployeeFactory, StoreFactory

    seeded = StoreFactory(id="SEEDATT2", config={"seed": 42})
    people = [EmployeeFactory(store=seeded) for _ in range(3)]
    for offset in range(1, 8):
        for person in people:
            make_shift(person, DAY - dt.timedelta(days=offset), dt.time(10), dt.time(18))
    out = io.StringIO()
    call_command("seed_attendance", "--days", "7", stdout=out)
    made = TimeEntry.objects.filter(store=seeded)
    assert 15 <= made.count() <= 21 and not made.filter(clock_out_at__isnull=True).exists()
    assert all(entry.shift is not None and entry.worked_seconds > 0 for entry in made)
    assert Timesheet.objects.filter(store=seeded, week_start=dt.date(2026, 11, 16)).count() == 3
    assert PublicHoliday.objects.filter(date=dt.date(2026, 10, 1)).exists()
    count = made.count()
    call_command("seed_attendance", "--days", "7", stdout=io.StringIO())
    assert TimeEntry.objects.filter(store=seeded).count() == count
