"""The menu engineering admin page in Debian's Chromium (Playwright): a header click sorts the
table, the page runs under the Content-Security-Policy without violations; screenshots at 1440 px
and at a phone's width, in English and Chinese (test-artifacts/menu-engineering-*.png)."""

from __future__ import annotations

import os

import pytest

from accounts.tests.factories import TEST_PASSWORD
from dashboard.tests.test_dashboard_browser import ARTIFACTS, CHROMIUM, chromium
from menu.tests.engineering import END, START, build_sales
from notifications.tests.live import AsgiServer, use_private_channel_layer

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


@pytest.fixture
def asgi_server(transactional_db, settings):
    use_private_channel_layer(settings)
    server = AsgiServer().start()
    yield server
    server.stop()


def _codes(page) -> list[str]:
    return page.eval_on_selector_all("#me-table tbody tr", "rows => rows.map(r => r.dataset.dish)")


def test_menu_engineering_page(asgi_server, actors):
    build_sales(actors.store, other_store=actors.other_store, user=actors.manager)
    url = f"{asgi_server.url}/admin/menu/dish/menu-engineering/?start={START.isoformat()}&end={END.isoformat()}"
    with chromium() as browser:
        for language in ("en", "zh-hans"):
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale=language,
                                          extra_http_headers={"Accept-Language": language})  # fmt: skip
            page = context.new_page()
            page.add_init_script(VIOLATIONS)
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.goto(f"{asgi_server.url}/admin/login/")
            page.fill("#id_username", actors.manager.username)
            page.fill("#id_password", TEST_PASSWORD)
            page.click("[type=submit]")
            page.wait_for_url("**/admin/")
            page.goto(url)
            page.wait_for_selector("#me-chart")
            assert _codes(page) == ["B", "A", "E", "C", "D"]  # units sold, the server's order
            margin = page.locator("#me-table th", has_text="Margin per portion" if language == "en" else "每份毛利")
            margin.first.click()
            assert _codes(page) == ["C", "A", "E", "B", "D"]  # largest margin first
            margin.first.click()
            assert _codes(page) == ["D", "B", "E", "A", "C"]  # again: smallest first
            page.locator("#me-table th").first.click()  # code, A to Z
            assert _codes(page) == ["A", "B", "C", "D", "E"]
            ARTIFACTS.mkdir(exist_ok=True)
            suffix = "" if language == "en" else "-zh"
            page.screenshot(path=str(ARTIFACTS / f"menu-engineering{suffix}.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(ARTIFACTS / f"menu-engineering{suffix}-phone.png"), full_page=True)
            assert page.evaluate("window.__cspViolations") == []
            assert errors == []
            context.close()
