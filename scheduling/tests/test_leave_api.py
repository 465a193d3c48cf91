"""Leave requests and availability over the API: scoping, roles, the decision actions."""

import datetime as dt

import pytest

from scheduling.models import Availability, LeaveRequest
from scheduling.tests.conftest import DAY
from scheduling.tests.factories import AvailabilityFactory, LeaveRequestFactory, ScheduleFactory, ShiftFactory
from stores.models import Employee
from stores.tests.factories import EmployeeFactory
from zhilian.testing.api import APIResourceTests
from zhilian.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LEAVE = "/api/v1/leave-requests/"
AVAILABILITY = "/api/v1/availability/"


class TestLeaveRequestResource(APIResourceTests):
    list_url = LEAVE
    writable = False  # created through its own tests below; never updated, only moved by actions

    def make(self, store, **kwargs):
        return LeaveRequestFactory(employee=EmployeeFactory(store=store), **kwargs)

    def create_payload(self, actors):
        # The staff member's own employee: every role of the store may ask for it.
        employee = Employee.objects.filter(user=actors.staff).first() or EmployeeFactory(
            store=actors.store, user=actors.staff
        )
        return {"employee": employee.pk, "leave_type": "annual", "start_date": "2027-01-05", "end_date": "2027-01-06"}


class TestAvailabilityResource(APIResourceTests):
    list_url = AVAILABILITY

    def make(self, store, **kwargs):
        return AvailabilityFactory(employee=EmployeeFactory(store=store), **kwargs)

    def create_payload(self, actors):
        employee = EmployeeFactory(store=actors.store)
        return {"employee": employee.pk, "weekday": 4, "start_time": "17:00", "end_time": "01:00"}

    def update_payload(self, obj):
        return {"end_time": "18:30:00"}

    def check_created(self, obj, payload):
        assert obj.weekday == 4 and obj.end_time == dt.time(1) and obj.employee_id == payload["employee"]


@pytest.fixture
def me(actors):
    return EmployeeFactory(store=actors.store, user=actors.staff, name="Chen Jing")


def test_staff_asks_without_naming_themself(actors, me, client_for):
    body = {"leave_type": "annual", "start_date": "2026-12-02", "end_date": "2026-12-04", "reason": "wedding"}
    response = client_for(actors.staff).post(LEAVE, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["employee"] == me.pk and data["employee_name"] == "Chen Jing" and data["status"] == "pending"
    assert data["days"] == 3 and data["store"] == actors.store.pk and data["requested_by"] == str(actors.staff.pk)
    again = client_for(actors.staff).post(LEAVE, {**body, "start_date": "2026-12-04"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "leave_overlap"


def test_bad_dates_are_400(actors, me, client_for):
    client = client_for(actors.staff)
    response = client.post(
        LEAVE, {"leave_type": "annual", "start_date": "2026-12-05", "end_date": "2026-12-02"}, format="json"
    )
    assert response.status_code == 400 and "end_date" in response.json()
    response = client.post(LEAVE, {"leave_type": "nap", "start_date": "2026-12-05", "end_date": "2026-12-05"})
    assert response.status_code == 400 and "leave_type" in response.json()


def test_staff_see_only_their_own_and_cannot_decide(actors, me, client_for):
    mine = LeaveRequestFactory(employee=me)
    LeaveRequestFactory(employee=EmployeeFactory(store=actors.store))
    client = client_for(actors.staff)
    ids = [row["id"] for row in client.get(LEAVE).json()["results"]]
    assert ids == [str(mine.pk)]
    response = client.post(f"{LEAVE}{mine.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    colleague = EmployeeFactory(store=actors.store)
    response = client.post(
        LEAVE, {"employee": colleague.pk, "leave_type": "sick", "start_date": "2026-12-02", "end_date": "2026-12-02"}
    )
    assert response.status_code == 403
    assert client.post(f"{LEAVE}{mine.pk}/cancel/", {}, format="json").json()["status"] == "cancelled"


def test_manager_approves_denies_and_other_store_is_404(actors, me, client_for):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=me)
    leave = LeaveRequestFactory(employee=me, start_date=DAY, end_date=DAY)
    client = client_for(actors.manager)
    response = client.post(f"{LEAVE}{leave.pk}/approve/", {"note": "ok"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["status"] == "approved" and body["decided_by"] == str(actors.manager.pk) and body["decision_note"] == "ok"
    )
    assert not schedule.shifts.exists()
    again = client.post(f"{LEAVE}{leave.pk}/deny/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert client_for(actors.other_manager).post(f"{LEAVE}{leave.pk}/cancel/", {}).status_code == 404
    assert client_for(actors.other_manager).get(f"{LEAVE}{leave.pk}/").status_code == 404
    other = LeaveRequestFactory(employee=me, start_date=DAY + dt.timedelta(days=3), end_date=DAY + dt.timedelta(days=3))
    assert client.post(f"{LEAVE}{other.pk}/deny/", {"note": "busy"}).json()["status"] == "denied"


def test_approve_refused_on_published_schedule_is_409(actors, me, client_for):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=me)
    client = client_for(actors.manager)
    assert client.post(f"/api/v1/schedules/{schedule.pk}/publish/").status_code == 200
    leave = LeaveRequestFactory(employee=me, start_date=DAY, end_date=DAY)
    response = client.post(f"{LEAVE}{leave.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "leave_published_shifts"
    assert LeaveRequest.objects.get(pk=leave.pk).status == "pending"


def test_leave_filters(actors, client_for):
    employee = EmployeeFactory(store=actors.store)
    early = LeaveRequestFactory(employee=employee, start_date=DAY, end_date=DAY + dt.timedelta(days=2))
    LeaveRequestFactory(employee=employee, start_date=DAY + dt.timedelta(days=10), end_date=DAY + dt.timedelta(days=10))
    client = client_for(actors.manager)
    rows = client.get(LEAVE, {"date_from": "2026-12-03", "date_to": "2026-12-05"}).json()["results"]
    assert [r["id"] for r in rows] == [str(early.pk)]
    assert client.get(LEAVE, {"status": "approved"}).json()["count"] == 0


def test_leave_list_query_count_is_independent_of_page_size(actors, client_for):
    client = client_for(actors.manager)

    def make_rows(n):
        for _ in range(n):
            LeaveRequestFactory(employee=EmployeeFactory(store=actors.store))

    small, large = assert_constant_queries(make_rows, lambda: client.get(LEAVE, {"page_size": 40}))
    assert len(large.json()["results"]) == 40


def test_staff_read_only_their_availability(actors, me, client_for):
    AvailabilityFactory(employee=me)
    AvailabilityFactory(employee=EmployeeFactory(store=actors.store))
    client = client_for(actors.staff)
    rows = client.get(AVAILABILITY).json()["results"]
    assert [r["employee"] for r in rows] == [me.pk] and rows[0]["weekday_label"] == "Monday"
    response = client.post(AVAILABILITY, {"employee": me.pk, "weekday": 1, "start_time": "09:00", "end_time": "12:00"})
    assert response.status_code == 403
    assert Availability.objects.count() == 2


def test_availability_refusals_are_400(actors, client_for):
    client = client_for(actors.manager)
    employee = EmployeeFactory(store=actors.store)
    bad = client.post(AVAILABILITY, {"employee": employee.pk, "weekday": 9, "start_time": "09:00", "end_time": "12:00"})
    assert bad.status_code == 400 and "weekday" in bad.json()
    zero = client.post(
        AVAILABILITY, {"employee": employee.pk, "weekday": 1, "start_time": "09:00", "end_time": "09:00"}
    )
    assert zero.status_code == 400 and "end_time" in zero.json()
    foreign = EmployeeFactory(store=actors.other_store)
    response = client.post(
        AVAILABILITY, {"employee": foreign.pk, "weekday": 1, "start_time": "09:00", "end_time": "12:00"}
    )
    assert response.status_code == 400 and "employee" in response.json()


def test_manual_shift_refusal_lists_the_rules_over_the_api(actors, client_for):
    employee = EmployeeFactory(store=actors.store, name="Sun Li")
    AvailabilityFactory(employee=employee, weekday=DAY.weekday(), start_time=dt.time(10), end_time=dt.time(14))
    LeaveRequestFactory(employee=employee, start_date=DAY, end_date=DAY, status="approved")
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    body = {"schedule": str(schedule.pk), "employee": employee.pk, "start_time": "15:00", "end_time": "20:00"}
    response = client_for(actors.manager).post("/api/v1/shifts/", body, format="json")
    assert response.status_code == 409, response.content
    data = response.json()
    assert data["code"] == "shift_rules" and data["rules"] == ["leave", "availability"]
    assert data["detail"].startswith("Sun Li cannot take this shift:") and "approved leave" in data["detail"]
