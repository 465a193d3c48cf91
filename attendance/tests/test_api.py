"""The attendance API: the generic resource suite per endpoint, the `me` time clock, a manager's
punch, actuals, approval and the payroll export."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from attendance.models import TimeEntry, Timesheet
from attendance.tests.conftest import NOW, make_shift
from attendance.tests.factories import PublicHolidayFactory, TimeEntryFactory, TimesheetFactory, local
from stores.tests.factories import EmployeeFactory
from zhilian.testing.api import APIResourceTests


class TestTimeEntryResource(APIResourceTests):
    list_url = "/api/v1/time-entries/"

    def make(self, store, **kwargs):
        return TimeEntryFactory(employee=EmployeeFactory(store=store), **kwargs)

    def create_payload(self, actors):
        employee = EmployeeFactory(store=actors.store)
        return {
            "employee": employee.pk,
            "clock_in_at": "2026-01-05T09:00:00+08:00",
            "clock_out_at": "2026-01-05T17:30:00+08:00",
            "break_seconds": 1800,
            "edit_reason": "The tablet was down",
        }

    def check_created(self, obj, payload):
        assert obj.worked_seconds == 8 * 3600 and obj.edit_reason == "The tablet was down"
        assert obj.business_date == dt.date(2026, 1, 5) and obj.store_id == "STORE001"

    def update_payload(self, obj):
        return {"notes": "Covered the bar", "edit_reason": "Noted by the manager"}


class TestTimesheetResource(APIResourceTests):
    list_url = "/api/v1/timesheets/"
    writable = False  # computed by POST (tested below), never edited

    def make(self, store, **kwargs):
        return TimesheetFactory(employee=EmployeeFactory(store=store), **kwargs)

    def create_payload(self, actors):
        return {"employee": EmployeeFactory(store=actors.store).pk, "week_start": "2026-11-16"}


class TestPublicHolidayResource(APIResourceTests):
    list_url = "/api/v1/public-holidays/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return PublicHolidayFactory(**kwargs)

    def create_payload(self, actors):
        return {"date": "2031-10-01", "name": "国庆节", "kind": "holiday"}

    def check_created(self, obj, payload):
        assert (obj.date, obj.kind) == (dt.date(2031, 10, 1), "holiday")

    def update_payload(self, obj):
        return {"kind": "rest_day"}


def test_staff_see_only_their_own_entries(actors, worker, client_for):
    mine = TimeEntryFactory(employee=worker)
    theirs = TimeEntryFactory(employee=EmployeeFactory(store=actors.store))
    body = client_for(actors.staff).get("/api/v1/time-entries/").json()
    assert [row["id"] for row in body["results"]] == [str(mine.pk)]
    assert client_for(actors.staff).get(f"/api/v1/time-entries/{theirs.pk}/").status_code == 404


def test_me_clock_through_a_day(clock, actors, worker, client_for):
    shift = make_shift(worker, NOW.date(), dt.time(10), dt.time(18))
    client = client_for(actors.staff)
    assert client.get("/api/v1/attendance/me/").json()["state"] == "clocked_out"
    body = client.post("/api/v1/attendance/me/clock-in/", {}, format="json").json()
    assert body["state"] == "clocked_in" and body["employee"] == "EMP-W"
    assert body["entry"]["shift"] == str(shift.pk)
    again = client.post("/api/v1/attendance/me/clock-in/", {}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "Li Wei is already clocked in.", "code": "already_clocked_in"}
    clock.advance(hours=4)
    assert client.post("/api/v1/attendance/me/break-start/").json()["state"] == "on_break"
    clock.advance(minutes=30)
    assert client.post("/api/v1/attendance/me/break-end/").json()["state"] == "clocked_in"
    clock.advance(hours=3, minutes=30)
    body = client.post("/api/v1/attendance/me/clock-out/").json()
    assert body["state"] == "clocked_out" and body["entry"] is None
    entry = TimeEntry.objects.get(employee=worker)
    assert (entry.worked_seconds, entry.break_seconds) == (7.5 * 3600, 1800)


def test_me_without_an_employee_record_is_409(actors, client_for):
    response = client_for(actors.manager).post("/api/v1/attendance/me/clock-in/")
    assert response.status_code == 409 and response.json()["code"] == "no_employee"


def test_early_clock_in_refused_for_staff_over_the_api(clock, actors, worker, client_for):
    make_shift(worker, NOW.date(), dt.time(11), dt.time(18))
    response = client_for(actors.staff).post("/api/v1/attendance/me/clock-in/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "More than 15 minutes before the shift starts at 11:00: ask a manager.",
        "code": "early_clock_in",
    }


def test_manager_punch_needs_a_reason(clock, actors, worker, client_for):
    client = client_for(actors.manager)
    response = client.post("/api/v1/time-entries/punch/", {"employee": worker.pk, "kind": "clock_in"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        "/api/v1/time-entries/punch/",
        {"employee": worker.pk, "kind": "clock_in", "reason": "Tablet down", "at": "2026-11-25T09:45:00+08:00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["clock_in_at"] == "2026-11-25T09:45:00+08:00"
    assert (
        response.json()["clocked_in_by"] == str(actors.manager.pk) and response.json()["edit_reason"] == "Tablet down"
    )


def test_actuals_endpoint(clock, actors, worker, client_for):
    shift = make_shift(worker, NOW.date() - dt.timedelta(days=1), dt.time(9), dt.time(17))
    day = shift.schedule.schedule_date
    TimeEntryFactory(employee=worker, shift=shift, business_date=day, clock_in_at=local(day, 9, 5),
                     clock_out_at=local(day, 17), break_seconds=0)  # fmt: skip
    response = client_for(actors.manager).get(
        "/api/v1/time-entries/actuals/", {"date_from": str(day), "date_to": str(day)}
    )
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert (row["late_minutes"], row["early_leave_minutes"], row["no_show"]) == (5, 0, False)
    assert row["worked_hours"] == 7.92 and row["employee_name"] == "Li Wei"


def test_compute_approve_and_export(clock, actors, worker, client_for):
    client = client_for(actors.manager)
    monday = dt.date(2026, 11, 16)
    for offset in range(5):
        day = monday + dt.timedelta(days=offset)
        TimeEntryFactory(employee=worker, business_date=day, clock_in_at=local(day, 9), clock_out_at=local(day, 19),
                         break_seconds=0)  # fmt: skip
    created = client.post("/api/v1/timesheets/", {"employee": worker.pk, "week_start": str(monday)}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["regular_minutes"], body["overtime_workday_minutes"], body["gross_pay_cents"]) == (2400, 600, 137500)
    # Export before approval: no rows.
    empty = client.get("/api/v1/timesheets/export/", {"week_start": str(monday)})
    assert list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig"))))[1:] == []
    approved = client.post(f"/api/v1/timesheets/{body['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert client.post(f"/api/v1/timesheets/{body['id']}/approve/").status_code == 409
    locked = client.patch(
        f"/api/v1/time-entries/{TimeEntry.objects.filter(employee=worker).first().pk}/",
        {"notes": "x", "edit_reason": "late fix"},
        format="json",
    )
    assert locked.status_code == 409 and locked.json()["code"] == "locked"

    response = client.get("/api/v1/timesheets/export/", {"week_start": str(monday)})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="timesheets-STORE001-2026-11-16.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:11] == ["STORE001", "EMP-W", "Li Wei", "2026-11-16", "50.0", "40.0", "10.0", "0.0", "0.0",
                            "25.0", "1375.0"]  # fmt: skip
    xlsx = client.get("/api/v1/timesheets/export/", {"week_start": str(monday), "file_type": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][:11] == ["STORE001", "EMP-W", "Li Wei", "2026-11-16", 50, 40, 10, 0, 0, 25,
                                                1375]  # fmt: skip
    # Another store's manager cannot export this store.
    assert (
        client_for(actors.other_manager)
        .get("/api/v1/timesheets/export/", {"week_start": str(monday), "store": "STORE001"})
        .status_code
        == 404
    )


def test_staff_cannot_approve_or_see_colleagues_timesheets(actors, worker, client_for):
    other = TimesheetFactory(employee=EmployeeFactory(store=actors.store))
    mine = TimesheetFactory(employee=worker)
    client = client_for(actors.staff)
    assert [r["id"] for r in client.get("/api/v1/timesheets/").json()["results"]] == [str(mine.pk)]
    assert client.post(f"/api/v1/timesheets/{mine.pk}/approve/").status_code == 403
    assert Timesheet.objects.get(pk=other.pk).status == "draft"


def test_scheduled_vs_actual_per_day_and_employee(clock, actors, worker, client_for):
    day = NOW.date() - dt.timedelta(days=1)
    shift = make_shift(worker, day, dt.time(9), dt.time(17))  # 8 h × 25 ¥ = 200 ¥ scheduled
    absent = EmployeeFactory(store=actors.store, name="Zhao Lei", hourly_wage_cents=20_00)
    make_shift(absent, day, dt.time(11), dt.time(15))  # 4 h × 20 ¥ = 80 ¥, never came
    # Worked 9 h (one hour of workday overtime): 8 × 25 + 1 × 37.5 = 237.50 ¥.
    TimeEntryFactory(employee=worker, shift=shift, business_date=day, clock_in_at=local(day, 9),
                     clock_out_at=local(day, 18), break_seconds=0)  # fmt: skip
    response = client_for(actors.manager).get(
        "/api/v1/time-entries/comparison/", {"date_from": str(day), "date_to": str(day)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["days"] == [
        {"date": str(day), "scheduled_hours": 12.0, "scheduled_cost_cents": 280_00, "actual_hours": 9.0,
         "actual_cost_cents": 237_50}
    ]  # fmt: skip
    assert body["employees"] == [
        {"employee": "EMP-W", "employee_name": "Li Wei", "scheduled_hours": 8.0, "scheduled_shifts": 1,
         "actual_hours": 9.0, "time_entries": 1},
        {"employee": absent.pk, "employee_name": "Zhao Lei", "scheduled_hours": 4.0, "scheduled_shifts": 1,
         "actual_hours": 0.0, "time_entries": 0},
    ]  # fmt: skip
    too_long = client_for(actors.manager).get(
        "/api/v1/time-entries/comparison/", {"date_from": "2026-01-01", "date_to": "2026-06-01"}
    )
    assert too_long.status_code == 400 and "date_to" in too_long.json()


def test_manager_sets_the_store_time_clock_settings(actors, client_for):
    response = client_for(actors.manager).patch(
        "/api/v1/stores/STORE001/",
        {"early_clock_in_minutes": 30, "auto_clock_out_time": "23:30", "auto_clock_out_after_hours": 2},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["early_clock_in_minutes"], body["auto_clock_out_time"], body["auto_clock_out_after_hours"]) == (
        30, "23:30:00", 2,
    )  # fmt: skip
    refused = client_for(actors.manager).patch(
        "/api/v1/stores/STORE001/", {"auto_clock_out_after_hours": 0}, format="json"
    )
    assert refused.status_code == 400 and "auto_clock_out_after_hours" in refused.json()
