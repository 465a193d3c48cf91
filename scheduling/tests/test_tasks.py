"""Next week's draft (scheduling/tasks.py), eagerly through Celery: stores without a schedule for
next week get seven unpublished days; a store a manager has started is left alone; a second run
drafts nothing (idempotent)."""

import datetime as dt

import pytest
from django.utils import timezone

from scheduling.models import Schedule, Shift
from scheduling.tasks import draft_next_week, next_week
from scheduling.tests.conftest import FULL_TEAM, HOURS, make_staff
from stores.models import Store
from stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (dt.date(2026, 12, 3), dt.date(2026, 12, 7)),  # Thursday, the default run day
        (dt.date(2026, 12, 7), dt.date(2026, 12, 14)),  # a Monday: the week after this one
        (dt.date(2026, 12, 6), dt.date(2026, 12, 7)),  # a Sunday
    ],
)
def test_next_week_is_monday_to_sunday_after_this_week(today, monday):
    assert next_week(today) == (monday, monday + dt.timedelta(days=6))


def test_drafts_stores_without_next_week_and_is_idempotent(store, other_store):
    for s in (store, other_store):
        s.business_hours = HOURS
        s.save(update_fields=["business_hours"])
        make_staff(s, FULL_TEAM)
    StoreFactory(id="STORE003", status=Store.Status.CLOSED)
    start, end = next_week(timezone.localdate())
    # A manager already started other_store's week: one day of it, with a note.
    started = Schedule.objects.create(store=other_store, schedule_date=start + dt.timedelta(days=2), notes="mine")

    result = draft_next_week.apply()
    assert result.successful(), result.traceback
    assert result.result == {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "drafted": ["STORE001"],
        "skipped": ["STORE002"],
        "failed": [],
    }
    drafted = Schedule.objects.filter(store=store).order_by("schedule_date")
    assert [s.schedule_date for s in drafted] == [start + dt.timedelta(days=i) for i in range(7)]
    assert not any(s.is_published for s in drafted)
    assert Shift.objects.filter(schedule__store=store).exists()
    assert list(Schedule.objects.filter(store=other_store)) == [started]

    shifts = sorted(Shift.objects.values_list("pk", flat=True))
    again = draft_next_week.apply().result
    assert (again["drafted"], again["skipped"]) == ([], ["STORE001", "STORE002"])
    assert sorted(Shift.objects.values_list("pk", flat=True)) == shifts
