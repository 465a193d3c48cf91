"""The chain report admin page in Debian's Chromium (Playwright): the table, its colours and the
chart render under the Content-Security-Policy without violations; screenshots at 1440 px and at a
phone's width, in English and Chinese (test-artifacts/chain-report-*.png)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from accounts.tests.factories import TEST_PASSWORD
from dashboard.tests.test_dashboard_browser import ARTIFACTS, CHROMIUM, chromium
from kpis.metrics import KPI_FOOD_COST_RATIO, KPI_LABOR_COST_RATIO, KPI_REVENUE, KPI_STOCK_OUTS
from kpis.services import kpi_ensure_defaults
from kpis.tests.chain_data import MONDAY, food_cost, record, revenue
from notifications.tests.live import AsgiServer, use_private_channel_layer
from stores.tests.factories import RegionFactory, StoreFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]

VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective);
});
"""
START = MONDAY - dt.timedelta(days=20)


@pytest.fixture
def asgi_server(transactional_db, settings):
    use_private_channel_layer(settings)
    server = AsgiServer().start()
    yield server
    server.stop()


def _month_of_records(actors):
    """Four weeks of revenue, food and labor cost and stock-outs for six stores in two regions."""
    kpi_ensure_defaults()
    east, south = RegionFactory(code="east", name="华东"), RegionFactory(code="south", name="华南")
    for store in (actors.store, actors.other_store):
        store.region = east
        store.save(update_fields=["region"])
    stores = [actors.store, actors.other_store, StoreFactory(id="E3", name="徐汇店", region=east)]
    stores += [StoreFactory(id=f"S{n}", name=f"天河 {n} 店", region=south) for n in (1, 2, 3)]
    for n, store in enumerate(stores):
        for d in range(27):
            day = START + dt.timedelta(days=d)
            yuan = 2200 + 500 * n + (d * 97 + n * 131) % 1500
            revenue(store, day, yuan)
            food_cost(store, day, yuan * (28 + (n * 3 + d) % 15), 0, yuan * 100)
            record(
                KPI_LABOR_COST_RATIO, store, day, str(20 + (n + d) % 12), labor_cost_cents=yuan * (20 + (n + d) % 12)
            )
            record(KPI_STOCK_OUTS, store, day, str((n + d) % 4), hit_zero=(n + d) % 4)
    return stores


def test_chain_report_page(asgi_server, actors):
    _month_of_records(actors)
    query = f"period=custom&start={START.isoformat()}&end={(MONDAY + dt.timedelta(days=6)).isoformat()}"
    url = f"{asgi_server.url}/admin/kpis/kpirecord/chain-report/?{query}&kpi={KPI_REVENUE}"
    with chromium() as browser:
        for language in ("en", "zh-hans"):
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale=language,
                                          extra_http_headers={"Accept-Language": language})  # fmt: skip
            page = context.new_page()
            page.add_init_script(VIOLATIONS)
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.goto(f"{asgi_server.url}/admin/login/")
            page.fill("#id_username", actors.admin.username)
            page.fill("#id_password", TEST_PASSWORD)
            page.click("[type=submit]")
            page.wait_for_url("**/admin/")
            page.goto(url)
            page.wait_for_selector("#cr-chart")
            rows = page.eval_on_selector_all("#cr-table tbody tr", "rows => rows.map(r => r.dataset.store)")
            assert len(rows) == 6
            assert page.locator("#cr-chart .cr-line").count() == 6
            assert page.locator("td.st-off_track").count() > 0
            ARTIFACTS.mkdir(exist_ok=True)
            suffix = "" if language == "en" else "-zh"
            page.screenshot(path=str(ARTIFACTS / f"chain-report{suffix}.png"), full_page=True)
            page.goto(url.replace(f"kpi={KPI_REVENUE}", f"kpi={KPI_FOOD_COST_RATIO}&by=region"))
            page.wait_for_selector("#cr-chart")
            assert page.locator("#cr-chart .cr-line").count() == 2
            page.locator("#cr-chart").screenshot(path=str(ARTIFACTS / f"chain-report-chart-region{suffix}.png"))
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(ARTIFACTS / f"chain-report{suffix}-phone.png"), full_page=True)
            # The store's name opens its dashboard.
            page.set_viewport_size({"width": 1440, "height": 1000})
            href = page.locator("#cr-table tbody tr").first.locator("a").get_attribute("href")
            assert href.startswith("/dashboard/?store=")
            assert page.evaluate("window.__cspViolations") == []
            assert errors == []
            context.close()
