"""Time off: asking, deciding and cancelling leave (scheduling.services.leave), and its effect on
generation and on manual shift edits (the one rule function)."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import translation

from notifications.models import Notification
from scheduling import services
from scheduling.models import LeaveRequest, Shift
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.errors import DomainError, Forbidden, InvalidInput, InvalidTransition, Locked, NotFound, Unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages and notification titles are read in English here, whatever an
    earlier test left active."""
    with translation.override("en"):
        yield


NEXT = DAY + dt.timedelta(days=1)


@pytest.fixture
def waiter(store, staff):
    return EmployeeFactory(store=store, position="waiter", user=staff, name="Li Wei")


def ask(user, employee=None, start=DAY, end=DAY, leave_type="annual", **kw):
    return services.leave_request_create(
        user=user, employee=employee, leave_type=leave_type, start_date=start, end_date=end, **kw
    )


# --- asking -------------------------------------------------------------------------------------


def test_staff_asks_for_themself_and_managers_hear(waiter, staff, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        leave = ask(staff, start=DAY, end=NEXT, leave_type="sick", reason="flu")
    assert leave.employee == waiter and leave.status == "pending" and leave.requested_by == staff
    assert leave.days == 2
    notes = list(Notification.objects.filter(kind=Notification.Kind.LEAVE_REQUESTED))
    assert [n.recipient for n in notes] == [manager]
    assert notes[0].data["leave_request"] == str(leave.pk) and notes[0].data["start_date"] == "2026-12-02"
    assert "Li Wei" in notes[0].title and notes[0].body == "flu"
    assert len(callbacks) == 1  # the push goes out after commit
    entry = LogEntry.objects.get_for_object(leave).get()
    assert entry.actor == staff and entry.additional_data["event"] == "leave.create"


def test_staff_cannot_ask_for_a_colleague(waiter, staff, store):
    colleague = EmployeeFactory(store=store)
    with pytest.raises(Forbidden):
        ask(staff, employee=colleague)
    assert not LeaveRequest.objects.exists()


def test_manager_asks_for_anyone_of_the_store_not_another(waiter, manager, other_store):
    leave = ask(manager, employee=waiter, leave_type="personal")
    assert leave.employee == waiter and leave.requested_by == manager
    with pytest.raises(NotFound):
        ask(manager, employee=EmployeeFactory(store=other_store))


def test_end_before_start_is_400(waiter, staff):
    with pytest.raises(InvalidInput) as info:
        ask(staff, start=NEXT, end=DAY)
    assert info.value.status_code == 400 and "end_date" in info.value.errors
    with pytest.raises(InvalidInput) as info:
        ask(staff, leave_type="holiday")
    assert "leave_type" in info.value.errors


def test_overlapping_pending_or_approved_leave_is_409(waiter, staff, manager):
    first = ask(staff, start=DAY, end=DAY + dt.timedelta(days=3))
    with pytest.raises(Unavailable) as info:
        ask(staff, start=DAY + dt.timedelta(days=3), end=DAY + dt.timedelta(days=5))
    assert info.value.status_code == 409 and info.value.code == "leave_overlap"
    assert info.value.extra["leave_request"] == str(first.pk)
    services.leave_request_decide(leave_request=first, approve=True, user=manager)
    with pytest.raises(Unavailable):
        ask(manager, employee=waiter, start=DAY - dt.timedelta(days=2), end=DAY)
    # Denied or cancelled leave holds no days.
    services.leave_request_cancel(leave_request=first, user=manager)
    again = ask(staff, start=DAY, end=DAY)
    services.leave_request_decide(leave_request=again, approve=False, user=manager)
    assert ask(staff, start=DAY, end=NEXT).status == "pending"


# --- deciding -----------------------------------------------------------------------------------


def test_only_pending_is_decided(waiter, staff, manager):
    leave = ask(staff)
    services.leave_request_decide(leave_request=leave, approve=False, user=manager, note="busy week")
    leave.refresh_from_db()
    assert leave.status == "denied" and leave.decided_by == manager and leave.decision_note == "busy week"
    for approve in (True, False):
        with pytest.raises(InvalidTransition) as info:
            services.leave_request_decide(leave_request=leave, approve=approve, user=manager)
        assert info.value.status_code == 409 and info.value.extra["allowed"] == []


def test_staff_cannot_decide(waiter, staff):
    leave = ask(staff)
    with pytest.raises(Forbidden):
        services.leave_request_decide(leave_request=leave, approve=True, user=staff)
    leave.refresh_from_db()
    assert leave.status == "pending"


def test_other_stores_manager_finds_nothing(waiter, staff, other_manager):
    leave = ask(staff)
    with pytest.raises(NotFound):
        services.leave_request_decide(leave_request=leave, approve=True, user=other_manager)
    with pytest.raises(NotFound):
        services.leave_request_cancel(leave_request=leave, user=other_manager)


def test_approving_removes_unpublished_shifts_and_tells_the_employee(waiter, staff, manager, store):
    mine = ShiftFactory(schedule=ScheduleFactory(store=store, schedule_date=DAY), employee=waiter)
    later = ShiftFactory(
        schedule=ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=7)), employee=waiter
    )
    colleague = ShiftFactory(schedule=mine.schedule, employee=EmployeeFactory(store=store))
    leave = ask(staff, start=DAY, end=NEXT)
    decided = services.leave_request_decide(leave_request=leave, approve=True, user=manager, note="enjoy")
    assert decided.status == "approved" and decided.decided_at is not None
    assert set(Shift.objects.values_list("pk", flat=True)) == {later.pk, colleague.pk}
    note = Notification.objects.get(kind=Notification.Kind.LEAVE_DECIDED)
    assert note.recipient == staff and "approved" in note.title and note.body == "enjoy"
    entry = LogEntry.objects.get_for_object(decided).filter(additional_data__event="leave.decide").get()
    assert entry.actor == manager and entry.additional_data["removed_shifts"] == [str(mine.pk)]


def test_approving_is_refused_while_a_shift_is_published(waiter, staff, manager, store):
    schedule = ScheduleFactory(store=store, schedule_date=NEXT)
    ShiftFactory(schedule=schedule, employee=waiter)
    services.schedule_publish(schedule=schedule, user=manager)
    unpublished = ShiftFactory(schedule=ScheduleFactory(store=store, schedule_date=DAY), employee=waiter)
    leave = ask(staff, start=DAY, end=NEXT)
    with pytest.raises(Locked) as info:
        services.leave_request_decide(leave_request=leave, approve=True, user=manager)
    assert info.value.code == "leave_published_shifts" and info.value.extra["days"] == ["2026-12-03"]
    leave.refresh_from_db()
    assert leave.status == "pending"
    assert Shift.objects.filter(pk=unpublished.pk).exists()  # nothing removed by the refused approval
    # Denying needs no such care.
    assert services.leave_request_decide(leave_request=leave, approve=False, user=manager).status == "denied"


# --- cancelling ---------------------------------------------------------------------------------


def test_requester_cancels_while_pending_manager_also_after(waiter, staff, manager):
    mine = ask(staff)
    assert services.leave_request_cancel(leave_request=mine, user=staff).status == "cancelled"
    with pytest.raises(InvalidTransition):
        services.leave_request_cancel(leave_request=mine, user=staff)
    approved = ask(staff, start=NEXT, end=NEXT)
    services.leave_request_decide(leave_request=approved, approve=True, user=manager)
    with pytest.raises(InvalidTransition):
        services.leave_request_cancel(leave_request=approved, user=staff)
    cancelled = services.leave_request_cancel(leave_request=approved, user=manager, note="needed after all")
    assert cancelled.status == "cancelled" and cancelled.decision_note == "needed after all"
    events = list(LogEntry.objects.get_for_object(cancelled).values_list("additional_data__event", flat=True))
    assert sorted(events) == ["leave.cancel", "leave.create", "leave.decide"]


def test_staff_cannot_cancel_a_colleagues_request(waiter, store, manager, staff):
    colleague = EmployeeFactory(store=store)
    theirs = ask(manager, employee=colleague)
    with pytest.raises(NotFound):
        services.leave_request_cancel(leave_request=theirs, user=staff)


# --- generation and manual edits ------------------------------------------------------------------


def test_approved_leave_removes_the_person_from_generation(busy_store, manager):
    team = make_staff(busy_store, FULL_TEAM)
    _, report = services.schedule_generate(store=busy_store, day=DAY)
    working = set(Shift.objects.filter(schedule__schedule_date=DAY).values_list("employee_id", flat=True))
    chosen = next(e for e in team if e.pk in working)
    pending = next(e for e in team if e.pk in working and e != chosen)
    services.leave_request_decide(
        leave_request=ask(manager, employee=chosen, start=DAY, end=DAY), approve=True, user=manager
    )
    ask(manager, employee=pending, start=DAY, end=DAY)  # pending leave does not keep anyone off
    assert not Shift.objects.filter(employee=chosen).exists()  # approval took the shift off
    services.schedule_generate(store=busy_store, day=DAY)
    working = set(Shift.objects.filter(schedule__schedule_date=DAY).values_list("employee_id", flat=True))
    assert chosen.pk not in working and pending.pk in working
    # The day after, the leave is over: they may work again.
    services.schedule_generate_range(store=busy_store, start=DAY, end=NEXT)
    assert not Shift.objects.filter(employee=chosen, schedule__schedule_date=DAY).exists()
    assert LeaveRequest.objects.filter(employee=chosen, status="approved").count() == 1


def test_manual_shift_on_leave_is_refused(waiter, staff, manager, store):
    leave = ask(staff)
    services.leave_request_decide(leave_request=leave, approve=True, user=manager)
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    with pytest.raises(DomainError) as info:
        services.shift_create(schedule=schedule, employee=waiter, start_time=dt.time(10), end_time=dt.time(14))
    assert info.value.status_code == 409 and info.value.code == "shift_leave"
    assert info.value.extra["rules"] == ["leave"] and "approved leave" in info.value.message
    assert not schedule.shifts.exists()
