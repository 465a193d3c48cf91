"""Under concurrent writers the employee row lock keeps shifts apart and caps intact (PostgreSQL)."""

import datetime as dt

import pytest

from scheduling import services
from scheduling.models import Shift
from scheduling.tests.factories import ScheduleFactory
from stores.tests.factories import EmployeeFactory, StoreFactory
from zhilian.errors import DomainError
from zhilian.testing.concurrency import run_in_threads

DAY = dt.date(2026, 12, 2)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_overlapping_shifts_on_adjacent_days():
    store = StoreFactory(id="SCHCONC1")
    employee = EmployeeFactory(store=store)
    today = ScheduleFactory(store=store, schedule_date=DAY)
    tomorrow = ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=1))
    # 22:00-06:00 today overlaps 05:00-09:00 tomorrow; only one may win.
    attempts = [(today, dt.time(22), dt.time(6)), (tomorrow, dt.time(5), dt.time(9))]

    def create(index):
        schedule, start, end = attempts[index % 2]
        services.shift_create(schedule=schedule, employee=employee, start_time=start, end_time=end)

    errors = run_in_threads(6, create).failures
    assert Shift.objects.filter(employee=employee).count() == 1
    assert len(errors) == 5 and all(isinstance(e, DomainError) and e.code == "shift_overlap" for e in errors)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_generation_respects_the_weekly_cap():
    hours = {day: [["11:00", "14:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    store = StoreFactory(id="SCHCONC2", business_hours=hours)
    # 4 h lunch shifts; a 6 h cap fits only one of the two days.
    waiter = EmployeeFactory(store=store, position="waiter", preferences={"max_hours_per_week": 6})
    days = [DAY, DAY + dt.timedelta(days=1)]

    def generate(index):
        services.schedule_generate(store=store, day=days[index])

    errors = run_in_threads(2, generate).failures
    assert errors == []
    assert Shift.objects.filter(employee=waiter).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_overlapping_leave_requests_one_wins():
    from accounts.tests.factories import ManagerFactory
    from scheduling.models import LeaveRequest
    from zhilian.errors import Unavailable

    store = StoreFactory(id="SCHCONC3")
    manager = ManagerFactory(store=store)
    employee = EmployeeFactory(store=store)

    def ask(index):
        services.leave_request_create(
            user=manager,
            employee=employee,
            leave_type="annual",
            start_date=DAY + dt.timedelta(days=index % 2),
            end_date=DAY + dt.timedelta(days=2),
        )

    outcomes = run_in_threads(4, ask)
    assert outcomes.unexpected(Unavailable) == []
    assert len(outcomes.ok) == 1 and LeaveRequest.objects.filter(employee=employee).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_approval_racing_a_manual_shift_leaves_no_shift_on_leave():
    from accounts.tests.factories import ManagerFactory
    from scheduling.models import LeaveRequest
    from zhilian.errors import DomainError as Refused

    store = StoreFactory(id="SCHCONC4")
    manager = ManagerFactory(store=store)
    employee = EmployeeFactory(store=store)
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    leave = services.leave_request_create(
        user=manager, employee=employee, leave_type="sick", start_date=DAY, end_date=DAY
    )

    def work(index):
        if index == 0:
            services.leave_request_decide(leave_request=leave, approve=True, user=manager)
        else:
            services.shift_create(schedule=schedule, employee=employee, start_time=dt.time(10), end_time=dt.time(14))

    outcomes = run_in_threads(2, work)
    assert outcomes.unexpected(Refused) == []
    assert LeaveRequest.objects.get(pk=leave.pk).status == "approved"
    assert not Shift.objects.filter(employee=employee).exists()
