"""The dashboard's store switcher in a real browser (set-up: test_dashboard_browser.py): an area
manager picks another store of their region; the page shows that store's data and its socket
carries that store's events."""

import httpx
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import AreaManagerFactory
from dashboard.tests.test_dashboard_browser import ARTIFACTS, chromium, log_in, pytestmark  # noqa: F401
from dashboard.tests.test_dashboard_browser import asgi_server as asgi_server
from orders.tests.factories import OrderFactory
from stores.models import Store
from stores.tests.factories import RegionFactory, StoreFactory


def test_an_area_manager_switches_the_dashboard_to_another_store_of_their_region(asgi_server, store, other_store):
    east = RegionFactory(code="east-china", name="华东")
    north = RegionFactory(code="north-china", name="华北")
    Store.objects.filter(pk=store.pk).update(region=east)
    Store.objects.filter(pk=other_store.pk).update(region=north)
    xintiandi = StoreFactory(id="STORE003", code="SH03", name="Xintiandi", region=east)
    area = AreaManagerFactory(username="area_east", full_name="Chen Area", regions=[east])
    first = OrderFactory(store=store, customer_name="Wang Fang")
    second = OrderFactory(store=xintiandi, customer_name="Liu Yang")
    token = str(AccessToken.for_user(area))
    api = httpx.Client(base_url=asgi_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    with api, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, asgi_server.url, area)
        page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
        page.wait_for_selector(f'[data-order-id="{first.pk}"]', timeout=5_000)
        # The region's stores only, under the region's name.
        groups = page.eval_on_selector_all(
            "#store-select optgroup",
            "gs => gs.map(g => [g.label, Array.from(g.querySelectorAll('option')).map(o => o.value)])",
        )
        assert groups == [["华东", ["STORE001", "STORE003"]]]

        page.select_option("#store-select", "STORE003")
        page.wait_for_url("**/dashboard/?store=STORE003")
        page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
        page.wait_for_selector(f'[data-order-id="{second.pk}"]', timeout=5_000)
        assert page.query_selector(f'[data-order-id="{first.pk}"]') is None
        assert page.input_value("#store-select") == "STORE003"
        # The socket is the new store's: an order made there appears without a reload.
        response = api.post(
            "/api/v1/orders/",
            json={
                "store": "STORE003",
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
        page.wait_for_selector(f'[data-order-id="{response.json()["id"]}"]', timeout=3_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-store-switcher.png"))

        page.select_option("#language-select", "zh-hans")
        page.wait_for_selector('html[lang="zh-hans"]', timeout=5_000)
        page.wait_for_selector(f'[data-order-id="{second.pk}"]', timeout=10_000)
        assert page.text_content('label[for="store-select"]') == "门店"
        page.screenshot(path=str(ARTIFACTS / "dashboard-store-switcher-zh.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "dashboard-store-switcher-zh-phone.png"))
        assert errors == []
