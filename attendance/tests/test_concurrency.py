"""Concurrent punches of one employee: the database lets exactly one clock-in through (PostgreSQL)."""

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from attendance import services
from attendance.models import BreakPeriod, TimeEntry
from stores.tests.factories import EmployeeFactory, StoreFactory
from zhilian.errors import DomainError
from zhilian.testing.concurrency import run_in_threads


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_clock_ins_one_wins():
    store = StoreFactory(id="ATTCONC1")
    user = UserFactory(store=store)
    employee = EmployeeFactory(store=store, user=user)

    def clock_in(_index):
        return services.time_entry_clock_in(employee=employee, user=user)

    outcomes = run_in_threads(8, clock_in)
    assert outcomes.unexpected(DomainError) == []
    assert len(outcomes.ok) == 1
    assert len(outcomes.failures) == 7
    assert {exc.code for exc in outcomes.failures} == {"already_clocked_in"}
    assert TimeEntry.objects.filter(employee=employee, clock_out_at__isnull=True).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_break_starts_one_wins():
    store = StoreFactory(id="ATTCONC2")
    user = UserFactory(store=store)
    employee = EmployeeFactory(store=store, user=user)
    services.time_entry_clock_in(employee=employee, user=user)

    def break_start(_index):
        return services.time_entry_break_start(employee=employee, user=user)

    outcomes = run_in_threads(6, break_start)
    assert outcomes.unexpected(DomainError) == []
    assert len(outcomes.ok) == 1
    assert BreakPeriod.objects.filter(entry__employee=employee, ended_at__isnull=True).count() == 1


def test_the_constraint_itself_refuses_a_second_open_entry(db):
    """Without the service's friendly check, the partial unique index still holds (both databases)."""
    from django.db import IntegrityError, transaction

    from attendance.tests.factories import TimeEntryFactory

    entry = TimeEntryFactory(clock_out_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntryFactory(employee=entry.employee, store=entry.store, clock_out_at=None)
    assert connection.vendor in ("postgresql", "sqlite")
