"""Issue 15 in Chromium: the KPI trend chart with its target line (admin page and dashboard) and
the pace tile, in English and Chinese, at 1440 px and on a 390 px phone; screenshots are saved."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dashboard.tests.test_dashboard_browser import ARTIFACTS, asgi_server, chromium, log_in, pytestmark  # noqa: F401
from orders.models import Order
from orders.tests.factories import OrderFactory
from zhilian.dates import local_midnight


def _history(store):
    from kpis.models import KPI
    from kpis.services import kpi_ensure_defaults
    from kpis.tests.factories import KPIRecordFactory

    kpi_ensure_defaults()
    today = timezone.localdate()
    revenue = KPI.objects.get(pk="KPI_REVENUE")
    for days_ago in range(30):
        value = Decimal(3000 + (days_ago * 397) % 2600)
        status = "on_track" if value >= 4500 else ("at_risk" if value >= 3500 else "off_track")
        KPIRecordFactory(kpi=revenue, store=store, record_date=today - dt.timedelta(days=days_ago), value=value,
                         target_value=Decimal("5000"), status=status)  # fmt: skip
    # Pace: the same weekdays sold ¥1,000 by this time; today ¥640 so far.
    now = timezone.localtime()
    elapsed = now - local_midnight(today)
    for weeks in (1, 2, 3, 4):
        start = local_midnight(today - dt.timedelta(weeks=weeks))
        OrderFactory(store=store, status=Order.Status.COMPLETED, order_time=start + elapsed / 2, guest_count=4,
                     items=[("A", "Soup", 1, 1000_00)])  # fmt: skip
    OrderFactory(store=store, status=Order.Status.COMPLETED, order_time=local_midnight(today) + elapsed / 2,
                 guest_count=3, items=[("A", "Soup", 1, 640_00)])  # fmt: skip


def test_trend_chart_and_pace_tile(asgi_server, store, manager):  # noqa: F811 (the fixture imported above)
    _history(store)
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log_in(page, asgi_server.url, manager)
        tile = '[data-kpi="KPI_REVENUE"]'
        page.wait_for_selector(f"{tile} .tile-value", timeout=10_000)
        assert page.text_content(f"{tile} .tile-value") == "¥640.00"
        assert page.text_content(f"{tile} .pill") == "Behind pace by ¥360.00"
        revenue = '[data-figure="revenue_cents"]'
        assert "usually ¥1,000.00 by" in page.text_content(revenue)
        assert page.text_content('[data-figure="guest_count"] .pill') == "Behind pace by 1"
        page.click(tile)
        page.wait_for_selector("#kpi-trend #kpi-target-line", state="attached", timeout=10_000)
        assert page.locator("#kpi-trend .kpi-dot").count() == 30
        page.click('#kpi-trend [data-trend-days="7"]')
        page.wait_for_selector('#kpi-trend [data-days="7"] #kpi-target-line', state="attached", timeout=10_000)
        assert page.locator("#kpi-trend .kpi-dot").count() == 7
        page.screenshot(path=str(ARTIFACTS / "dashboard-pace-trend.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "dashboard-pace-trend-phone.png"), full_page=True)

        page.select_option("#language-select", "zh-hans")
        page.wait_for_selector('html[lang="zh-hans"]', timeout=5_000)
        page.wait_for_selector(f"{tile} .pill", timeout=10_000)
        assert page.text_content(f"{tile} .pill") == "落后进度 ¥360.00"
        assert "日营业额" in page.text_content(f"{tile} .tile-label")
        page.click(tile)
        page.wait_for_selector("#kpi-trend #kpi-target-line", state="attached", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "dashboard-pace-trend-zh-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.screenshot(path=str(ARTIFACTS / "dashboard-pace-trend-zh.png"), full_page=True)

        # The admin's trend page, from the same session (managers use the admin too).
        page.goto(f"{asgi_server.url}/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&days=30")
        page.wait_for_selector("#kpi-target-line", state="attached")
        assert page.locator(".kpi-dot").count() == 30
        assert page.locator(".kpi-band").count() == 3
        assert "趋势" in page.title()
        page.screenshot(path=str(ARTIFACTS / "admin-kpi-trend-zh.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "admin-kpi-trend-zh-phone.png"), full_page=True)
        page.goto(f"{asgi_server.url}/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&days=90")
        page.wait_for_selector("#kpi-target-line", state="attached")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{asgi_server.url}/admin/kpis/kpirecord/")
        page.wait_for_selector(".kpi-spark")
        page.screenshot(path=str(ARTIFACTS / "admin-kpi-records-sparklines-zh.png"), full_page=True)
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": asgi_server.url}])
        page.goto(f"{asgi_server.url}/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&days=90")
        page.wait_for_selector("#kpi-target-line", state="attached")
        assert "KPI trend" in page.title()
        page.screenshot(path=str(ARTIFACTS / "admin-kpi-trend.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "admin-kpi-trend-phone.png"), full_page=True)
