"""The attendance admin: corrections through the services with a reason, approval and export actions."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.test import Client

from attendance.models import TimeEntry, Timesheet
from attendance.tests.factories import TimeEntryFactory, TimesheetFactory
from stores.tests.factories import EmployeeFactory
from zhilian.audit import audit_entries


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(entry, **changes):
    data = {
        "employee": entry.employee_id,
        "shift": "",
        "clock_in_at_0": "2026-01-05",
        "clock_in_at_1": "09:00:00",
        "clock_out_at_0": "2026-01-05",
        "clock_out_at_1": "17:00:00",
        "break_seconds": "1800",
        "notes": "",
        "edit_reason": "",
        "breaks-TOTAL_FORMS": "0",
        "breaks-INITIAL_FORMS": "0",
        "breaks-MIN_NUM_FORMS": "0",
        "breaks-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_manager_corrects_an_entry_with_a_reason(actors):
    entry = TimeEntryFactory(employee=EmployeeFactory(store=actors.store), business_date=dt.date(2026, 1, 5))
    client = _client(actors.manager)
    url = f"/admin/attendance/timeentry/{entry.pk}/change/"
    refused = client.post(url, _form(entry, clock_out_at_1="18:00:00"))
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    response = client.post(url, _form(entry, clock_out_at_1="18:00:00", edit_reason="Stayed for inventory"))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    entry.refresh_from_db()
    assert entry.worked_seconds == 8.5 * 3600 and entry.edit_reason == "Stayed for inventory"
    log = audit_entries(entry)[0]
    assert log.actor == actors.manager and log.additional_data["reason"] == "Stayed for inventory"
    history = client.get(f"/admin/attendance/timeentry/{entry.pk}/history/").content.decode()
    assert "Stayed for inventory" in history


def test_other_store_entry_is_not_found(actors):
    entry = TimeEntryFactory(employee=EmployeeFactory(store=actors.other_store))
    response = _client(actors.manager).get(f"/admin/attendance/timeentry/{entry.pk}/change/")
    assert response.status_code == 302  # Django redirects a missing object to the index
    assert not TimeEntry.objects.for_user(actors.manager).filter(pk=entry.pk).exists()


def test_approve_then_export_actions(actors):
    employee = EmployeeFactory(store=actors.store, name="Wang Fang")
    sheet = TimesheetFactory(employee=employee, week_start="2026-11-16")
    client = _client(actors.manager)
    changelist = "/admin/attendance/timesheet/"
    response = client.post(changelist, {"action": "approve_selected", "_selected_action": [str(sheet.pk)]})
    assert response.status_code == 302
    assert Timesheet.objects.get(pk=sheet.pk).status == "approved"
    response = client.post(changelist, {"action": "export_csv", "_selected_action": [str(sheet.pk)]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["STORE001", employee.pk, "Wang Fang", "2026-11-16"]
    xlsx = client.post(changelist, {"action": "export_xlsx", "_selected_action": [str(sheet.pk)]})
    assert xlsx.content[:2] == b"PK"  # a zip: the XLSX container


def test_manager_computes_a_timesheet_in_the_admin(actors):
    employee = EmployeeFactory(store=actors.store)
    TimeEntryFactory(employee=employee, business_date=dt.date(2026, 11, 17))
    response = _client(actors.manager).post(
        "/admin/attendance/timesheet/add/", {"employee": employee.pk, "week_start": "2026-11-16"}
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    sheet = Timesheet.objects.get(employee=employee)
    assert (sheet.worked_minutes, sheet.regular_minutes) == (450, 450)
