import datetime as dt

import pytest
from django.utils import timezone

from attendance.tests.factories import local
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory

# A Wednesday afternoon in Shanghai; `clock` freezes "now" there (or anywhere a test moves it).
NOW = local(dt.date(2026, 11, 25), 10, 0)


class Clock:
    def __init__(self, monkeypatch, moment):
        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment

    def advance(self, **delta) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, NOW)


@pytest.fixture
def worker(actors):
    """The staff user's employee record in STORE001 (25 ¥/h)."""
    return EmployeeFactory(id="EMP-W", store=actors.store, user=actors.staff, name="Li Wei")


def make_shift(employee, day, start, end, *, published=True):
    schedule = employee.store.schedules.filter(schedule_date=day).first()
    if schedule is None:
        schedule = ScheduleFactory(
            store=employee.store,
            schedule_date=day,
            is_published=published,
            published_at=timezone.now() if published else None,
        )
    return ShiftFactory(schedule=schedule, employee=employee, start_time=start, end_time=end)
