"""The host stand and the dashboard's walk-in queue in Chromium (English and Chinese, desktop and
phone width): take a number at the host stand, call and seat it; the dashboard's panel follows a
kiosk's number live over the store socket. Screenshots land in test-artifacts/ to be looked at."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import TEST_PASSWORD
from notifications.tests.live import AsgiServer, use_private_channel_layer
from stores.tests.factories import TableFactory
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue, waitlist_ticket_transition

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
HOST_STAND = "/admin/waitlist/waitlistticket/host-stand/"

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


def _queue(store, staff):
    for number, capacity in (("A1", 2), ("A2", 2), ("B1", 4), ("B2", 4), ("C1", 8)):
        TableFactory(store=store, number=number, capacity=capacity)
    for size in (2, 1, 2, 4, 3, 6):
        waitlist_ticket_issue(actor=staff, store=store, party_size=size, phone="13800001111")
    first = WaitlistTicket.objects.get(store=store, band="A", number=1)
    waitlist_ticket_transition(actor=staff, ticket=first, status=WaitlistTicket.Status.CALLED)


def _log_in_admin(page, base_url, user):
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/admin/")


def test_host_stand_and_dashboard_queue(asgi_server, store, manager, staff):
    _queue(store, staff)
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    token = str(AccessToken.for_user(staff))
    kiosk = httpx.Client(base_url=asgi_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    base = asgi_server.url
    with kiosk, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        errors: list[str] = []

        # Taking and seating a number at the host stand (English, desktop).
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _log_in_admin(page, base, manager)
        page.goto(f"{base}/admin/waitlist/waitlistticket/")
        page.click("#host-stand-link")
        page.wait_for_url(f"**{HOST_STAND}")
        assert page.text_content('[data-band="A"] [data-waiting]') == "2"
        page.fill("#hs-party", "3")
        page.click("#hs-issue [type=submit]")
        page.wait_for_selector(".messagelist .success")
        assert "B003" in page.text_content(".messagelist")
        ticket = '[data-band="B"] [data-code="B003"]'
        page.click(f'{ticket} button[value="call"]')
        page.wait_for_selector(f"{ticket}.is-called")
        page.select_option(f"{ticket} select[name=table]", label="B2 (4)")
        page.click(f'{ticket} button[value="seat"]')
        page.wait_for_selector(".messagelist .success")
        assert page.query_selector(ticket) is None
        # A forbidden move (skip a number that was never called) cannot be offered; a stale
        # form is refused with the service's message.
        assert page.query_selector('[data-code="A002"] button[value="skip"]') is None
        context.close()

        for lang in ("en", "zh-hans"):
            for width in (1440, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                page = context.new_page()
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                _log_in_admin(page, base, manager)
                response = page.goto(f"{base}{HOST_STAND}")
                assert response.status == 200
                if lang == "zh-hans":
                    assert "小桌" in page.content() and "取号" in page.content()
                page.screenshot(path=str(ARTIFACTS / f"waitlist-host-stand-{lang}-{width}.png"), full_page=True)

                page.goto(f"{base}/dashboard/")
                page.wait_for_selector('#waitlist-bands [data-band="A"]', timeout=10_000)
                page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
                before = int(page.text_content('#waitlist-bands [data-band="C"] .waiting-count'))
                # A kiosk takes a number: the panel follows over the socket, no reload.
                issued = kiosk.post("/api/v1/waitlist/tickets/", json={"party_size": 7})
                assert issued.status_code == 201, issued.text
                page.wait_for_function(
                    "n => document.querySelector('#waitlist-bands [data-band=\"C\"] .waiting-count')"
                    ".textContent === String(n)",
                    arg=before + 1,
                    timeout=5_000,
                )
                assert issued.json()["code"] in page.text_content('#waitlist-bands [data-band="C"]')
                if lang == "zh-hans":
                    assert "排队" in page.text_content("#waitlist-heading")
                panel = page.locator("#waitlist-panel")
                panel.scroll_into_view_if_needed()
                panel.screenshot(path=str(ARTIFACTS / f"waitlist-dashboard-panel-{lang}-{width}.png"))
                page.screenshot(path=str(ARTIFACTS / f"waitlist-dashboard-{lang}-{width}.png"), full_page=True)
                context.close()
        browser.close()
    assert errors == []
    codes = sorted(WaitlistTicket.objects.filter(store=store, band="C").values_list("number", flat=True))
    assert codes == list(range(1, 6))
    assert re.fullmatch(r"C\d{3}", WaitlistTicket.objects.filter(band="C").order_by("-number").first().code)
