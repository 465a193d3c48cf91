"""Open shifts and scheduled-vs-actual in a real browser (Chromium through Playwright): the week grid's
open-shift rows, the scheduled-vs-actual page and a staff member claiming an open shift from "my
shifts" on a phone, in English and Chinese, at 1440 px and 390 px.

Screenshots: openshifts-<lang>-<width>-<page>.png in $WEEK_GRID_SCREENSHOTS (default test-artifacts/).
"""

import datetime as dt
import os

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from attendance.models import TimeEntry
from dashboard.tests.test_dashboard_browser import CHROMIUM, chromium
from notifications.tests.live import AsgiServer, use_private_channel_layer
from scheduling.models import OpenShift, Schedule, Shift
from scheduling.tests.factories import OpenShiftFactory, ScheduleFactory, ShiftFactory
from scheduling.tests.test_week_grid_browser import SHOTS, log_in_admin, new_page
from stores.tests.factories import EmployeeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]


@pytest.fixture
def asgi_server(transactional_db, settings):
    use_private_channel_layer(settings)
    server = AsgiServer().start()
    yield server
    server.stop()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"openshifts-{name}.png"), full_page=True)


@pytest.fixture
def scene(store, staff):
    """Yesterday worked (one late, one no-show) and, in three days, a published day with three open
    shifts (two for waiters, one chef's already claimed and pending approval); staff1 is Wang Fang."""
    today = timezone.localdate()
    wang = EmployeeFactory(store=store, id="E01", name="Wang Fang", position="waiter", user=staff)
    li = EmployeeFactory(store=store, id="E02", name="Li Wei", position="waiter")
    zhao = EmployeeFactory(store=store, id="E03", name="Zhao Lei", position="chef")
    yesterday = ScheduleFactory(store=store, schedule_date=today - dt.timedelta(days=1))
    Schedule.objects.filter(pk=yesterday.pk).update(is_published=True, published_at=timezone.now())
    late = ShiftFactory(schedule=yesterday, employee=wang, start_time=dt.time(10), end_time=dt.time(15))
    ShiftFactory(schedule=yesterday, employee=zhao, start_time=dt.time(16), end_time=dt.time(22), position="chef")
    start = late.starts_at + dt.timedelta(minutes=14)
    TimeEntry.objects.create(
        store=store,
        employee=wang,
        shift=late,
        business_date=yesterday.schedule_date,
        clock_in_at=start,
        clock_out_at=late.ends_at,
        worked_seconds=int((late.ends_at - start).total_seconds()),
    )
    day = today + dt.timedelta(days=3)
    ahead = ScheduleFactory(store=store, schedule_date=day)
    Schedule.objects.filter(pk=ahead.pk).update(is_published=True, published_at=timezone.now())
    ahead.refresh_from_db()
    ShiftFactory(schedule=ahead, employee=li, start_time=dt.time(10), end_time=dt.time(15))
    waiter = OpenShiftFactory(schedule=ahead, position="waiter", start_time=dt.time(17), end_time=dt.time(21))
    OpenShiftFactory(schedule=ahead, position="waiter", start_time=dt.time(6), end_time=dt.time(9), notes="early")
    pending = OpenShiftFactory(
        schedule=ahead, position="chef", start_time=dt.time(11), end_time=dt.time(14), requires_approval=True
    )
    OpenShift.objects.filter(pk=pending.pk).update(
        status=OpenShift.Status.PENDING_APPROVAL, claimed_by=zhao, claimed_at=timezone.now()
    )
    return {"day": day, "yesterday": yesterday.schedule_date, "waiter": waiter}


def test_open_shift_rows_comparison_and_claim(asgi_server, store, manager, staff, scene):
    base = asgi_server.url
    grid = f"{base}/admin/scheduling/schedule/week/?week={scene['day'].isoformat()}"
    compare = f"{base}/admin/attendance/timeentry/scheduled-vs-actual/?date={scene['yesterday'].isoformat()}"
    errors: list[str] = []
    with chromium() as browser:
        for language, marker, compare_title in (
            ("en", "Open shifts", "Scheduled vs actual"),
            ("zh-hans", "空缺班次", "排班与实际对比"),
        ):
            page = new_page(browser, base, width=1440, language=language, errors=errors)
            log_in_admin(page, base, manager)
            page.goto(grid)
            page.wait_for_selector(".wk-open-shifts")
            rows = page.locator(".wk-open-shifts")
            assert rows.count() == 2
            assert marker in rows.first.text_content()
            assert "17:00–21:00" in page.text_content('tr[data-open-position="waiter"]')
            assert "Zhao Lei" in page.text_content('tr[data-open-position="chef"]')
            shoot(page, f"{language}-1440-grid")
            page.goto(compare)
            page.wait_for_selector("#sva-employees")
            assert compare_title in page.text_content("h1")
            assert "Wang Fang" in page.text_content("#sva-employees")
            assert page.locator("#sva-totals").count() == 1
            shoot(page, f"{language}-1440-compare")
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(compare)
            page.wait_for_selector("#sva-employees")
            assert page.evaluate("document.documentElement.scrollWidth") <= 400
            shoot(page, f"{language}-390-compare")

        for language, claimed in (("en", "The shift is yours."), ("zh-hans", "")):
            phone = new_page(browser, base, width=390, language=language, errors=errors)
            phone.goto(f"{base}/dashboard/login/?next=/my-shifts/")
            phone.fill("#id_username", staff.username)
            phone.fill("#id_password", TEST_PASSWORD)
            phone.click("[type=submit]")
            phone.wait_for_url(f"{base}/my-shifts/")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            if language == "en":
                assert phone.locator("#ms-open .ms-claim").count() == 2
                shoot(phone, "en-390-myshifts")
                phone.click(f'#ms-open [data-open-shift="{scene["waiter"].pk}"] .ms-claim')
                phone.wait_for_selector(".ms-messages")
                assert claimed in phone.text_content(".ms-messages")
                shoot(phone, "en-390-claimed")
            else:
                assert phone.locator("#ms-open .ms-claim").count() == 1
                assert "您可认领的空缺班次" in phone.text_content("#ms-open")
                shoot(phone, "zh-hans-390-myshifts")
    assert errors == []
    assert Shift.objects.filter(employee__name="Wang Fang", start_time=dt.time(17)).count() == 1
