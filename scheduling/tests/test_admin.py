"""The admin enforces the same shift rules as the API and runs generate/publish through the services."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from notifications.models import Notification
from scheduling.models import Schedule, Shift
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/scheduling/schedule/"
SHIFTS = "/admin/scheduling/shift/"


@pytest.fixture
def web(actors):
    client = Client()
    client.force_login(actors.manager)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def inline_post(schedule, rows, existing=()):
    data = {
        "notes": schedule.notes,
        "shifts-TOTAL_FORMS": str(len(existing) + len(rows)),
        "shifts-INITIAL_FORMS": str(len(existing)),
        "shifts-MIN_NUM_FORMS": "0",
        "shifts-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate([*existing, *rows]):
        for key, value in row.items():
            data[f"shifts-{i}-{key}"] = value
        data[f"shifts-{i}-schedule"] = str(schedule.pk)
    return data


def row(employee, start, end, shift_type="morning", **extra):
    return {
        "employee": employee.pk,
        "position": employee.position,
        "shift_type": shift_type,
        "start_time": start,
        "end_time": end,
        "notes": "",
        **extra,
    }


def test_changelist_shows_labor_without_per_row_queries(actors, web):
    def make_rows(n):
        for _ in range(n):
            schedule = ScheduleFactory(store=actors.store)
            ShiftFactory(schedule=schedule)

    few, many = assert_constant_queries(make_rows, lambda: web.get(CHANGELIST))
    assert many.status_code == 200
    # One employee at 25.00/h for 6 hours per schedule.
    assert "¥150.00" in many.content.decode()
    ScheduleFactory(store=actors.other_store)
    assert web.get(CHANGELIST).context["cl"].result_count == 50


def test_inline_refuses_overlapping_rows(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    waiter = EmployeeFactory(store=actors.store)
    data = inline_post(schedule, [row(waiter, "10:00", "14:00"), row(waiter, "13:00", "18:00", "afternoon")])
    response = web.post(f"{CHANGELIST}{schedule.pk}/change/", data)
    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert not Shift.objects.exists()


def test_inline_refuses_overlap_with_previous_nights_shift(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    waiter = EmployeeFactory(store=actors.store)
    yesterday = ScheduleFactory(store=actors.store, schedule_date=DAY - dt.timedelta(days=1))
    ShiftFactory(schedule=yesterday, employee=waiter, shift_type="night", start_time=dt.time(22), end_time=dt.time(7))
    response = web.post(f"{CHANGELIST}{schedule.pk}/change/", inline_post(schedule, [row(waiter, "06:00", "12:00")]))
    assert response.status_code == 200 and "overlaps" in response.content.decode()
    assert schedule.shifts.count() == 0


def test_inline_refuses_employee_of_another_store(actors, web, admin_user):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    foreign = EmployeeFactory(store=actors.other_store)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"{CHANGELIST}{schedule.pk}/change/", inline_post(schedule, [row(foreign, "10:00", "14:00")])
    )
    assert response.status_code == 200
    assert "another store" in response.content.decode()
    assert schedule.shifts.count() == 0


def test_inline_saves_through_services(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    waiter = EmployeeFactory(store=actors.store)
    chef = EmployeeFactory(store=actors.store, position="chef")
    data = inline_post(schedule, [row(waiter, "10:00", "14:00"), row(chef, "22:00", "02:00", "night")])
    response = web.post(f"{CHANGELIST}{schedule.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    night = schedule.shifts.get(employee=chef)
    assert night.ends_at - night.starts_at == dt.timedelta(hours=4)
    # Move the waiter's shift and delete the chef's in one save.
    existing = [
        {**row(waiter, "11:00", "15:00"), "id": str(schedule.shifts.get(employee=waiter).pk)},
        {**row(chef, "22:00", "02:00", "night"), "id": str(night.pk), "DELETE": "on"},
    ]
    response = web.post(f"{CHANGELIST}{schedule.pk}/change/", inline_post(schedule, [], existing=existing))
    assert response.status_code == 302
    assert list(schedule.shifts.values_list("employee_id", "start_time")) == [(waiter.pk, dt.time(11))]


def test_published_schedule_inline_is_read_only(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    ShiftFactory(schedule=schedule)
    web.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [str(schedule.pk)]})
    response = web.get(f"{CHANGELIST}{schedule.pk}/change/")
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0]
    assert not formset.has_add_permission and not formset.has_change_permission


def test_actions_generate_and_publish(actors, web, busy_store):
    make_staff(busy_store, FULL_TEAM)
    EmployeeFactory(store=busy_store, position="waiter", user=actors.staff)
    schedule = ScheduleFactory(store=busy_store, schedule_date=DAY)
    response = web.post(CHANGELIST, {"action": "generate_selected", "_selected_action": [str(schedule.pk)]})
    assert response.status_code == 302
    assert any("coverage 100%" in m for m in messages_of(response))
    assert schedule.shifts.count() == 16
    response = web.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [str(schedule.pk)]})
    schedule.refresh_from_db()
    assert schedule.is_published and schedule.published_by == actors.manager
    response = web.post(CHANGELIST, {"action": "generate_selected", "_selected_action": [str(schedule.pk)]})
    assert any("published" in m for m in messages_of(response))
    assert schedule.shifts.count() == 16
    response = web.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [str(schedule.pk)]})
    assert any("already published" in m for m in messages_of(response))


def test_publish_action_notifies(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=EmployeeFactory(store=actors.store, user=actors.staff))
    web.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [str(schedule.pk)]})
    assert Notification.objects.filter(recipient=actors.staff, kind="schedule_published").count() == 1


def test_add_schedule_and_other_store_is_invisible(actors, web):
    response = web.post(
        f"{CHANGELIST}add/", {**inline_post(Schedule(), []), "store": actors.store.pk, "schedule_date": "2027-02-01"}
    )
    assert response.status_code == 302
    assert Schedule.objects.filter(store=actors.store, schedule_date=dt.date(2027, 2, 1)).exists()
    theirs = ScheduleFactory(store=actors.other_store)
    assert web.get(f"{CHANGELIST}{theirs.pk}/change/").status_code == 302  # "does not exist" redirect


def test_shift_admin_enforces_rules(actors, web):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    waiter = EmployeeFactory(store=actors.store)
    form = {"schedule": str(schedule.pk), **row(waiter, "10:00", "14:00")}
    assert web.post(f"{SHIFTS}add/", form).status_code == 302
    shift = Shift.objects.get()
    assert shift.starts_at and shift.position == "waiter"
    response = web.post(f"{SHIFTS}add/", {**form, "start_time": "12:00", "end_time": "16:00"})
    assert response.status_code == 200 and "overlaps" in response.content.decode()
    response = web.post(f"{SHIFTS}{shift.pk}/change/", {**form, "end_time": "15:00"})
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.end_time == dt.time(15)
    assert web.get(SHIFTS).status_code == 200
    web.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [str(schedule.pk)]})
    response = web.post(f"{SHIFTS}{shift.pk}/change/", {**form, "end_time": "16:00"})
    shift.refresh_from_db()
    assert shift.end_time == dt.time(15)
    response = web.post(f"{SHIFTS}{shift.pk}/delete/", {"post": "yes"})
    assert Shift.objects.filter(pk=shift.pk).exists()
