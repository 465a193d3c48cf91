"""The open-shift and swap admins (scoped changelists, decision actions) and the week grid's row."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from scheduling import services
from scheduling.models import OpenShift, Schedule, Shift, ShiftSwapRequest
from scheduling.tests.factories import OpenShiftFactory, ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(actors):
    client = Client()
    client.force_login(actors.manager)
    return client


def published(store, days=3):
    schedule = ScheduleFactory(store=store, schedule_date=timezone.localdate() + dt.timedelta(days=days))
    Schedule.objects.filter(pk=schedule.pk).update(is_published=True, published_at=timezone.now())
    schedule.refresh_from_db()
    return schedule


def test_open_shift_changelist_scoped_and_approve_action(actors, web):
    schedule = published(actors.store)
    pending = OpenShiftFactory(schedule=schedule, requires_approval=True, start_time=dt.time(17), end_time=dt.time(21))
    employee = EmployeeFactory(store=actors.store, name="Chen Jie")
    services.open_shift_claim(actor=actors.manager, open_shift=pending, employee=employee)
    OpenShiftFactory(schedule=published(actors.other_store), notes="elsewhere")
    body = web.get("/admin/scheduling/openshift/").content.decode()
    assert "Chen Jie" in body and "Pending approval" in body and "elsewhere" not in body
    response = web.post(
        "/admin/scheduling/openshift/",
        {"action": "open_shift_approve", "_selected_action": [str(pending.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == OpenShift.Status.FILLED and pending.shift.employee == employee


def test_manager_posts_an_open_shift_in_the_admin(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=timezone.localdate() + dt.timedelta(days=4))
    assert web.get("/admin/scheduling/openshift/add/").status_code == 200
    response = web.post(
        "/admin/scheduling/openshift/add/",
        {
            "schedule": str(schedule.pk),
            "position": "chef",
            "required_skills": "[]",
            "shift_type": "evening",
            "start_time": "17:00",
            "end_time": "22:00",
            "notes": "banquet",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = OpenShift.objects.get(notes="banquet")
    assert row.position == "chef" and row.source == "manual" and row.posted_by == actors.manager


def test_swap_changelist_and_reject_action(actors, web):
    schedule = published(actors.store)
    me = EmployeeFactory(store=actors.store, name="Li Na")
    shift = ShiftFactory(schedule=schedule, employee=me)
    swap = ShiftSwapRequest.objects.create(shift=shift, kind="drop", requested_by=me)
    body = web.get("/admin/scheduling/shiftswaprequest/").content.decode()
    assert "Li Na" in body and "Drop" in body
    assert web.get(f"/admin/scheduling/shiftswaprequest/{swap.pk}/change/").status_code == 200
    web.post(
        "/admin/scheduling/shiftswaprequest/",
        {"action": "swap_request_reject", "_selected_action": [str(swap.pk)]},
    )
    swap.refresh_from_db()
    assert swap.status == "rejected" and Shift.objects.get(pk=shift.pk).employee == me


def test_week_grid_shows_open_shifts_row(actors, web):
    schedule = published(actors.store)
    OpenShiftFactory(schedule=schedule, position="chef", start_time=dt.time(17), end_time=dt.time(22))
    response = web.get("/admin/scheduling/schedule/week/", {"week": schedule.schedule_date.isoformat()})
    body = response.content.decode()
    assert 'data-open-position="chef"' in body and "17:00–22:00" in body and "Open shifts" in body
