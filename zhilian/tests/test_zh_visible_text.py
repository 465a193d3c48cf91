"""Issue 15: a manager whose browser asks for Chinese sees Chinese. Each main admin page and the
dashboard is rendered with Accept-Language zh-hans; the visible text (text nodes, button values,
placeholders and titles; not scripts, styles or the admin's icon sprites) must hold no run of 3 or
more ASCII letters beyond an allowlist of brand names, codes and the fixtures' own data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from inventory.tests.factories import InventoryItemFactory
from kpis.models import KPI
from kpis.services import kpi_ensure_defaults
from kpis.tests.factories import KPIRecordFactory
from notifications.tests.factories import NotificationFactory
from orders.models import Order
from orders.tests.factories import OrderFactory
from reservations.tests.factories import ReservationFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, TableFactory

pytestmark = pytest.mark.django_db

WORD = re.compile(r"[A-Za-z]{3,}")
# Codes (ids and numbers such as STORE001, TESTORDER-000001, KPI_REVENUE): capitals with digits
# or underscores; their letters are not words to translate.
CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:[_-]?[A-Z0-9]+)*\d[A-Z0-9_-]*\b|\b[A-Z]+(?:_[A-Z0-9]+)+\b")
# Brand and product names, abbreviations users read as such, and the language picker's own
# names of the languages (English stays "English" in a Chinese UI).
ALLOWED = {"Zhilian", "KPI", "RevPASH", "POS", "SKU", "English"}
# JSON shown as JSON (an example in a help text, a JSON field's value): keys are code.
JSON = re.compile(r"[\[{].*[\]}]")
SKIPPED_TAGS = {"script", "style", "symbol", "template", "noscript"}
ATTRIBUTES = ("placeholder", "title", "aria-label")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.skipping = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
            return
        attrs = dict(attrs)
        if self.skipping:
            return
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])
        self.texts.extend(attrs[a] for a in ATTRIBUTES if attrs.get(a))

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def untranslated(html: str, allowed: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return sorted(
        {
            f"{w} ⟨{t[:60]}⟩"
            for t in parser.texts
            for w in WORD.findall(CODE.sub(" ", JSON.sub(" ", t)))
            if w not in allowed
        }
    )


@pytest.fixture
def floor(actors):
    """A store day with one of everything the pages list, its own data named in Chinese."""
    kpi_ensure_defaults()
    store = actors.store
    today = timezone.localdate()
    table = TableFactory(store=store, number="A1", capacity=4)
    cook = EmployeeFactory(store=store, name="李师傅", position="chef", skills=["waiter", "cashier"])
    waiter = EmployeeFactory(store=store, name="王芳", position="waiter")
    order = OrderFactory(store=store, table=table, customer_name="陈先生", guest_count=2, waiter=waiter,
                         status=Order.Status.PREPARING, items=[("D1", "宫保鸡丁", 2, 48_00)])  # fmt: skip
    item = InventoryItemFactory(store=store, name="五花肉", status="critical", supplier_name="鲜农公司")
    # A generated schedule's report, with a gap (the report summary on its page).
    report = {"coverage": 0.75, "filled_hours": 12, "demanded_hours": 16, "basis": "history",
              "gaps": [{"period": "dinner", "position": "waiter", "needed": 2, "filled": 1, "start": "17:00",
                        "end": "21:00", "reason": "staff_unavailable", "short_hours": 4}]}  # fmt: skip
    schedule = ScheduleFactory(store=store, schedule_date=today, generation_report=report)
    ShiftFactory(schedule=schedule, employee=cook, start_time=dt.time(9), end_time=dt.time(17))
    ReservationFactory(store=store, reservation_date=today, customer_name="刘女士", party_size=4, tables=[table])
    for days_ago in range(5):
        for kpi_id, value in (("KPI_REVENUE", "4200"), ("KPI_FOOD_COST_RATIO", "33.5"), ("KPI_ORDER_COUNT", "80")):
            KPIRecordFactory(kpi=KPI.objects.get(pk=kpi_id), store=store, value=Decimal(value), status="at_risk",
                             record_date=today - dt.timedelta(days=days_ago))  # fmt: skip
    NotificationFactory(recipient=actors.manager, store=store, title="五花肉库存不足", body="")
    return {"order": order, "schedule": schedule, "cook": cook, "item": item}


def pages(floor) -> list[str]:
    return [
        "/admin/",
        "/admin/orders/order/",
        f"/admin/orders/order/{floor['order'].pk}/change/",
        "/admin/inventory/inventoryitem/",
        "/admin/inventory/inventorytransaction/add/",
        "/admin/scheduling/schedule/week/",
        f"/admin/scheduling/schedule/{floor['schedule'].pk}/change/",
        "/admin/reservations/reservation/",
        "/admin/kpis/kpirecord/",
        "/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE",
        "/admin/notifications/notification/",
        "/admin/kpis/kpi/",
        "/admin/kpis/kpi/KPI_FOOD_COST_RATIO/change/",
        "/admin/stores/employee/",
        f"/admin/stores/employee/{floor['cook'].pk}/change/",
        f"/admin/inventory/inventoryitem/{floor['item'].pk}/change/",
        "/admin/menu/dish/",
        "/dashboard/",
    ]


def test_main_pages_have_no_english_for_a_chinese_browser(actors, floor):
    manager = actors.manager
    # The fixtures' own names (people and stores) are data, not interface.
    names = [manager.username, manager.get_full_name(), actors.store.name, actors.other_store.name]
    allowed = ALLOWED | set(WORD.findall(" ".join(names)))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)
    found = {}
    for url in pages(floor):
        response = client.get(url)
        assert response.status_code == 200, url
        words = untranslated(response.content.decode(), allowed)
        if words:
            found[url] = words
    assert not found, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_the_dashboard_script_strings_and_data_are_chinese(actors, floor):
    """The dashboard is filled by its script from the translated strings and the summary API."""
    from django.utils import translation

    from dashboard.views import js_strings

    with translation.override("zh-hans"):
        strings = js_strings()
    flat: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        else:
            flat.append(str(value))

    walk(strings)
    # Placeholders (%(amount)s, %(minutes)s) are filled by the script, not shown.
    english = sorted({s for s in flat if WORD.search(re.sub(r"%\(\w+\)s", "", s))})
    assert not english, english

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(actors.manager)
    body = client.get("/api/v1/kpis/dashboard/").json()
    names = {k["kpi"]: k["name"] for k in body["kpis"]}
    assert names["KPI_REVENUE"] == "日营业额" and not WORD.search(names["KPI_FOOD_COST_RATIO"])
