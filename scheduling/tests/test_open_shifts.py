"""Open shifts: claims (first wins, rules, approval), manager actions, generation's gaps, the API."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from scheduling import services
from scheduling.models import OpenShift, Schedule, Shift
from scheduling.tests.conftest import make_staff
from scheduling.tests.factories import OpenShiftFactory, ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, StoreFactory
from zhilian.testing.concurrency import run_in_threads
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/open-shifts/"
S = OpenShift.Status


def future_day(days=3):
    return timezone.localdate() + dt.timedelta(days=days)


def published(store, day=None):
    schedule = ScheduleFactory(store=store, schedule_date=day or future_day())
    Schedule.objects.filter(pk=schedule.pk).update(is_published=True, published_at=timezone.now())
    schedule.refresh_from_db()
    return schedule


def linked(user, **kwargs):
    return EmployeeFactory(store=user.store, user=user, position="waiter", skills=["service"], **kwargs)


def test_staff_claim_creates_the_shift_at_once(actors, client_for, django_capture_on_commit_callbacks):
    employee = linked(actors.staff)
    open_shift = OpenShiftFactory(schedule=published(actors.store))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(actors.staff).post(f"{URL}{open_shift.pk}/claim/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "filled" and body["claimed_by"] == employee.pk and body["shift"]
    shift = Shift.objects.get(pk=body["shift"])
    assert shift.employee == employee and shift.position == "waiter" and shift.start_time == dt.time(9)
    events = set(LogEntry.objects.values_list("additional_data__event", flat=True))
    assert {"open_shift.claim", "shift.create"} <= events
    # A second claim of the same shift is refused.
    other = EmployeeFactory(store=actors.store, position="waiter", user=actors.manager)
    response = client_for(actors.manager).post(f"{URL}{open_shift.pk}/claim/")
    assert response.status_code == 409 and response.json()["code"] == "open_shift_taken"
    assert not Shift.objects.filter(employee=other).exists()


def test_ineligible_claim_is_409_listing_rules(actors, client_for):
    employee = EmployeeFactory(store=actors.store, user=actors.staff, position="chef", skills=[])
    schedule = published(actors.store)
    ShiftFactory(schedule=schedule, employee=employee, start_time=dt.time(8), end_time=dt.time(12))
    open_shift = OpenShiftFactory(schedule=schedule, required_skills=["wine"])
    response = client_for(actors.staff).post(f"{URL}{open_shift.pk}/claim/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_eligible"
    assert [r["code"] for r in body["rules"]] == ["wrong_position", "missing_skills", "shift_overlap"]
    open_shift.refresh_from_db()
    assert open_shift.status == S.OPEN and open_shift.claimed_by is None


def test_approval_path(actors, client_for, django_capture_on_commit_callbacks):
    employee = linked(actors.staff)
    open_shift = OpenShiftFactory(schedule=published(actors.store), requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        body = client_for(actors.staff).post(f"{URL}{open_shift.pk}/claim/").json()
    assert body["status"] == "pending_approval" and body["shift"] is None
    assert Notification.objects.filter(recipient=actors.manager, kind="shift_change").count() == 1
    # Staff cannot approve their own claim.
    assert client_for(actors.staff).post(f"{URL}{open_shift.pk}/approve/").status_code == 403
    # Another store's manager does not see it.
    assert client_for(actors.other_manager).post(f"{URL}{open_shift.pk}/approve/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        body = client_for(actors.manager).post(f"{URL}{open_shift.pk}/approve/").json()
    assert body["status"] == "filled" and Shift.objects.get(pk=body["shift"]).employee == employee
    assert Notification.objects.filter(recipient=actors.staff, kind="shift_change").exists()
    # Approving twice is a refused transition.
    assert client_for(actors.manager).post(f"{URL}{open_shift.pk}/approve/").status_code == 409


def test_reject_reopens_and_cancel(actors, client_for):
    linked(actors.staff)
    open_shift = OpenShiftFactory(schedule=published(actors.store), requires_approval=True)
    client_for(actors.staff).post(f"{URL}{open_shift.pk}/claim/")
    body = client_for(actors.manager).post(f"{URL}{open_shift.pk}/reject/", {"reason": "too many hours"}).json()
    assert body["status"] == "open" and body["claimed_by"] is None
    body = client_for(actors.manager).post(f"{URL}{open_shift.pk}/cancel/").json()
    assert body["status"] == "cancelled"
    response = client_for(actors.staff).post(f"{URL}{open_shift.pk}/claim/")
    assert response.status_code == 409


def test_manager_posts_and_staff_sees_only_published(actors, client_for):
    draft = ScheduleFactory(store=actors.store, schedule_date=future_day(5))
    payload = {"schedule": str(draft.pk), "position": "chef", "start_time": "17:00", "end_time": "22:00"}
    response = client_for(actors.manager).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["shift_type"] == "evening" and response.json()["source"] == "manual"
    assert client_for(actors.staff).get(URL).json()["count"] == 0
    assert client_for(actors.manager).get(URL).json()["count"] == 1
    assert client_for(actors.staff).post(URL, payload, format="json").status_code == 403
    # Another store's schedule is a 400 naming the field.
    other = ScheduleFactory(store=actors.other_store, schedule_date=future_day(5))
    response = client_for(actors.manager).post(URL, {**payload, "schedule": str(other.pk)}, format="json")
    assert response.status_code == 400 and "schedule" in response.json()


def test_other_store_is_404(actors, client_for):
    open_shift = OpenShiftFactory(schedule=published(actors.other_store))
    linked(actors.staff)
    assert client_for(actors.staff).post(f"{URL}{open_shift.pk}/claim/").status_code == 404
    assert client_for(actors.manager).get(f"{URL}{open_shift.pk}/").status_code == 404


def test_claimable_lists_position_and_skills(actors, client_for):
    linked(actors.staff)
    schedule = published(actors.store)
    mine = OpenShiftFactory(schedule=schedule)
    OpenShiftFactory(schedule=schedule, position="chef")
    OpenShiftFactory(schedule=schedule, required_skills=["wine"])
    OpenShiftFactory(schedule=published(actors.store, timezone.localdate() - dt.timedelta(days=2)))
    body = client_for(actors.staff).get(f"{URL}claimable/").json()
    assert [row["id"] for row in body] == [str(mine.pk)]


def test_list_query_count_does_not_depend_on_page_size(actors, client_for):
    schedule = published(actors.store)
    client = client_for(actors.manager)
    for _i in range(3):
        os = OpenShiftFactory(schedule=schedule, requires_approval=True)
        services.open_shift_claim(actor=actors.manager, open_shift=os, employee=EmployeeFactory(store=actors.store))
    few, _ = count_queries(lambda: client.get(URL, {"page_size": 2}))
    OpenShiftFactory.create_batch(10, schedule=schedule)
    many, response = count_queries(lambda: client.get(URL, {"page_size": 13}))
    assert few == many and len(response.json()["results"]) == 13


# --- generation ----------------------------------------------------------------------------------


def test_generation_gaps_become_open_shifts_once():
    hours = {d: [["11:00", "14:00"], ["17:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    store = StoreFactory(id="OPENGEN1", business_hours=hours)
    make_staff(store, {"waiter": 1})  # no chefs at all: every chef head is a gap
    day = future_day(4)
    schedule, report = services.schedule_generate(store=store, day=day)
    missing = sum(max(g["needed"] - g["filled"], 0) for g in report["gaps"])
    assert missing > 0
    rows = OpenShift.objects.filter(schedule=schedule)
    assert rows.count() == missing and set(rows.values_list("source", flat=True)) == {"generated"}
    assert {(g["position"], g["start"]) for g in report["gaps"]} == {
        (r.position, f"{r.start_time:%H:%M}") for r in rows
    }
    first = set(rows.values_list("pk", flat=True))
    services.schedule_generate(store=store, day=day)
    assert set(OpenShift.objects.filter(schedule=schedule).values_list("pk", flat=True)) == first
    # A manual open shift is kept by regeneration.
    services.open_shift_create(
        actor=None, schedule=schedule, position="host", start_time=dt.time(11), end_time=dt.time(14)
    )
    services.schedule_generate(store=store, day=day)
    assert OpenShift.objects.filter(schedule=schedule).count() == missing + 1


def test_claim_on_draft_goes_through_shift_create(actors):
    employee = linked(actors.staff)
    schedule = ScheduleFactory(store=actors.store, schedule_date=future_day())
    open_shift = OpenShiftFactory(schedule=schedule)
    services.open_shift_claim(actor=actors.manager, open_shift=open_shift, employee=employee)
    shift = Shift.objects.get(employee=employee)
    assert LogEntry.objects.filter(object_pk=str(shift.pk), additional_data__event="shift.create").exists()


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_have_one_winner():
    store = StoreFactory(id="OPENRACE")
    day = timezone.localdate() + dt.timedelta(days=3)
    schedule = ScheduleFactory(store=store, schedule_date=day)
    Schedule.objects.filter(pk=schedule.pk).update(is_published=True, published_at=timezone.now())
    open_shift = OpenShiftFactory(schedule=Schedule.objects.get(pk=schedule.pk))
    users = [UserFactory(username=f"racer{i}", store=store) for i in range(2)]
    employees = [EmployeeFactory(store=store, user=u, position="waiter") for u in users]

    def claim(index):
        client = APIClient()
        token = RefreshToken.for_user(users[index]).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(f"{URL}{open_shift.pk}/claim/")
        return response.status_code, response.json()

    outcomes = run_in_threads(2, claim)
    assert outcomes.failures == []
    codes = sorted(code for code, _ in outcomes.results)
    assert codes == [200, 409]
    loser = next(body for code, body in outcomes.results if code == 409)
    assert loser["code"] == "open_shift_taken"
    open_shift.refresh_from_db()
    assert open_shift.status == S.FILLED
    assert Shift.objects.filter(schedule=schedule).count() == 1
    assert Shift.objects.get(schedule=schedule).employee_id == open_shift.claimed_by_id
    assert open_shift.claimed_by_id in {e.pk for e in employees}


def test_my_shifts_page_lists_and_claims(actors):
    from django.test import Client

    employee = linked(actors.staff)
    schedule = published(actors.store)
    open_shift = OpenShiftFactory(schedule=schedule, start_time=dt.time(17), end_time=dt.time(21))
    OpenShiftFactory(schedule=schedule, position="chef")
    web = Client()
    web.force_login(actors.staff)
    body = web.get("/my-shifts/").content.decode()
    assert 'id="ms-open"' in body and f'data-open-shift="{open_shift.pk}"' in body and body.count("ms-claim") == 1
    response = web.post(f"/my-shifts/open/{open_shift.pk}/claim/", follow=True)
    assert "The shift is yours." in response.content.decode()
    assert Shift.objects.get(employee=employee).start_time == dt.time(17)
    response = web.post(f"/my-shifts/open/{open_shift.pk}/claim/", follow=True)
    assert "Someone else has already claimed this shift." in response.content.decode()
