import datetime as dt

import factory

from scheduling.models import Availability, LeaveRequest, Schedule, Shift


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    schedule_date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    schedule = factory.SubFactory(ScheduleFactory)
    employee = factory.SubFactory(
        "stores.tests.factories.EmployeeFactory", store=factory.SelfAttribute("..schedule.store")
    )
    shift_type = Shift.Type.MORNING
    start_time = dt.time(9, 0)
    end_time = dt.time(15, 0)
    position = "waiter"


class LeaveRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveRequest

    employee = factory.SubFactory("stores.tests.factories.EmployeeFactory")
    leave_type = LeaveRequest.Type.ANNUAL
    start_date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=3 * n))
    end_date = factory.SelfAttribute("start_date")
    reason = "family visit"


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    employee = factory.SubFactory("stores.tests.factories.EmployeeFactory")
    weekday = 0
    start_time = dt.time(10)
    end_time = dt.time(16)
