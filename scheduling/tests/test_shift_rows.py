"""The shift list is built from rows (scheduling.selectors.shift_payloads); it must stay equal,
byte for byte, to ShiftSerializer over model instances, whatever the time zone."""

import datetime as dt

import pytest
from django.utils import timezone

from scheduling.models import Shift
from scheduling.selectors import shift_payloads, shift_rows
from scheduling.serializers import ShiftSerializer
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.api.renderers import JSONRenderer

DAY = dt.date(2026, 11, 20)


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def week(store, other_store):
    for n in range(3):
        schedule = ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=n))
        wang = EmployeeFactory(store=store, name="王 Wang")
        ShiftFactory(schedule=schedule, employee=wang, start_time=dt.time(10), end_time=dt.time(14, 30))
        # Overnight: ends the next day; its hours are not a round number.
        ShiftFactory(schedule=schedule, start_time=dt.time(22, 10), end_time=dt.time(2, 5), notes="late",
                     shift_type=Shift.Type.EVENING, position="")  # fmt: skip
    ShiftFactory(schedule=ScheduleFactory(store=other_store, schedule_date=DAY))
    Shift.objects.filter(start_time=dt.time(10)).update(is_confirmed=True, confirmed_at=timezone.now())
    return store


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_shift_payloads_equal_the_serializer(week, zone):
    ordering = ("starts_at", "employee")
    with timezone.override(zone):
        fast = shift_payloads(shift_rows().order_by(*ordering))
        instances = Shift.objects.select_related("employee", "schedule").order_by(*ordering)
        declared = ShiftSerializer(instances, many=True).data
    assert len(fast) == 7
    assert rendered(fast) == rendered(declared)
    assert [list(p) for p in fast] == [list(p) for p in declared]  # same keys, same order


def test_shift_list_answers_as_the_serializer(week, manager, staff, client_for):
    params = {"store": week.pk, "date_from": DAY.isoformat(), "date_to": (DAY + dt.timedelta(days=6)).isoformat()}
    response = client_for(manager).get("/api/v1/shifts/", params | {"page_size": 100})
    assert response.status_code == 200
    instances = Shift.objects.filter(schedule__store=week).select_related("employee", "schedule")
    declared = ShiftSerializer(instances.order_by("starts_at", "employee"), many=True).data
    assert response.json()["count"] == 6
    assert rendered(response.json()["results"]) == rendered(declared)
    # Filters, ordering, search and pages apply to the rows as they did to instances.
    page = client_for(manager).get("/api/v1/shifts/", params | {"page_size": 2, "page": 2, "ordering": "-starts_at"})
    assert [s["id"] for s in page.json()["results"]] == [str(s.pk) for s in instances.order_by("-starts_at")[2:4]]
    found = client_for(manager).get("/api/v1/shifts/", params | {"search": "Wang", "is_confirmed": "true"}).json()
    assert found["count"] == 3 and {s["employee_name"] for s in found["results"]} == {"王 Wang"}
    # Staff see published schedules only.
    assert client_for(staff).get("/api/v1/shifts/", params).json()["count"] == 0
