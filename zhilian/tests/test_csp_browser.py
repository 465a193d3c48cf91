"""The Content-Security-Policy in a real browser: the admin, the dashboard, Swagger UI and ReDoc
work under it, signed in as an admin and as a manager, in Debian's Chromium (Playwright).

Each page is served by the ASGI app (uvicorn, as production serves it) with the policy the
settings build, and is driven far enough to run its scripts: the admin's changelist action, a
change form's inline, autocomplete, calendar and clock widgets; the dashboard's tiles and its
WebSocket (connect-src); Swagger UI's operations from its script file; ReDoc's operations and its
search, which runs in a worker from a blob: URL. A page passes when it rendered and the browser
reported no `securitypolicyviolation` event, no console error and no uncaught exception.
Screenshots go to test-artifacts/csp-<actor>-<page>.png.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from dashboard.tests.test_dashboard_browser import ARTIFACTS, CHROMIUM, chromium
from inventory.tests.factories import InventoryItemFactory
from notifications.tests.live import AsgiServer, use_private_channel_layer
from orders.tests.factories import OrderFactory
from reservations.models import Reservation
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import TableFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]

# Registered before any script of the page runs (Playwright injects it outside the page's CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                              " at " + e.sourceFile + ":" + e.lineNumber);
  document.documentElement.dataset.cspViolations = String(window.__cspViolations.length);
});
"""
# Waits use selectors and locators, never page.wait_for_function(): Playwright polls its predicate
# with eval(), which this policy (rightly) refuses.


# ReDoc shows Redocly's logo from their CDN. The policy blocks that request on purpose (nothing
# leaves the site; ReDoc drops the image when it fails to load): expected, and checked to happen.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@dataclass
class BrowserLog:
    """Everything a page reports that would mean the policy (or the page) broke something."""

    problems: list[str] = field(default_factory=list)
    blocked_logo: int = 0

    def watch(self, page) -> None:
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self.on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        # The browser's own favicon probe on pages that name no icon (the admin's): not page content.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if REDOCLY_LOGO in message.text:
            self.blocked_logo += 1
            return
        self.problems.append(f"console: {message.text}")

    def collect(self, page, name: str) -> None:
        for violation in page.evaluate("window.__cspViolations || []"):
            if violation.startswith(f"img-src blocked {REDOCLY_LOGO}"):
                continue
            self.problems.append(f"{name}: securitypolicyviolation: {violation}")


@pytest.fixture
def asgi_server(transactional_db, settings):
    use_private_channel_layer(settings)
    server = AsgiServer().start()
    yield server
    server.stop()


@pytest.fixture
def shop(store, admin_user, manager):
    """A store with tables, a pending reservation holding one, an open order and low stock."""
    hall = TableFactory(store=store, number="A1", capacity=4)
    TableFactory(store=store, number="A2", capacity=6)
    reservation = ReservationFactory(
        store=store,
        tables=[hall],
        customer_name="Li Na",
        reservation_date=timezone.localdate() + dt.timedelta(days=2),
    )
    OrderFactory(store=store, customer_name="Wang Fang")
    InventoryItemFactory(store=store, name="Bok choy", current_quantity=Decimal("2"), min_quantity=Decimal("10"))
    return reservation


def check_policy_header(response) -> None:
    """The page really is under the strict policy (else the run below would prove nothing)."""
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("script-src") == ["'self'"], policy
    assert "'unsafe-inline'" not in directives.get("style-src", []), policy
    assert directives.get("object-src") == ["'none'"] and directives.get("frame-ancestors") == ["'none'"], policy
    assert "permissions-policy" in response.headers


def visit(page, log: BrowserLog, url: str):
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    check_policy_header(response)
    return response


def shoot(page, log: BrowserLog, actor: str, name: str) -> None:
    log.collect(page, f"{actor} {name}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"csp-{actor}-{name}.png"), full_page=name not in ("swagger", "redoc"))


def admin_pages(page, log: BrowserLog, base: str, actor: str, user, reservation: Reservation) -> None:
    from playwright.sync_api import expect  # installed with the browser tests' requirements

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    # The changelist, and an action run on a row from it (the admin's actions.js).
    visit(page, log, f"{base}/admin/reservations/reservation/?when=next7")  # the booking is in two days
    row = f'#result_list input.action-select[value="{reservation.pk}"]'
    page.check(row)
    page.wait_for_selector("#result_list tr.selected")  # actions.js highlights the row
    assert "1 of 1 selected" in page.text_content(".action-counter")
    page.select_option("select[name=action]", "mark_confirmed")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    shoot(page, log, actor, "admin-changelist")

    # The change form: tables inline (add a row), its autocomplete, the date and time widgets.
    visit(page, log, f"{base}/admin/reservations/reservation/{reservation.pk}/change/")
    page.wait_for_selector("#id_reservation_date + .datetimeshortcuts a")  # DateTimeShortcuts.js ran
    page.click("#id_reservation_date + .datetimeshortcuts .date-icon")
    page.wait_for_selector("#calendarbox0", state="visible")
    caption = page.text_content("#calendarbox0 caption")
    page.click("#calendarbox0 .calendarnav-next")  # the calendar redraws on the next month
    assert page.text_content("#calendarbox0 caption") != caption
    page.click("#calendarbox0 .calendar-cancel a")
    page.click("#id_reservation_time + .datetimeshortcuts .clock-icon")
    page.wait_for_selector("#clockbox0", state="visible")
    page.click("#clockbox0 .calendar-cancel a")
    inline_rows = "#table_links-group tr.form-row.dynamic-table_links"
    rows_before = page.locator(inline_rows).count()
    page.click("#table_links-group .add-row a")  # inlines.js adds an empty row
    expect(page.locator(inline_rows)).to_have_count(rows_before + 1)
    # The new row's table autocomplete (select2) asks /admin/autocomplete/ and lists the tables.
    page.locator(f"{inline_rows} .select2-selection").last.click()
    page.wait_for_selector(".select2-results__option:has-text('#A2')")
    page.keyboard.press("Escape")
    shoot(page, log, actor, "admin-change-form")


def dashboard_page(page, log: BrowserLog, base: str, actor: str) -> None:
    visit(page, log, f"{base}/dashboard/")
    page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)  # both WebSockets open
    page.wait_for_selector("#figure-tiles .tile")
    assert page.locator("#figure-tiles .tile").count() == 5
    page.wait_for_selector('[data-status-list="pending"] .order-card')
    page.wait_for_selector("#low-stock tr[data-item-id]")
    shoot(page, log, actor, "dashboard")


def swagger_page(page, log: BrowserLog, base: str, actor: str) -> None:
    visit(page, log, f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title:has-text('Zhilian OS API')", timeout=15_000)
    # Over 150 operations: Swagger UI renders them in a virtual list, and its filter narrows it to
    # a tag's.
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    page.fill("input.operation-filter-input", "reservations")
    page.wait_for_selector(".opblock-summary:has-text('/api/v1/reservations/availability/')", timeout=10_000)
    # Open one operation: its parameters and responses render.
    page.locator(".opblock-summary:has-text('/api/v1/reservations/availability/')").first.click()
    page.wait_for_selector(".opblock.is-open .parameters")
    shoot(page, log, actor, "swagger")


def redoc_page(page, log: BrowserLog, base: str, actor: str) -> None:
    visit(page, log, f"{base}/api/redoc/")
    page.wait_for_selector("h1:has-text('Zhilian OS API')", timeout=20_000)
    assert page.locator("[data-section-id^='operation/']").count() > 50
    # Search runs in ReDoc's worker (worker-src blob:).
    page.fill("input[placeholder='Search...']", "availability")
    page.wait_for_selector("[data-role='search:results'] >> text=reservations_availability_retrieve")
    assert log.blocked_logo == 1  # the one outside request, refused by the policy
    assert page.evaluate("Array.from(document.querySelectorAll('style')).every(s => s.sheet !== null)")
    shoot(page, log, actor, "redoc")


@pytest.mark.parametrize("actor", ["admin", "manager"])
def test_pages_work_under_the_content_security_policy(actor, asgi_server, shop, admin_user, manager):
    user = admin_user if actor == "admin" else manager
    base = asgi_server.url
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(10_000)
        log = BrowserLog()
        log.watch(page)

        try:
            admin_pages(page, log, base, actor, user, shop)
            dashboard_page(page, log, base, actor)  # the admin session signs in here too
            swagger_page(page, log, base, actor)
            redoc_page(page, log, base, actor)
        finally:
            # A page that did not render often says why here (shown with the failure).
            print("\n".join(log.problems + page.evaluate("window.__cspViolations || []")))
        context.close()

    assert log.problems == []
    shop.refresh_from_db()
    assert shop.status == Reservation.Status.CONFIRMED  # the admin action really ran


def test_a_policy_violation_is_caught(asgi_server, store):
    """The collector works: an inline script on our own page is blocked and reported."""
    with chromium() as browser:
        page = browser.new_page()
        log = BrowserLog()
        log.watch(page)
        visit(page, log, f"{asgi_server.url}/dashboard/login/")
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
            " document.body.appendChild(s); }"
        )
        page.wait_for_selector("html[data-csp-violations]", state="attached", timeout=5_000)
        log.collect(page, "login")
        assert page.evaluate("window.__ran") is None
    assert any(re.search(r"script-src.*blocked inline", problem) for problem in log.problems), log.problems
    assert any(problem.startswith("console:") for problem in log.problems), log.problems
