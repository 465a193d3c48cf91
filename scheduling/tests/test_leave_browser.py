"""Leave in a real browser: the week grid marks approved leave (hatched, its type named) and pending
leave (a dashed note); the leave requests' changelist and a request's page with its buttons, where
the manager approves it. In English and Chinese, at 1440 px and on a 390 px phone.

Screenshots: week-grid-leave-<lang>-<width>-<page>.png beside the week grid's.
"""

import datetime as dt
import os

import pytest

from dashboard.tests.test_dashboard_browser import CHROMIUM, chromium
from scheduling.models import LeaveRequest, Shift
from scheduling.tests.factories import LeaveRequestFactory
from scheduling.tests.test_week_grid_browser import (  # noqa: F401 (fixtures)
    asgi_server,
    fits_the_window,
    log_in_admin,
    new_page,
    next_week,
    shoot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]


def test_leave_on_the_grid_and_in_the_admin(asgi_server, store, manager, next_week):  # noqa: F811
    base = asgi_server.url
    tuesday, wednesday, thursday = (next_week + dt.timedelta(days=i) for i in (1, 2, 3))
    Shift.objects.filter(employee_id="E02", schedule__schedule_date__in=[tuesday, wednesday]).delete()
    LeaveRequestFactory(
        employee_id="E02", start_date=tuesday, end_date=wednesday, status="approved", decided_by=manager
    )
    asked = LeaveRequestFactory(employee_id="E03", start_date=thursday, end_date=thursday, leave_type="sick")
    assert Shift.objects.filter(employee_id="E03", schedule__schedule_date=thursday).exists()
    grid_url = f"{base}/admin/scheduling/schedule/week/?week={next_week.isoformat()}"
    errors: list[str] = []
    with chromium() as browser:
        for language, width in (("en", 1440), ("zh-hans", 1440), ("zh-hans", 390), ("en", 390)):
            page = new_page(browser, base, width=width, language=language, errors=errors)
            log_in_admin(page, base, manager)
            page.goto(grid_url)
            page.wait_for_selector("#wk-grid")
            li_cell = page.locator(f'tr[data-employee="E02"] td[data-day="{tuesday.isoformat()}"]')
            zhao_cell = page.locator(f'tr[data-employee="E03"] td[data-day="{thursday.isoformat()}"]')
            assert "wk-leave" in li_cell.get_attribute("class")
            assert "wk-leave-pending" in zhao_cell.get_attribute("class")
            if language == "en":
                assert "Annual leave" in li_cell.text_content()
                assert "Sick leave · asked" in zhao_cell.text_content()
            else:
                assert "年假" in li_cell.text_content() and "病假 · 待审批" in zhao_cell.text_content()
            if width == 1440:
                size = fits_the_window(page)
                assert size["page"] <= size["window"] and size["grid"] <= size["box"], size
            else:
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
            shoot(page, f"leave-{language[:2]}-{width}-grid")
            page.goto(f"{base}/admin/scheduling/leaverequest/")
            page.wait_for_selector("#result_list")
            assert page.locator("#result_list tbody tr").count() == 2
            shoot(page, f"leave-{language[:2]}-{width}-changelist")
        page = new_page(browser, base, width=1440, language="en", errors=errors)
        log_in_admin(page, base, manager)
        page.goto(f"{base}/admin/scheduling/leaverequest/{asked.pk}/change/")
        page.wait_for_selector("input[name=_approve]")
        shoot(page, "leave-en-1440-request")
        page.fill("#id_decision_note_input", "get well")
        page.click("input[name=_approve]")
        page.wait_for_selector(".messagelist .success")
        assert "The request is approved." in page.text_content(".messagelist")
        assert page.locator("input[name=_approve]").count() == 0
        shoot(page, "leave-en-1440-approved")
    assert errors == []
    asked.refresh_from_db()
    assert asked.status == LeaveRequest.Status.APPROVED and asked.decision_note == "get well"
    # Approving took Chen Jing's Thursday shift off the draft.
    assert not Shift.objects.filter(employee_id="E03", schedule__schedule_date=thursday).exists()
