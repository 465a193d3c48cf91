"""The manager's admin in Chromium on a seeded store (English and Chinese, 1440 px and a phone):
the home page of today, and the busiest changelists fitting the window with no column cut off.
Screenshots land in test-artifacts/admin-*.png to be looked at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
PASSWORD = "Browser-Test-2026"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]

# name -> path of the changelists a manager opens in a shift.
CHANGELISTS = {
    "orders": "/admin/orders/order/",
    "kpi-records": "/admin/kpis/kpirecord/",
    "inventory-items": "/admin/inventory/inventoryitem/",
    "ledger": "/admin/inventory/inventorytransaction/",
    "reservations": "/admin/reservations/reservation/",
    "shifts": "/admin/scheduling/shift/",
    "employees": "/admin/stores/employee/",
}
# What the home page says in each language (its section headings).
HOME_TEXT = {"en": "Open orders", "zh-hans": "进行中订单"}


def _login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.mark.django_db(transaction=True)
def test_manager_home_and_changelists_fit_the_window(live_server):
    call_command("seed", "--stores=1", "--days=7", f"--password={PASSWORD}", "--quiet")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    cut_off = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for lang in ("en", "zh-hans"):
            for width in (1440, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
                page = context.new_page()
                _login(page, live_server.url, "manager001")
                # The landing page is today's store, not the app list.
                assert HOME_TEXT[lang] in page.inner_text("#content"), lang
                page.screenshot(path=str(ARTIFACTS / f"admin-home-{lang}-{width}.png"), full_page=True)
                for name, path in CHANGELISTS.items():
                    response = page.goto(f"{live_server.url}{path}")
                    assert response.status == 200, (name, lang)
                    page.screenshot(path=str(ARTIFACTS / f"admin-{name}-{lang}-{width}.png"), full_page=True)
                    if width < 1440:
                        continue
                    # At 1440 px every column is inside the window: the table neither overflows
                    # its box nor pushes the page sideways.
                    box = page.evaluate(
                        """() => {
                            const table = document.querySelector('#result_list');
                            const cells = table ? [...table.querySelectorAll('thead th')] : [];
                            const box = table ? table.closest('.results') || table.parentElement : null;
                            return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                                    right: Math.max(0, ...cells.map(c => c.getBoundingClientRect().right)),
                                    boxRight: box ? box.getBoundingClientRect().right : 0,
                                    overflow: box ? box.scrollWidth - box.clientWidth : 0,
                                    columns: cells.length, rows: table ? table.tBodies[0].rows.length : 0};
                        }"""
                    )
                    fits = (
                        box["columns"] >= 3
                        and box["rows"] >= 1
                        and box["page"] <= box["window"]
                        and box["right"] <= min(box["window"], box["boxRight"]) + 1
                        and box["overflow"] <= 0
                    )
                    if not fits:
                        cut_off.append((name, lang, box))
                context.close()
        browser.close()
    assert cut_off == [], "\n".join(
        f"{n} {lang}: table right {b['right']:.0f}, its box's {b['boxRight']:.0f}, {b['columns']} columns"
        for n, lang, b in cut_off
    )
