"""The audit trail of schedules and shifts: manual edits, publishing and confirmation name the actor."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from scheduling import services
from scheduling.tests.factories import ScheduleFactory
from stores.tests.factories import EmployeeFactory
from zhilian.audit import audit_entries
from zhilian.errors import DomainError

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 2)


def events_of(instance):
    return [(e.actor, e.additional_data["event"], e.changes) for e in audit_entries(instance).order_by("pk")]


def test_shift_edits_publishing_and_confirming_name_the_actor(store, manager, staff):
    schedule = services.schedule_create(store=store, schedule_date=DAY, user=manager)
    cook = EmployeeFactory(store=store, position="waiter", user=staff)
    shift = services.shift_create(
        schedule=schedule, employee=cook, start_time=dt.time(10, 0), end_time=dt.time(14, 0), user=manager
    )
    services.shift_update(shift=shift, end_time=dt.time(15, 0), notes="covering", user=manager)
    services.schedule_update(schedule=schedule, notes="Banquet", user=manager)
    services.schedule_publish(schedule=schedule, user=manager)
    services.shift_confirm(shift=shift, user=staff)

    assert events_of(shift) == [
        (manager, "shift.create", {"employee": ["None", str(cook.pk)], "start_time": ["None", "10:00:00"],
                                   "end_time": ["None", "14:00:00"]}),
        (manager, "shift.update", {"end_time": ["14:00:00", "15:00:00"], "notes": ["", "covering"]}),
        (staff, "shift.confirm", {"is_confirmed": ["False", "True"]}),
    ]  # fmt: skip
    assert events_of(schedule) == [
        (manager, "schedule.create", {}),
        (manager, "schedule.update", {"notes": ["", "Banquet"]}),
        (manager, "schedule.publish", {"is_published": ["False", "True"]}),
    ]


def test_deleting_a_shift_is_recorded_with_the_actor(store, manager):
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    employee = EmployeeFactory(store=store)
    shift = services.shift_create(
        schedule=schedule, employee=employee, start_time=dt.time(9, 0), end_time=dt.time(13, 0), user=manager
    )
    pk = shift.pk
    services.shift_delete(shift=shift, user=manager)
    shift.pk = pk  # the trail outlives the row
    assert [event for _, event, _ in events_of(shift)] == ["shift.create", "shift.delete"]
    assert audit_entries(shift).get(additional_data__event="shift.delete").actor == manager


def test_a_refused_edit_writes_no_entry(store, manager):
    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    services.schedule_publish(schedule=schedule, user=manager)
    employee = EmployeeFactory(store=store)
    before = LogEntry.objects.count()
    with pytest.raises(DomainError):
        services.shift_create(
            schedule=schedule, employee=employee, start_time=dt.time(9, 0), end_time=dt.time(13, 0), user=manager
        )
    assert LogEntry.objects.count() == before
