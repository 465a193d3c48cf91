"""Open shifts and swap requests as resources of the authorization matrix (zhilian/tests): how to
make one in a store and a valid create body. Not named test_*: nothing here is collected itself."""

import datetime as dt

from django.utils import timezone

from scheduling.models import Schedule, ShiftSwapRequest
from scheduling.tests.factories import OpenShiftFactory, ScheduleFactory, ShiftFactory
from stores.models import Employee
from stores.tests.factories import EmployeeFactory


def _published(store, days=2):
    day = timezone.localdate() + dt.timedelta(days=days)
    schedule = Schedule.objects.filter(store=store, schedule_date=day).first() or ScheduleFactory(
        store=store, schedule_date=day
    )
    Schedule.objects.filter(pk=schedule.pk).update(is_published=True, published_at=timezone.now())
    schedule.refresh_from_db()
    return schedule


class OpenShiftResource:
    def make(self, store, **kwargs):
        return OpenShiftFactory(schedule=_published(store), **kwargs)

    def create_payload(self, actors):
        schedule = ScheduleFactory(store=actors.store, schedule_date=timezone.localdate() + dt.timedelta(days=5))
        return {"schedule": str(schedule.pk), "position": "waiter", "start_time": "17:00", "end_time": "21:00"}

    def update_payload(self, obj):
        return {"notes": "x"}


class ShiftSwapResource:
    def make(self, store, **kwargs):
        employee = EmployeeFactory(store=store)
        shift = ShiftFactory(schedule=_published(store), employee=employee)
        return ShiftSwapRequest.objects.create(shift=shift, kind="drop", requested_by=employee, **kwargs)

    def create_payload(self, actors):
        """A published future shift of the staff user's own employee record (admins and managers
        may offer it on their behalf)."""
        employee = Employee.objects.filter(user=actors.staff).first() or EmployeeFactory(
            store=actors.store, user=actors.staff
        )
        shift = ShiftFactory(schedule=_published(actors.store, days=3), employee=employee)
        return {"shift": str(shift.pk), "kind": "drop"}

    def update_payload(self, obj):
        return {"reason": "x"}
