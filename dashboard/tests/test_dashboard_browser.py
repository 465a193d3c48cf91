"""The live dashboard in a real browser: Debian's Chromium driven by Playwright against the
ASGI app served by uvicorn (HTTP + WebSockets) on the test database.

Install the browser bits: `apt-get install -y chromium` (Playwright itself is in
requirements-dev.txt; no browser download). Skipped with a reason when /usr/bin/chromium is absent.
"""

import os
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import TEST_PASSWORD
from inventory.tests.factories import InventoryItemFactory
from notifications.tests.live import AsgiServer, use_private_channel_layer
from orders.tests.factories import OrderFactory

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"

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


@contextmanager
def chromium():
    """Playwright's sync API runs an event loop in this thread, so Django's ORM refuses to run
    while it is open: create the test data first, then open the browser."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def log_in(page, base_url, user):
    """Not logged in: /dashboard/ sends to the login page, which comes back to the dashboard."""
    page.goto(f"{base_url}/dashboard/")
    assert "/dashboard/login/" in page.url and "next=/dashboard/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_live_dashboard_updates_without_reload(asgi_server, store, manager):
    order = OrderFactory(store=store, customer_name="Wang Fang")
    item = InventoryItemFactory(
        store=store, name="Bok choy", current_quantity=Decimal("20"), min_quantity=Decimal("10")
    )
    token = str(AccessToken.for_user(manager))
    api = httpx.Client(base_url=asgi_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    with api, chromium() as browser:
        drive_dashboard(browser, api, asgi_server.url, manager, order, item)


def drive_dashboard(browser, api, base_url, manager, order, item):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base_url, manager)

    page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
    card = f'[data-order-id="{order.pk}"]'
    page.wait_for_selector(f'[data-status-list="pending"] {card}', timeout=5_000)
    assert page.text_content("#bell-count") == "0"
    page.evaluate("window.__noReload = 'still here'")

    # An order moves through the API: its card moves to the new column, no reload.
    started = time.perf_counter()
    response = api.post(f"/api/v1/orders/{order.pk}/transition/", json={"status": "confirmed"})
    api_done = time.perf_counter()
    assert response.status_code == 200, response.text
    page.wait_for_selector(f'[data-status-list="confirmed"] {card}', timeout=2_000)
    shown = time.perf_counter()
    assert page.query_selector(f'[data-status-list="pending"] {card}') is None
    print(
        f"\norder.status_changed: API call {1000 * (api_done - started):.0f} ms, "
        f"API call -> card in new column {1000 * (shown - started):.0f} ms "
        f"(after the response: {1000 * (shown - api_done):.0f} ms)"
    )

    # A new order appears in the pending column; a completed one leaves the board.
    response = api.post(
        "/api/v1/orders/",
        json={
            "order_type": "takeaway",
            "customer_name": "Zhao Lei",
            "items": [
                {
                    "is_open_item": True,
                    "item_code": "D002",
                    "item_name": "Dan Dan Noodles",
                    "quantity": 1,
                    "unit_price_cents": 2800,
                }
            ],
        },
    )
    assert response.status_code == 201, response.text
    new_card = f'[data-status-list="pending"] [data-order-id="{response.json()["id"]}"]'
    page.wait_for_selector(new_card, timeout=2_000)
    assert "Zhao Lei" in page.text_content(new_card)

    # Stock falls below the reorder point: the bell counts the manager's new notification,
    # and the low-stock list refetches.
    started = time.perf_counter()
    response = api.post(
        "/api/v1/inventory-transactions/", json={"item": item.pk, "transaction_type": "usage", "quantity": "12"}
    )
    assert response.status_code == 201, response.text
    # Selectors, not wait_for_function: Playwright polls a function with eval(), which the page's
    # Content-Security-Policy refuses.
    page.wait_for_selector('#bell-count[data-count="1"]', state="attached", timeout=2_000)
    shown = time.perf_counter()
    page.wait_for_selector(f'#low-stock [data-item-id="{item.pk}"][data-status="low"]', timeout=5_000)
    print(f"inventory.low_stock: API call -> bell count {1000 * (shown - started):.0f} ms")

    # The bell's dropdown lists it; "mark all read" clears the count.
    page.click("#bell")
    page.wait_for_selector("#notification-list .notification.unread", timeout=2_000)
    page.click("#mark-all-read")
    page.wait_for_selector('#bell-count[data-count="0"]', state="attached", timeout=2_000)
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    page.keyboard.press("Escape")

    # A dropped socket shows "Reconnecting…" and reconnects by itself.
    page.evaluate("window.zhilianDashboard.sockets[0].ws.close()")
    page.wait_for_selector('#live-status[data-state="reconnecting"]', timeout=2_000)
    page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)

    assert page.evaluate("window.__noReload") == "still here"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # Simplified Chinese through the language switcher.
    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector('html[lang="zh-hans"]', timeout=5_000)
    assert "实时" in page.text_content("title")
    page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
    assert page.text_content("#live-status") == "实时"
    page.screenshot(path=str(ARTIFACTS / "dashboard-zh.png"), full_page=True)

    assert errors == []


def test_dashboard_polls_while_the_sockets_are_down(asgi_server, store, manager):
    order = OrderFactory(store=store)
    token = str(AccessToken.for_user(manager))
    api = httpx.Client(base_url=asgi_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    with api, chromium() as browser:
        page = browser.new_page()
        # Every WebSocket is refused, and the page's timers run on a clock the test moves.
        page.route_web_socket("**/ws/**", lambda ws: ws.close())
        page.clock.install()
        log_in(page, asgi_server.url, manager)
        card = f'[data-order-id="{order.pk}"]'
        page.wait_for_selector(f'[data-status-list="pending"] {card}', timeout=5_000)
        page.wait_for_selector('#live-status[data-state="offline"]', timeout=5_000)
        assert "polling" in page.text_content("#live-status")

        assert api.post(f"/api/v1/orders/{order.pk}/transition/", json={"status": "confirmed"}).status_code == 200
        page.clock.fast_forward(5_000)  # reconnect attempts fail; no poll yet
        assert page.query_selector(f'[data-status-list="pending"] {card}') is not None
        page.clock.fast_forward(30_000)  # the 30 s poll refetches the summary
        page.wait_for_selector(f'[data-status-list="confirmed"] {card}', timeout=5_000)


# Records every state the live badge shows, with its text, however briefly.
SHOWN_STATES = """() => {
  const node = document.getElementById("live-status");
  window.__shownStates = [];
  new MutationObserver(() => window.__shownStates.push([node.dataset.state, node.textContent]))
    .observe(node, { attributes: true, childList: true, characterData: true, subtree: true });
}"""


def test_dashboard_reconnects_a_socket_that_falls_silent(asgi_server, store, manager):
    order = OrderFactory(store=store)
    token = str(AccessToken.for_user(manager))
    api = httpx.Client(base_url=asgi_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    opened = []

    def half_dead_first(ws):
        # Each socket reaches the server, but the first of each path never hears back from it:
        # the connection looks open to the browser and nothing arrives (as through a proxy that
        # lost the other side). Later connections work.
        server = ws.connect_to_server()
        if ws.url not in opened:
            server.on_message(lambda message: None)
        opened.append(ws.url)

    with api, chromium() as browser:
        page = browser.new_page()
        page.route_web_socket("**/ws/**", half_dead_first)
        page.clock.install()
        log_in(page, asgi_server.url, manager)
        page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
        assert len(opened) == 2
        page.evaluate(SHOWN_STATES)

        # Two heartbeat periods (25 s) and the slack pass without a word: the sockets are dropped,
        # the page says it is reconnecting, and the first retry comes within a second.
        page.clock.fast_forward(62_000)
        page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
        assert len(opened) == 4
        assert ["reconnecting", "Reconnecting…"] in page.evaluate("window.__shownStates")

        # The new socket delivers: the card moves without waiting for a poll.
        card = f'[data-order-id="{order.pk}"]'
        page.wait_for_selector(f'[data-status-list="pending"] {card}', timeout=5_000)
        assert api.post(f"/api/v1/orders/{order.pk}/transition/", json={"status": "confirmed"}).status_code == 200
        page.wait_for_selector(f'[data-status-list="confirmed"] {card}', timeout=5_000)


def test_food_cost_panel_and_best_sellers(asgi_server, store, manager):
    """Today's theoretical food cost, the last actual one and the gap; the ranking's period
    switch. Screenshots at 1440 px and at a phone's width, in English and in Chinese."""
    import datetime as dt

    from django.utils import timezone

    from kpis.metrics import KPI_ACTUAL_FOOD_COST
    from kpis.models import KPI
    from kpis.tests.factories import KPIFactory, KPIRecordFactory
    from menu.tests.helpers import build_menu
    from orders import services as orders

    build_menu(store)
    now = timezone.now()
    orders.order_create(store=store, items=[{"item_code": "KP01", "quantity": 3}, {"item_code": "RC01", "quantity": 3}])
    orders.order_create(store=store, items=[{"item_code": "MP01", "quantity": 2}])
    orders.order_create(
        store=store, items=[{"item_code": "MP01", "quantity": 9}], order_time=now - dt.timedelta(days=3)
    )
    kpi = KPIFactory(id=KPI_ACTUAL_FOOD_COST, name="Actual food cost", category="cost", unit="%",
                     metric=KPI.Metric.ACTUAL_FOOD_COST, direction="lower_is_better", target_value=Decimal("32"),
                     warning_threshold=Decimal("35"), critical_threshold=Decimal("38"))  # fmt: skip
    KPIRecordFactory(kpi=kpi, store=store, record_date=timezone.localdate() - dt.timedelta(days=1),
                     value=Decimal("31.5000"))  # fmt: skip

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, asgi_server.url, manager)
        page.wait_for_selector('#ranking-quantity [data-dish="MP01"]', timeout=10_000)
        # Today: MP01 2, KP01 3 and RC01 3 (KP01 before RC01 on revenue at equal quantity).
        codes = page.eval_on_selector_all("#ranking-quantity tr", "rows => rows.map(r => r.dataset.dish)")
        assert codes == ["KP01", "RC01", "MP01"]
        theoretical = page.text_content('[data-food-cost="theoretical"] .tile-value')
        assert theoretical.endswith("%") and theoretical != "—"
        assert page.text_content('[data-food-cost="actual"] .tile-value') == "31.5 %"
        assert page.text_content('[data-food-cost="gap"] .tile-value') not in ("", "—")
        # The last 7 days count the order of three days ago.
        page.click('[data-ranking-period="last_7_days"]')
        page.wait_for_selector('#ranking-quantity tr:first-child[data-dish="MP01"]', timeout=2_000)
        assert page.text_content("#ranking-quantity tr:first-child td.num") == "11"
        page.click('[data-ranking-period="today"]')
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-food-cost.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "dashboard-food-cost-phone.png"), full_page=True)

        page.select_option("#language-select", "zh-hans")
        page.wait_for_selector('html[lang="zh-hans"]', timeout=5_000)
        page.wait_for_selector('#ranking-quantity [data-dish="MP01"]', timeout=10_000)
        assert page.text_content("#food-cost-heading") == "食材成本"
        assert "菜MP01" in page.text_content("#ranking-quantity")
        page.screenshot(path=str(ARTIFACTS / "dashboard-food-cost-zh-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1440, "height": 1000})
        page.screenshot(path=str(ARTIFACTS / "dashboard-food-cost-zh.png"), full_page=True)
        assert errors == []


def test_a_staff_member_clocks_in_takes_a_break_and_clocks_out_on_the_dashboard(asgi_server, store, staff):
    """The time clock panel (timeclock.js over /api/v1/attendance/me/): the punches it offers follow
    the state, each is recorded by the attendance service, a refusal shows its message."""
    from attendance.models import TimeEntry
    from stores.tests.factories import EmployeeFactory

    employee = EmployeeFactory(store=store, user=staff, name="Li Staff")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, asgi_server.url, staff)
        page.wait_for_selector('#clock-panel[data-state="clocked_out"]', timeout=10_000)
        assert page.eval_on_selector_all("#clock-actions button", "bs => bs.map(b => b.dataset.punch)") == ["clock-in"]
        page.click('[data-punch="clock-in"]')
        page.wait_for_selector('#clock-panel[data-state="clocked_in"]', timeout=5_000)
        assert page.text_content("#clock-state").startswith("Clocked in since ")
        assert page.eval_on_selector_all("#clock-actions button", "bs => bs.map(b => b.dataset.punch)") == [
            "break-start",
            "clock-out",
        ]
        page.click('[data-punch="break-start"]')
        page.wait_for_selector('#clock-panel[data-state="on_break"]', timeout=5_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-time-clock-phone.png"))
        page.click('[data-punch="break-end"]')
        page.wait_for_selector('#clock-panel[data-state="clocked_in"]', timeout=5_000)
        page.click('[data-punch="clock-out"]')
        page.wait_for_selector('#clock-panel[data-state="clocked_out"]', timeout=5_000)
        page.select_option("#language-select", "zh-hans")
        page.wait_for_selector('html[lang="zh-hans"]', timeout=5_000)
        page.wait_for_selector('#clock-panel[data-state="clocked_out"]', timeout=10_000)
        assert page.text_content("#clock-heading") == "我的打卡"
        assert page.text_content('[data-punch="clock-in"]') == "上班打卡"
        page.screenshot(path=str(ARTIFACTS / "dashboard-time-clock-zh-phone.png"))
        assert errors == []
    entry = TimeEntry.objects.get(employee=employee)
    assert entry.clock_out_at is not None and entry.clock_in_at < entry.clock_out_at
    assert entry.breaks.count() == 1


def test_a_login_without_an_employee_sees_no_time_clock(asgi_server, store, manager):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log_in(page, asgi_server.url, manager)
        page.wait_for_selector("#kpi-heading", timeout=10_000)
        assert page.query_selector("#clock-panel") is None


def test_on_a_phone_the_board_comes_first_and_new_cards_show_their_table(asgi_server, store, manager):
    """Issue 15's walkthrough: a new dine-in card shows its table number at once; empty columns
    keep one "no orders" line however many events arrive; on a phone the board comes before the
    figures and its columns stack instead of scrolling sideways; times are 24-hour."""
    from stores.tests.factories import TableFactory

    TableFactory(store=store, number="A7", capacity=4)
    token = str(AccessToken.for_user(manager))
    api = httpx.Client(base_url=asgi_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    item = {"is_open_item": True, "item_code": "T1", "item_name": "Tea", "quantity": 1, "unit_price_cents": 800}
    with api, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, asgi_server.url, manager)
        page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
        ids = []
        for _ in range(3):
            body = {"order_type": "dine_in", "table_number": "A7", "items": [item]}
            response = api.post("/api/v1/orders/", json=body)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        api.post(f"/api/v1/orders/{ids[0]}/transition/", json={"status": "confirmed"})
        card = f'[data-status-list="pending"] [data-order-id="{ids[2]}"]'
        page.wait_for_selector(card, timeout=3_000)
        assert "Table A7" in page.text_content(card)
        page.wait_for_selector(f'[data-status-list="confirmed"] [data-order-id="{ids[0]}"]', timeout=3_000)
        for status in ("preparing", "ready", "served"):
            assert len(page.query_selector_all(f'[data-status-list="{status}"] .empty')) == 1
        meta = page.text_content(card)
        assert "AM" not in meta and "PM" not in meta
        # The figures follow the events (the summary is fetched again shortly after).
        page.wait_for_selector('#figure-tiles [data-figure="open_order_count"] .tile-value:text-is("3")', timeout=5_000)
        board = page.query_selector("#board-heading").bounding_box()
        figures = page.query_selector("#kpi-heading").bounding_box()
        assert board["y"] < figures["y"]
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-board-phone.png"), full_page=True)
        assert errors == []


def test_kpi_tiles_show_money_as_yuan_and_ratios_as_percentages(asgi_server, store, manager):
    """Issue 15: the tiles said "CNY" beside figures in ¥ and showed ratios as bare decimals."""
    from django.utils import timezone

    from kpis.services import kpi_ensure_defaults
    from kpis.tests.factories import KPIRecordFactory

    kpi_ensure_defaults()
    today = timezone.localdate()
    KPIRecordFactory(kpi_id="KPI_REVENUE", store=store, record_date=today, value=Decimal("3200.0000"),
                     target_value=Decimal("5000.0000"))  # fmt: skip
    KPIRecordFactory(kpi_id="KPI_AVERAGE_CHECK", store=store, record_date=today, value=Decimal("132.5000"),
                     target_value=Decimal("150.0000"))  # fmt: skip
    KPIRecordFactory(kpi_id="KPI_FOOD_COST_RATIO", store=store, record_date=today, value=Decimal("31.4567"),
                     target_value=Decimal("35.0000"))  # fmt: skip
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log_in(page, asgi_server.url, manager)
        page.wait_for_selector('[data-kpi="KPI_REVENUE"] .tile-value', timeout=10_000)
        # Today's revenue tile shows the live figure (no orders yet), not the last computation.
        assert page.text_content('[data-kpi="KPI_REVENUE"] .tile-value') == "¥0.00"
        assert page.text_content('[data-kpi="KPI_AVERAGE_CHECK"] .tile-value') == "¥132.50"
        assert page.text_content('[data-kpi="KPI_FOOD_COST_RATIO"] .tile-value') == "31.5 %"
        assert "CNY" not in page.text_content("#kpi-tiles")
        assert "¥5,000.00" in page.text_content('[data-kpi="KPI_REVENUE"] .tile-foot')
