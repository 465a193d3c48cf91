"""Shift swaps and drops: offer, accept, approve (the shift moves after the rule check), refusals."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from scheduling.models import Schedule, Shift, ShiftSwapRequest
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/shift-swaps/"


def published(store, days=3):
    schedule = ScheduleFactory(store=store, schedule_date=timezone.localdate() + dt.timedelta(days=days))
    Schedule.objects.filter(pk=schedule.pk).update(is_published=True, published_at=timezone.now())
    schedule.refresh_from_db()
    return schedule


@pytest.fixture
def team(actors):
    """The staff user's employee with a published future shift, and a colleague with a login."""
    me = EmployeeFactory(store=actors.store, user=actors.staff, position="waiter", name="Li Na")
    colleague_user = UserFactory(username="colleague", store=actors.store)
    colleague = EmployeeFactory(store=actors.store, user=colleague_user, position="waiter", name="Zhang Wei")
    shift = ShiftFactory(schedule=published(actors.store), employee=me, is_confirmed=True)
    return me, colleague, colleague_user, shift


def test_swap_accept_approve_moves_the_shift(actors, client_for, team, django_capture_on_commit_callbacks):
    me, colleague, colleague_user, shift = team
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(actors.staff).post(
            URL, {"shift": str(shift.pk), "kind": "swap", "target": colleague.pk, "reason": "exam"}, format="json"
        )
    assert response.status_code == 201, response.content
    swap = response.json()
    assert swap["status"] == "offered" and swap["target_name"] == "Zhang Wei" and swap["requested_by"] == me.pk
    assert Notification.objects.filter(recipient=colleague_user, kind="shift_change").count() == 1
    # Only the named colleague may accept a swap.
    assert client_for(actors.manager).post(f"{URL}{swap['id']}/accept/").status_code in (403, 409)
    with django_capture_on_commit_callbacks(execute=True):
        body = client_for(colleague_user).post(f"{URL}{swap['id']}/accept/").json()
    assert body["status"] == "accepted" and body["taker"] == colleague.pk
    assert Notification.objects.filter(recipient=actors.manager, kind="shift_change").count() == 1
    # Staff cannot approve.
    assert client_for(colleague_user).post(f"{URL}{swap['id']}/approve/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        body = client_for(actors.manager).post(f"{URL}{swap['id']}/approve/").json()
    assert body["status"] == "approved"
    shift.refresh_from_db()
    assert shift.employee == colleague and not shift.is_confirmed
    assert Notification.objects.filter(recipient=actors.staff, title="Shift swap approved").exists()
    events = set(LogEntry.objects.values_list("additional_data__event", flat=True))
    assert {"swap.create", "swap.accept", "swap.approve", "shift.reassign"} <= events


def test_drop_anyone_eligible_picks_it_up(actors, client_for, team):
    _me, colleague, colleague_user, shift = team
    swap = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json").json()
    assert swap["target"] is None
    # The requester cannot pick up their own drop.
    assert client_for(actors.staff).post(f"{URL}{swap['id']}/accept/").status_code == 409
    assert client_for(colleague_user).post(f"{URL}{swap['id']}/accept/").json()["taker"] == colleague.pk
    client_for(actors.manager).post(f"{URL}{swap['id']}/approve/")
    assert Shift.objects.get(pk=shift.pk).employee == colleague


def test_approve_refused_when_the_taker_now_breaks_a_rule(actors, client_for, team):
    _me, colleague, colleague_user, shift = team
    swap = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json").json()
    client_for(colleague_user).post(f"{URL}{swap['id']}/accept/")
    # Since accepting, the colleague was given an overlapping shift the same day.
    ShiftFactory(schedule=shift.schedule, employee=colleague, start_time=dt.time(14), end_time=dt.time(18))
    response = client_for(actors.manager).post(f"{URL}{swap['id']}/approve/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_eligible" and [r["code"] for r in body["rules"]] == ["shift_overlap"]
    assert Shift.objects.get(pk=shift.pk).employee_id == shift.employee_id
    assert ShiftSwapRequest.objects.get(pk=swap["id"]).status == "accepted"


def test_accept_refused_for_wrong_position(actors, client_for, team):
    _me, colleague, colleague_user, shift = team
    colleague.position = "chef"
    colleague.save()
    swap = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json").json()
    response = client_for(colleague_user).post(f"{URL}{swap['id']}/accept/")
    assert response.status_code == 409 and response.json()["rules"][0]["code"] == "wrong_position"


def test_reject_and_cancel(actors, client_for, team):
    _me, colleague, colleague_user, shift = team
    swap = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json").json()
    # A second offer of the same shift is refused while the first is live.
    again = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "swap_already_offered"
    # Only the requester withdraws it.
    assert client_for(colleague_user).post(f"{URL}{swap['id']}/cancel/").status_code == 403
    assert client_for(actors.staff).post(f"{URL}{swap['id']}/cancel/").json()["status"] == "cancelled"
    assert client_for(colleague_user).post(f"{URL}{swap['id']}/accept/").status_code == 409
    swap = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json").json()
    assert (
        client_for(actors.manager).post(f"{URL}{swap['id']}/reject/", {"reason": "short staffed"}).json()["status"]
        == "rejected"
    )
    assert client_for(actors.manager).post(f"{URL}{swap['id']}/approve/").status_code == 409
    assert Shift.objects.get(pk=shift.pk).employee_id == shift.employee_id


def test_offer_refusals(actors, client_for, team):
    me, colleague, _user, shift = team
    client = client_for(actors.staff)
    # Someone else's shift.
    theirs = ShiftFactory(schedule=shift.schedule, employee=colleague, start_time=dt.time(16), end_time=dt.time(20))
    assert client.post(URL, {"shift": str(theirs.pk), "kind": "drop"}, format="json").status_code == 403
    # A draft schedule's shift.
    draft = ShiftFactory(
        schedule=ScheduleFactory(store=actors.store, schedule_date=timezone.localdate() + dt.timedelta(days=9)),
        employee=me,
    )
    response = client.post(URL, {"shift": str(draft.pk), "kind": "drop"}, format="json")
    assert response.status_code in (400, 409)  # staff do not even see draft shifts (400 naming the field)
    # A past shift.
    past = ShiftFactory(schedule=published(actors.store, days=-2), employee=me)
    response = client.post(URL, {"shift": str(past.pk), "kind": "drop"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "shift_started"
    # A swap without a colleague, with oneself.
    response = client.post(URL, {"shift": str(shift.pk), "kind": "swap"}, format="json")
    assert response.status_code == 400 and "target" in response.json()
    response = client.post(URL, {"shift": str(shift.pk), "kind": "swap", "target": me.pk}, format="json")
    assert response.status_code == 400 and "target" in response.json()


def test_other_store_is_404(actors, client_for, team):
    _me, _colleague, _user, shift = team
    swap = client_for(actors.staff).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json").json()
    assert client_for(actors.other_manager).post(f"{URL}{swap['id']}/approve/").status_code == 404
    assert client_for(actors.other_staff).get(f"{URL}{swap['id']}/").status_code == 404
    body = client_for(actors.other_manager).post(URL, {"shift": str(shift.pk), "kind": "drop"}, format="json")
    assert body.status_code == 400 and "shift" in body.json()


def test_list_query_count_does_not_depend_on_page_size(actors, client_for):
    schedule = published(actors.store)
    client = client_for(actors.manager)

    def make(n):
        for _i in range(n):
            employee = EmployeeFactory(store=actors.store)
            shift = ShiftFactory(schedule=schedule, employee=employee)
            target = EmployeeFactory(store=actors.store)
            ShiftSwapRequest.objects.create(shift=shift, kind="swap", requested_by=employee, target=target)

    make(3)
    few, _ = count_queries(lambda: client.get(URL, {"page_size": 2}))
    make(10)
    many, response = count_queries(lambda: client.get(URL, {"page_size": 13}))
    assert few == many and len(response.json()["results"]) == 13
    assert response.json()["results"][0]["target_name"]
