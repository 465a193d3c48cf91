"""Leave requests in the admin (changelist, add, approve/deny/cancel buttons and actions), the
availability inline on the employee, and leave marked on the week grid."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.test import Client

from scheduling import selectors
from scheduling.models import Availability, LeaveRequest, Shift
from scheduling.tests.conftest import DAY
from scheduling.tests.factories import AvailabilityFactory, LeaveRequestFactory, ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/scheduling/leaverequest/"
WEEK = "/admin/scheduling/schedule/week/"


def web_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def li(store):
    return EmployeeFactory(store=store, id="E2", name="Li Wei", position="waiter")


def test_changelist_is_scoped_and_bounded(actors, li):
    LeaveRequestFactory(employee=li, start_date=DAY, end_date=DAY + dt.timedelta(days=1))
    theirs = LeaveRequestFactory(employee=EmployeeFactory(store=actors.other_store, name="Other Person"))
    web = web_for(actors.manager)
    response = web.get(CHANGELIST)
    assert response.status_code == 200
    body = text(response)
    assert "Li Wei" in body and "Other Person" not in body
    assert web.get(f"{CHANGELIST}{theirs.pk}/change/").status_code == 302  # "does not exist" redirect

    def make_rows(n):
        for _ in range(n):
            LeaveRequestFactory(employee=EmployeeFactory(store=actors.store))

    assert_constant_queries(make_rows, lambda: web.get(CHANGELIST), small=2, large=12)
    assert web_for(actors.admin).get(CHANGELIST, {"q": "Other"}).status_code == 200


def test_add_goes_through_the_service(actors, li):
    web = web_for(actors.manager)
    assert web.get(f"{CHANGELIST}add/").status_code == 200
    data = {"employee": li.pk, "leave_type": "sick", "start_date": "2026-12-02", "end_date": "2026-12-03"}
    response = web.post(f"{CHANGELIST}add/", {**data, "reason": "flu"})
    assert response.status_code == 302, text(response)[:2000]
    leave = LeaveRequest.objects.get()
    assert leave.requested_by == actors.manager and leave.status == "pending" and leave.reason == "flu"
    # An overlap is shown on the form, nothing saved.
    again = web.post(f"{CHANGELIST}add/", {**data, "start_date": "2026-12-03", "end_date": "2026-12-03"})
    assert again.status_code == 200 and "already has pending leave" in text(again)
    assert LeaveRequest.objects.count() == 1


def test_buttons_approve_deny_and_cancel(actors, li):
    schedule = ScheduleFactory(store=actors.store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=li)
    leave = LeaveRequestFactory(employee=li, start_date=DAY, end_date=DAY)
    web = web_for(actors.manager)
    url = f"{CHANGELIST}{leave.pk}/change/"
    page = text(web.get(url))
    assert 'name="_approve"' in page and 'name="_deny"' in page and 'name="_cancel_leave"' in page
    response = web.post(url, {"_approve": "1", "decision_note_input": "have fun"}, follow=True)
    assert "The request is approved." in messages_of(response)
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.decision_note == "have fun" and leave.decided_by == actors.manager
    assert not Shift.objects.exists()
    page = text(web.get(url))
    assert 'name="_approve"' not in page and 'name="_cancel_leave"' in page
    response = web.post(url, {"_deny": "1"}, follow=True)
    assert any("cannot be denied" in m for m in messages_of(response))
    web.post(url, {"_cancel_leave": "1"})
    leave.refresh_from_db()
    assert leave.status == "cancelled"


def test_actions_decide_each_selected_request(actors, li):
    first = LeaveRequestFactory(employee=li, start_date=DAY, end_date=DAY)
    second = LeaveRequestFactory(employee=EmployeeFactory(store=actors.store), start_date=DAY, end_date=DAY)
    done = LeaveRequestFactory(employee=li, start_date=DAY + dt.timedelta(days=5), status="denied")
    web = web_for(actors.manager)
    response = web.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [first.pk, second.pk, done.pk]},
        follow=True,
    )
    statuses = dict(LeaveRequest.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "approved", done.pk: "denied"}
    assert any("1 leave request was refused." in m for m in messages_of(response))
    third = LeaveRequestFactory(employee=li, start_date=DAY + dt.timedelta(days=9))
    web.post(CHANGELIST, {"action": "deny_selected", "_selected_action": [third.pk]})
    assert LeaveRequest.objects.get(pk=third.pk).status == "denied"


def test_availability_inline_on_the_employee_saves_through_the_service(actors, li):
    AvailabilityFactory(employee=li, weekday=0, start_time=dt.time(10), end_time=dt.time(14))
    web = web_for(actors.manager)
    url = f"/admin/stores/employee/{li.pk}/change/"
    page = web.get(url)
    assert page.status_code == 200 and "availability-TOTAL_FORMS" in page.content.decode()
    existing = Availability.objects.get()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "id": li.pk,
            "store": actors.store.pk,
            "name": li.name,
            "position": li.position,
            "training_completed": "[]",
            "preferences": "{}",
            "performance_score": "80",
            "hourly_wage_cents": "25.00",
            "is_active": "on",
            "availability-TOTAL_FORMS": "2",
            "availability-INITIAL_FORMS": "1",
            "availability-MIN_NUM_FORMS": "0",
            "availability-MAX_NUM_FORMS": "1000",
            "availability-0-id": existing.pk,
            "availability-0-employee": li.pk,
            "availability-0-weekday": "0",
            "availability-0-start_time": "10:00",
            "availability-0-end_time": "15:00",
            "availability-1-employee": li.pk,
            "availability-1-weekday": "4",
            "availability-1-start_time": "17:00",
            "availability-1-end_time": "23:00",
        }
    )
    data.pop("user", None)
    response = web.post(url, data)
    assert response.status_code == 302, (
        [f.errors for f in response.context["inline_admin_formsets"][0].formset] if response.context else response
    )
    rows = list(Availability.objects.order_by("weekday").values_list("weekday", "start_time", "end_time"))
    assert rows == [(0, dt.time(10), dt.time(15)), (4, dt.time(17), dt.time(23))]
    events = set(
        LogEntry.objects.filter(additional_data__event__startswith="availability.").values_list(
            "additional_data__event", flat=True
        )
    )
    assert events == {"availability.create", "availability.update"}


def test_week_grid_marks_approved_and_pending_leave(actors, li):
    wang = EmployeeFactory(store=actors.store, id="E1", name="Wang Fang", position="waiter")
    monday = DAY - dt.timedelta(days=2)
    LeaveRequestFactory(employee=li, start_date=monday, end_date=monday + dt.timedelta(days=1), status="approved")
    LeaveRequestFactory(employee=wang, start_date=DAY, end_date=DAY, leave_type="sick")  # pending
    LeaveRequestFactory(employee=wang, start_date=monday, end_date=monday, status="denied")  # not shown
    response = web_for(actors.manager).get(WEEK, {"week": DAY.isoformat()})
    assert response.status_code == 200
    employees = {e["name"]: e for g in response.context["groups"] for e in g["employees"]}
    li_cells, wang_cells = employees["Li Wei"]["cells"], employees["Wang Fang"]["cells"]
    assert [c["day_off"] for c in li_cells] == [True, True] + [False] * 5
    assert [bool(c["leave"]) for c in wang_cells] == [False, False, True] + [False] * 4
    assert not any(c["day_off"] for c in wang_cells) and wang_cells[2]["leave_pending"]
    body = text(response)
    assert body.count('wk-leave"') + body.count("wk-leave ") >= 2 and "Annual leave" in body
    assert "wk-leave-pending" in body and "Sick leave · asked" in body
    # The days-off selector joins the leave.
    assert selectors.employee_days_off({"days_off": ["sun"]}, [monday, DAY], [DAY]) == {DAY}
