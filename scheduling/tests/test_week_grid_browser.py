"""The week grid in a real browser (Debian's Chromium through Playwright, like the dashboard's tests):
a manager opens next week's grid, sees the employees and their shifts, adds a shift through a
cell's page, sees an overlapping shift refused on that page, and publishes the week; a staff
member then reads "my shifts" on a phone. The page is checked at 1440 px (all seven day columns
inside the window, no horizontal scroll) and at 390 px, in English and in Chinese.

Screenshots: week-grid-<lang>-<width>-<page>.png in $WEEK_GRID_SCREENSHOTS (default
test-artifacts/). Skipped with a reason when /usr/bin/chromium is absent.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from dashboard.tests.test_dashboard_browser import ARTIFACTS, CHROMIUM, chromium
from notifications.tests.live import AsgiServer, use_private_channel_layer
from scheduling.models import Schedule, Shift
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]

SHOTS = Path(os.environ.get("WEEK_GRID_SCREENSHOTS") or ARTIFACTS)
TEAM = [
    ("E01", "Wang Fang", "waiter", ["sun"]),
    ("E02", "Li Wei", "waiter", []),
    ("E03", "Chen Jing", "waiter", ["mon"]),
    ("E04", "Zhao Lei", "chef", []),
    ("E05", "Liu Yang", "chef", ["wed"]),
    ("E06", "Sun Li", "kitchen_helper", []),
    ("E07", "Zhou Min", "cashier", []),
    ("E08", "Wu Hao", "dishwasher", []),
    ("E09", "Zheng Xiu", "host", []),
]


@pytest.fixture
def asgi_server(transactional_db, settings):
    use_private_channel_layer(settings)
    server = AsgiServer().start()
    yield server
    server.stop()


@pytest.fixture
def next_week(store, staff):
    """Next week of a store: nine employees, a draft schedule per day with lunch and dinner shifts,
    one day's generation gaps; staff1 is Wang Fang."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    employees = {
        code: EmployeeFactory(
            store=store,
            id=code,
            name=name,
            position=position,
            preferences={"days_off": off, "max_hours_per_week": 44},
            user=staff if code == "E01" else None,
        )
        for code, name, position, off in TEAM
    }
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        schedule = ScheduleFactory(store=store, schedule_date=day)
        for n, (code, _name, position, off) in enumerate(TEAM):
            if day.strftime("%a").lower() in off or (n + i) % 3 == 0:
                continue
            lunch = (n + i) % 2 == 0
            ShiftFactory(
                schedule=schedule,
                employee=employees[code],
                position=position,
                shift_type="morning" if lunch else "evening",
                start_time=dt.time(10) if lunch else dt.time(16, 30),
                end_time=dt.time(14, 30) if lunch else dt.time(22),
            )
    first = Schedule.objects.get(store=store, schedule_date=monday)
    first.generation_report = {
        "demanded_hours": 60.0,
        "filled_hours": 52.5,
        "coverage": 0.875,
        "gaps": [
            {"period": "dinner", "position": "waiter", "needed": 4, "filled": 3, "start": "17:00", "end": "22:00"},
            {"period": "lunch", "position": "chef", "needed": 2, "filled": 1, "start": "11:00", "end": "14:00"},
        ],
    }
    first.save()
    return monday


def log_in_admin(page, base, user):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def fits_the_window(page) -> dict:
    return page.evaluate(
        """() => {
            const box = document.querySelector('.wk-scroll');
            return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                    grid: box.scrollWidth, box: box.clientWidth};
        }"""
    )


def click_add(page, cell: str) -> None:
    """Click a cell where its + is (bottom right): the whole cell adds a shift, its shifts open their own."""
    box = page.locator(f"{cell} a.wk-add").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 6)
    # week.js opens the cell's form in a dialog over the grid (without it, the cell's page).
    page.wait_for_selector("#wk-dialog[open] #wk-shift-form")
    assert "/week/?" in page.url


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"week-grid-{name}.png"), full_page=True)


def on_console(message, errors: list[str]) -> None:
    # The browser's own favicon probe on pages that name no icon (the admin's): not page content.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.location.get('url')}: {message.text}")


def new_page(browser, base, *, width, language, errors, dark=False):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=language, color_scheme="dark" if dark else "light"
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: on_console(m, errors))
    return page


def test_manager_edits_and_publishes_the_week_on_the_grid(asgi_server, store, manager, staff, next_week):
    base = asgi_server.url
    grid_url = f"{base}/admin/scheduling/schedule/week/?week={next_week.isoformat()}"
    wednesday = (next_week + dt.timedelta(days=2)).isoformat()
    errors: list[str] = []
    shift_count = Shift.objects.count()  # before the browser: its event loop keeps the ORM out
    with chromium() as browser:
        page = new_page(browser, base, width=1440, language="en", errors=errors)
        log_in_admin(page, base, manager)
        shoot(page, "en-1440-index")
        page.click("#shortcut-admin\\:scheduling_schedule_week")
        page.wait_for_selector("#wk-grid")
        page.goto(grid_url)
        page.wait_for_selector("#wk-grid")
        for _code, name, _position, _off in TEAM:
            assert page.locator(".wk-emp", has_text=name).count() == 1
        assert page.locator(".wk-shift").count() == shift_count
        assert "Unfilled demand" in page.text_content("#wk-open-row")
        assert "day off" in page.text_content('tr[data-employee="E01"]')
        size = fits_the_window(page)
        assert size["page"] <= size["window"] and size["grid"] <= size["box"], size
        shoot(page, "en-1440-grid")

        # Add a shift from a cell: Li Wei, Wednesday.
        cell = f'tr[data-employee="E02"] td[data-day="{wednesday}"]'
        before = page.locator(f"{cell} .wk-shift").count()
        click_add(page, cell)
        assert page.text_content("#wk-cell-employee") == "Li Wei"
        page.fill("#id_start_time", "06:00")
        page.fill("#id_end_time", "09:30")
        page.fill("#id_notes", "delivery")
        page.click("#wk-save")
        page.wait_for_selector(".messagelist .success")
        assert page.locator(f"{cell} .wk-shift").count() == before + 1
        assert "06:00–09:30" in page.text_content(cell)
        # A shift in the cell opens its own page (it lies above the cell's add link).
        page.click(f"{cell} .wk-shift:has-text('06:00–09:30')")
        page.wait_for_selector("#wk-dialog[open] #wk-delete")
        assert page.input_value("#id_start_time") == "06:00" and page.input_value("#id_notes") == "delivery"
        page.click("text=Back to the week")
        page.wait_for_selector("#wk-dialog", state="hidden")

        # The same person again at an overlapping time: refused on the cell's page, nothing saved.
        click_add(page, cell)
        page.fill("#id_start_time", "08:00")
        page.fill("#id_end_time", "12:00")
        page.click("#wk-save")
        page.wait_for_selector("#wk-dialog[open] #wk-refusal")
        assert "Li Wei already works" in page.text_content("#wk-refusal")
        assert "overlaps this shift" in page.text_content("#wk-refusal")
        shoot(page, "en-1440-refusal")
        page.click("text=Back to the week")
        page.wait_for_selector("#wk-dialog", state="hidden")
        assert page.locator(f"{cell} .wk-shift").count() == before + 1

        # Chinese, wide and on a phone; the refusal in Chinese too.
        zh = new_page(browser, base, width=1440, language="zh-hans", errors=errors)
        log_in_admin(zh, base, manager)
        zh.goto(grid_url)
        zh.wait_for_selector("#wk-grid")
        assert "未满足需求" in zh.text_content("#wk-open-row") and "休息日" in zh.text_content("#wk-grid")
        # Weekdays in Chinese (周一 from the project's catalogue, 星期一 from Django's).
        head = zh.text_content("#wk-grid thead")
        assert "周一" in head or "星期一" in head
        size = fits_the_window(zh)
        assert size["page"] <= size["window"] and size["grid"] <= size["box"], size
        shoot(zh, "zh-1440-grid")
        click_add(zh, cell)
        zh.fill("#id_start_time", "09:00")
        zh.fill("#id_end_time", "11:00")
        zh.click("#wk-save")
        zh.wait_for_selector("#wk-refusal")
        assert "重叠" in zh.text_content("#wk-refusal")
        shoot(zh, "zh-1440-refusal")
        zh.set_viewport_size({"width": 390, "height": 844})
        zh.goto(grid_url)
        zh.wait_for_selector("#wk-grid")
        # On a phone the grid scrolls inside its box; the page itself does not.
        assert zh.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(zh, "zh-390-grid")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(grid_url)
        shoot(page, "en-390-grid")
        page.set_viewport_size({"width": 1440, "height": 900})

        # Delete the added shift from its dialog (the Delete button travels with the form).
        page.goto(grid_url)
        page.click(f"{cell} .wk-shift:has-text('06:00–09:30')")
        page.wait_for_selector("#wk-dialog[open] #wk-delete")
        page.click("#wk-delete")
        page.wait_for_selector(".messagelist .success")
        assert "The shift is deleted." in page.text_content(".messagelist")
        assert page.locator(f"{cell} .wk-shift").count() == before

        # Publish: every day frozen, no more add links.
        page.click("#wk-publish")
        page.wait_for_selector(".messagelist .success")
        assert "Published 7 day(s)" in page.text_content(".messagelist")
        assert page.locator(".wk-badge-published").count() == 7
        assert page.locator("a.wk-add").count() == 0
        assert page.text_content("#wk-state").strip() == "7 of 7 days published"
        shoot(page, "en-1440-published")
        dark = new_page(browser, base, width=1440, language="en", errors=errors, dark=True)
        log_in_admin(dark, base, manager)
        dark.goto(grid_url)
        shoot(dark, "en-1440-dark")

        # The staff member's own shifts on a phone, in both languages.
        for language in ("en", "zh-hans"):
            phone = new_page(browser, base, width=390, language=language, errors=errors)
            phone.goto(f"{base}/dashboard/login/?next=/my-shifts/")
            phone.fill("#id_username", staff.username)
            phone.fill("#id_password", TEST_PASSWORD)
            phone.click("[type=submit]")
            phone.wait_for_url(f"{base}/my-shifts/")
            phone.wait_for_selector(".ms-shift")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            if language == "en":
                phone.locator(".ms-shift").first.locator(".ms-confirm").click()
                phone.wait_for_selector(".ms-confirmed")
            shoot(phone, f"{language[:2]}-390-my-shifts")
    assert errors == []
    assert Schedule.objects.filter(store=store, is_published=True).count() == 7
    assert Shift.objects.filter(employee_id="E01", is_confirmed=True).count() == 1
