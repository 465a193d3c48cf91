"""The reservation book and the floor in a real browser (Debian's Chromium through Playwright,
like the week grid's tests): a manager opens the day view, books a free slot in its dialog, sees a
move onto a taken table refused with the service's message, moves the booking to a free table,
then opens the floor and sees a table turn seated when a dine-in order is taken (through the API,
announced over the store socket). In English and Chinese, at 1440 px and on a 1024 px tablet.

Screenshots: res-book-<lang>-<width>-<page>.png in $RES_BOOK_SCREENSHOTS (default
test-artifacts/). Skipped with a reason when /usr/bin/chromium is absent.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from rest_framework_simplejwt.tokens import AccessToken

from dashboard.tests.test_dashboard_browser import ARTIFACTS, CHROMIUM, chromium
from notifications.tests.live import AsgiServer, use_private_channel_layer
from reservations import services
from reservations.models import Reservation
from scheduling.tests.test_week_grid_browser import log_in_admin, new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]

SHOTS = Path(os.environ.get("RES_BOOK_SCREENSHOTS") or ARTIFACTS)


@pytest.fixture
def asgi_server(transactional_db, settings):
    use_private_channel_layer(settings)
    server = AsgiServer().start()
    yield server
    server.stop()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"res-book-{name}.png"), full_page=True)


def fits(page, box: str) -> dict:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector);
            return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                    inner: box.scrollWidth, box: box.clientWidth};
        }""",
        box,
    )


def book_evening(floor, day):
    """An evening: Li Wei on A3 at 18:00, a party of six on A1+A2 at lunch, Zhou Min seated on P1."""
    common = {"customer_phone": "13800000000", "reservation_date": day, "duration_minutes": 120}
    li = services.reservation_create(
        store=floor.store,
        tables=[floor.A3],
        customer_name="Li Wei",
        party_size=4,
        reservation_time=dt.time(18),
        **common,
    )
    services.reservation_create(
        store=floor.store,
        tables=[floor.A1, floor.A2],
        customer_name="Chen Jing",
        party_size=4,
        reservation_time=dt.time(11, 30),
        **common,
    )
    services.reservation_create(
        store=floor.store,
        tables=[floor.P1],
        customer_name="Zhou Min",
        party_size=8,
        reservation_time=dt.time(19),
        reservation_type="private_room",
        **common,
    )
    services.reservation_create(
        store=floor.store,
        tables=[floor.A5],
        customer_name="Zhao Lei",
        party_size=6,
        reservation_time=dt.time(20, 30),
        duration_minutes=90,
        customer_phone="13800000002",
        reservation_date=day,
    )
    return li


def test_manager_books_and_moves_on_the_day_view_and_watches_the_floor(asgi_server, floor, day, manager):
    base = asgi_server.url
    li = book_evening(floor, day)
    book_url = f"{base}/admin/reservations/reservation/book/?{urlencode({'day': day.isoformat()})}"
    floor_url = f"{base}/admin/reservations/reservation/floor/"
    token = str(AccessToken.for_user(manager))
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    errors: list[str] = []
    with api, chromium() as browser:
        page = new_page(browser, base, width=1440, language="en", errors=errors)
        log_in_admin(page, base, manager)
        # The manager's home links the book and the floor.
        assert page.locator("#home-reservation-book").count() == 1 and page.locator("#home-floor").count() == 1
        page.goto(book_url)
        page.wait_for_selector("#bk-grid")
        assert page.locator(".bk-row").count() == 8
        assert page.locator(f'a.bk-booking[data-reservation="{li.pk}"]').count() == 1
        # The joined booking is one block over two rows.
        joined = page.locator(".bk-booking.bk-joined")
        assert joined.count() == 1 and "A1+A2" in joined.text_content()
        size = fits(page, ".bk-scroll")
        assert size["page"] <= size["window"] and size["inner"] <= size["box"], size
        shoot(page, "en-1440-day")

        # Book a free slot: A4 at 19:00.
        page.click('tr[data-table="A4"] td[data-time="19:00"] a.bk-free')
        page.wait_for_selector("#bk-dialog[open] #bk-book-form")
        assert page.input_value("#id_reservation_time") == "19:00"
        assert page.is_checked(f'#bk-book-form input[value="{floor.A4.pk}"]')
        page.fill("#id_customer_name", "Sun Li")
        page.fill("#id_customer_phone", "13912345678")
        page.fill("#id_party_size", "3")
        shoot(page, "en-1440-book-dialog")
        page.click("#bk-save")
        page.wait_for_selector(".messagelist .success")
        assert "Booked Sun Li, 3 guests at 19:00, tables A4." in page.text_content(".messagelist")
        assert "Sun Li" in page.text_content('tr[data-table="A4"]')

        # Move Li Wei onto A4 at 18:30: taken by Sun Li from 19:00, refused with the service's words.
        page.click(f'a.bk-booking[data-reservation="{li.pk}"]')
        page.wait_for_selector("#bk-dialog[open] #bk-move-form")
        page.fill("#id_reservation_time", "18:30")
        page.uncheck(f'#bk-move-form input[value="{floor.A3.pk}"]')
        page.check(f'#bk-move-form input[value="{floor.A4.pk}"]')
        page.click("#bk-save")
        page.wait_for_selector("#bk-dialog[open] #bk-refusal")
        assert "Tables A4 are already reserved at that time." in page.text_content("#bk-refusal")
        shoot(page, "en-1440-move-refused")
        # Then onto A5 earlier in the evening instead: accepted.
        page.fill("#id_reservation_time", "17:30")
        page.uncheck(f'#bk-move-form input[value="{floor.A4.pk}"]')
        page.check(f'#bk-move-form input[value="{floor.A5.pk}"]')
        page.click("#bk-save")
        # The booking's message is still on the page until the book reloads: wait for the move's.
        page.wait_for_selector(".messagelist .success:has-text('Li Wei moved to')")
        assert "Li Wei" in page.text_content('tr[data-table="A5"]')
        assert "Li Wei" not in page.text_content('tr[data-table="A3"]')

        # A tablet at the host stand: the grid stays inside its box, the page does not scroll sideways.
        page.set_viewport_size({"width": 1024, "height": 768})
        page.goto(book_url)
        page.wait_for_selector("#bk-grid")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        shoot(page, "en-1024-day")

        # Chinese, wide and on the tablet.
        zh = new_page(browser, base, width=1440, language="zh-hans", errors=errors)
        log_in_admin(zh, base, manager)
        zh.goto(book_url)
        zh.wait_for_selector("#bk-grid")
        assert "预订簿" in zh.text_content("h1") and "前一天" in zh.text_content("#bk-prev")
        size = fits(zh, ".bk-scroll")
        assert size["page"] <= size["window"] and size["inner"] <= size["box"], size
        shoot(zh, "zh-1440-day")
        zh.click('tr[data-table="A2"] td[data-time="18:00"] a.bk-free')
        zh.wait_for_selector("#bk-dialog[open] #bk-book-form")
        zh.fill("#id_customer_name", "王芳")
        zh.fill("#id_customer_phone", "13900000009")
        zh.fill("#id_party_size", "9")
        zh.click("#bk-save")
        zh.wait_for_selector("#bk-dialog[open] #bk-refusal")
        assert "9" in zh.text_content("#bk-refusal") and "座" in zh.text_content("#bk-refusal")
        shoot(zh, "zh-1440-book-refused")
        zh.set_viewport_size({"width": 1024, "height": 768})
        zh.goto(book_url)
        zh.wait_for_selector("#bk-grid")
        assert zh.evaluate("document.documentElement.scrollWidth") <= 1024
        shoot(zh, "zh-1024-day")

        # The floor: A1 is free; a dine-in order on it seats it, live.
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(floor_url)
        page.wait_for_selector('#fl-live[data-state="live"]', timeout=10_000)
        assert page.get_attribute('.fl-table[data-table="A1"]', "data-state") == "free"
        response = api.post(
            "/api/v1/orders/",
            json={
                "order_type": "dine_in",
                "table_number": "A1",
                "guest_count": 2,
                "items": [
                    {
                        "is_open_item": True,
                        "item_code": "D002",
                        "item_name": "Dan Dan Noodles",
                        "quantity": 2,
                        "unit_price_cents": 2800,
                    }
                ],
            },
        )
        assert response.status_code == 201, response.text
        page.wait_for_selector('.fl-table[data-table="A1"][data-state="seated"]', timeout=5_000)
        assert "2 guests" in page.text_content('.fl-table[data-table="A1"]')
        assert page.text_content('[data-count="seated"]') == "1"
        shoot(page, "en-1440-floor")
        page.set_viewport_size({"width": 1024, "height": 768})
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        shoot(page, "en-1024-floor")
        zh.goto(floor_url)
        zh.wait_for_selector('.fl-table[data-table="A1"][data-state="seated"]')
        assert zh.text_content('.fl-table[data-table="A1"] .fl-state') == "用餐中"
        shoot(zh, "zh-1024-floor")
        zh.set_viewport_size({"width": 1440, "height": 900})
        shoot(zh, "zh-1440-floor")
    assert errors == []
    sun = Reservation.objects.get(customer_name="Sun Li")
    assert [t.number for t in sun.tables.all()] == ["A4"] and sun.reservation_time == dt.time(19)
    li.refresh_from_db()
    assert [t.number for t in li.tables.all()] == ["A5"] and li.reservation_time == dt.time(17, 30)
    assert not Reservation.objects.filter(customer_name="王芳").exists()
