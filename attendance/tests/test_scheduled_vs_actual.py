"""Scheduled vs actual per employee (selector, API, admin page)."""

import datetime as dt

import pytest
from django.test import Client

from attendance import selectors
from attendance.tests.conftest import NOW, make_shift
from attendance.tests.factories import TimeEntryFactory, local
from stores.tests.factories import EmployeeFactory
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db

DAY = NOW.date() - dt.timedelta(days=1)
URL = "/api/v1/time-entries/scheduled-vs-actual/"


@pytest.fixture
def day_of_work(clock, worker, actors):
    """Li Wei: 09:00-17:00, in 09:12 out 16:40 with 30 min break; Zhao: a no-show 10:00-14:00 and
    2 h worked without a shift the day before."""
    shift = make_shift(worker, DAY, dt.time(9), dt.time(17))
    TimeEntryFactory(
        employee=worker, shift=shift, business_date=DAY,
        clock_in_at=local(DAY, 9, 12), clock_out_at=local(DAY, 16, 40), break_seconds=1800,
    )  # fmt: skip
    zhao = EmployeeFactory(id="EMP-Z", store=actors.store, name="Zhao Min")
    make_shift(zhao, DAY, dt.time(10), dt.time(14))
    TimeEntryFactory(
        employee=zhao, business_date=DAY, clock_in_at=local(DAY, 18), clock_out_at=local(DAY, 20), break_seconds=0
    )
    return worker, zhao


def test_selector_per_employee_and_totals(day_of_work, actors):
    data = selectors.scheduled_vs_actual(actors.store, DAY, DAY)
    li, zhao = data["employees"]
    assert li["employee_name"] == "Li Wei" and li["shifts"] == 1 and li["scheduled_hours"] == 8
    # 09:12-16:40 is 7 h 28 min, less the 30 min break.
    assert li["worked_hours"] == pytest.approx(6.97, abs=0.01)
    assert li["late_count"] == 1 and li["late_minutes"] == 12
    assert li["early_leave_count"] == 1 and li["early_leave_minutes"] == 20 and li["no_shows"] == 0
    assert li["difference_hours"] == pytest.approx(-1.03, abs=0.01)
    assert zhao["no_shows"] == 1 and zhao["worked_hours"] == 0 and zhao["unscheduled_hours"] == 2
    assert zhao["difference_hours"] == -2
    totals = data["totals"]
    assert totals["shifts"] == 2 and totals["scheduled_hours"] == 12 and totals["no_shows"] == 1
    assert totals["unscheduled_hours"] == 2 and totals["difference_hours"] == pytest.approx(-3.03, abs=0.01)
    shift_rows = {r["employee"]: r for r in data["shifts"]}
    assert shift_rows["EMP-Z"]["no_show"] and shift_rows["EMP-W"]["scheduled_hours"] == 8


def test_selector_query_count_does_not_grow(day_of_work, actors):
    few, _ = count_queries(lambda: selectors.scheduled_vs_actual(actors.store, DAY, DAY + dt.timedelta(days=6)))
    for offset in range(2, 6):
        other = EmployeeFactory(store=actors.store)
        make_shift(other, DAY + dt.timedelta(days=offset % 3), dt.time(9), dt.time(12))
    many, _ = count_queries(lambda: selectors.scheduled_vs_actual(actors.store, DAY, DAY + dt.timedelta(days=6)))
    assert few == many == 2


def test_api(day_of_work, actors, client_for):
    body = client_for(actors.manager).get(URL, {"date_from": DAY, "date_to": DAY}).json()
    assert [e["employee"] for e in body["employees"]] == ["EMP-W", "EMP-Z"]
    assert body["totals"]["no_shows"] == 1 and len(body["shifts"]) == 2
    assert client_for(actors.staff).get(URL, {"date_from": DAY, "date_to": DAY}).status_code == 403
    response = client_for(actors.other_manager).get(URL, {"date_from": DAY, "date_to": DAY, "store": "STORE001"})
    assert response.status_code == 404
    assert client_for(actors.manager).get(URL, {"date_from": "x", "date_to": DAY}).status_code == 400


def test_admin_page(day_of_work, actors):
    client = Client()
    client.force_login(actors.manager)
    url = "/admin/attendance/timeentry/scheduled-vs-actual/"
    response = client.get(url, {"date": DAY.isoformat()})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="sva-employees"' in body and "Li Wei" in body and "Zhao Min" in body
    assert 'id="sva-totals"' in body and "-3.03" in body and 'class="sva-noshow"' in body
    week = client.get(url, {"date": DAY.isoformat(), "period": "week"}).content.decode()
    assert "Li Wei" in week and "sva-active" in week
    staff = Client()
    staff.force_login(actors.staff)
    assert staff.get(url).status_code in (302, 403)
