import datetime as dt

import factory
from django.utils import timezone

from attendance.models import PublicHoliday, TimeEntry, Timesheet

TZ = timezone.get_fixed_timezone(8 * 60)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware moment of Asia/Shanghai's local time (UTC+8, no daylight saving)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


class TimeEntryFactory(factory.django.DjangoModelFactory):
    """A closed entry of 09:00-17:00 with a 30 min break (7.5 h worked)."""

    class Meta:
        model = TimeEntry

    employee = factory.SubFactory("stores.tests.factories.EmployeeFactory")
    store = factory.SelfAttribute("employee.store")
    business_date = factory.Sequence(lambda n: dt.date(2026, 1, 5) + dt.timedelta(days=n))
    clock_in_at = factory.LazyAttribute(lambda o: local(o.business_date, 9))
    clock_out_at = factory.LazyAttribute(lambda o: local(o.business_date, 17))
    break_seconds = 1800
    worked_seconds = factory.LazyAttribute(
        lambda o: (
            None if o.clock_out_at is None else int((o.clock_out_at - o.clock_in_at).total_seconds()) - o.break_seconds
        )
    )


class TimesheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timesheet

    employee = factory.SubFactory("stores.tests.factories.EmployeeFactory")
    store = factory.SelfAttribute("employee.store")
    week_start = factory.Sequence(lambda n: dt.date(2026, 1, 5) + dt.timedelta(weeks=n))


class PublicHolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicHoliday

    date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=n))
    name = "Test holiday"
    kind = PublicHoliday.Kind.HOLIDAY
