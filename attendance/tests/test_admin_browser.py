"""The attendance admin screens in Chromium (English and Chinese, desktop and phone width):
they render, and the screenshots land in test-artifacts/ to be looked at."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts.tests.factories import TEST_PASSWORD
from attendance import services
from attendance.models import TimeEntry
from attendance.tests.factories import TimeEntryFactory, local
from stores.tests.factories import EmployeeFactory

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]


def _week(manager, store):
    monday = dt.date(2026, 11, 16)
    for name, hours in (("王芳", 9), ("Li Wei", 8), ("陈静", 11)):
        employee = EmployeeFactory(store=store, name=name)
        for offset in range(5):
            day = monday + dt.timedelta(days=offset)
            TimeEntryFactory(employee=employee, business_date=day, clock_in_at=local(day, 9),
                             clock_out_at=local(day, 9 + hours, 30), break_seconds=1800)  # fmt: skip
        services.timesheet_compute(employee=employee, week_start=monday, user=manager)
    TimeEntry.objects.filter(business_date=monday + dt.timedelta(days=4)).update(needs_review=True, auto_closed=True)


@pytest.mark.django_db(transaction=True)
def test_attendance_admin_screens(live_server, store, manager):
    _week(manager, store)
    entry = TimeEntry.objects.filter(store=store).first()
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "timeentries": "/admin/attendance/timeentry/",
        "timeentry": f"/admin/attendance/timeentry/{entry.pk}/change/",
        "timesheets": "/admin/attendance/timesheet/",
    }
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for lang in ("en", "zh-hans"):
            for width in (1440, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
                page = context.new_page()
                page.goto(f"{live_server.url}/admin/login/?next=/admin/")
                page.fill("#id_username", manager.username)
                page.fill("#id_password", TEST_PASSWORD)
                page.click("[type=submit]")
                page.wait_for_url("**/admin/")
                for name, path in pages.items():
                    response = page.goto(f"{live_server.url}{path}")
                    assert response.status == 200, (name, lang)
                    page.screenshot(path=str(ARTIFACTS / f"attendance-{name}-{lang}-{width}.png"), full_page=True)
                if lang == "zh-hans":
                    page.goto(f"{live_server.url}/admin/attendance/timesheet/")
                    assert "工时表" in page.content()
                context.close()
        browser.close()
