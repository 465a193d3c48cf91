"""A manager's admin home is today's store (the dashboard's data, in display form); admins keep
the chain's index."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from inventory.tests.factories import InventoryItemFactory
from kpis.models import KPIRecord
from kpis.services import kpi_ensure_defaults
from orders.models import Order
from orders.tests.factories import OrderFactory
from reservations.tests.factories import ReservationFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
S = Order.Status


def page(user, language="en"):
    client = Client()
    client.force_login(user)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def test_a_manager_lands_on_today_of_their_store(actors):
    OrderFactory(store=actors.store, status=S.PREPARING, items=[("A", "Soup", 2, 48_00)])
    OrderFactory(store=actors.store, status=S.PENDING, items=[("B", "Tea", 1, 10_00)])
    OrderFactory(store=actors.other_store, status=S.PENDING)  # not theirs
    today = timezone.localdate()
    ReservationFactory(store=actors.store, reservation_date=today, customer_name="Chen Jing", party_size=6)
    ReservationFactory(store=actors.store, reservation_date=today + dt.timedelta(days=1), customer_name="Tomorrow")
    InventoryItemFactory(store=actors.store, name="Pork belly", status="critical")
    response = page(actors.manager)
    body = response.content.decode()
    assert response.templates[0].name == "admin/zhilian/store_home.html"
    assert actors.store.name.replace("'", "&#x27;") in body
    context = response.context
    assert context["order_count"] == 2 and context["revenue"] == "¥106.00"
    assert {s["status"]: s["count"] for s in context["open_orders"]} == {
        "pending": 1,
        "confirmed": 0,
        "preparing": 1,
        "ready": 0,
        "served": 0,
    }
    assert "Chen Jing" in body and "Tomorrow" not in body
    assert "Pork belly" in body
    assert "/admin/orders/order/add/" in body  # the links a manager uses most


def test_on_shift_now_lists_who_works_at_this_hour(actors, monkeypatch):
    from zhilian.admin import home

    cook = EmployeeFactory(store=actors.store, name="Wang Cook", position="chef")
    waiter = EmployeeFactory(store=actors.store, name="Li Late", position="waiter")
    today = timezone.localdate()
    schedule = ScheduleFactory(store=actors.store, schedule_date=today)
    ShiftFactory(schedule=schedule, employee=cook, start_time=dt.time(9), end_time=dt.time(15))
    ShiftFactory(schedule=schedule, employee=waiter, start_time=dt.time(16), end_time=dt.time(22))
    noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 30)))
    monkeypatch.setattr(home.timezone, "localtime", lambda *a: noon)
    context = page(actors.manager).context
    assert [s["employee_name"] for s in context["on_shift"]] == ["Wang Cook"]
    assert context["on_shift"][0]["until"] == "15:00" and context["shift_count"] == 2


def test_kpis_show_in_their_unit_with_status(actors):
    kpi_ensure_defaults()
    KPIRecord.objects.create(
        kpi_id="KPI_REVENUE",
        store=actors.store,
        record_date=timezone.localdate(),
        value=Decimal("3200"),
        target_value=Decimal("5000"),
        achievement_rate=Decimal("0.64"),
        status="off_track",
        trend="stable",
    )
    KPIRecord.objects.create(
        kpi_id="KPI_WASTE_COST",
        store=actors.store,
        record_date=timezone.localdate(),
        value=Decimal("300"),
        target_value=Decimal("100"),
        status="off_track",
        trend="stable",
    )
    OrderFactory(store=actors.store, status=S.COMPLETED, items=[("A", "Soup", 1, 48_00)])
    body = page(actors.manager).content.decode()
    assert "¥300.00" in body and "¥100.00" in body and "Off track" in body
    # Revenue shows the live figure (the one above the table), judged by its pace, not the
    # last computation's ¥3,200 "off track" against the full-day target.
    assert "¥3,200.00" not in body and "¥5,000.00" in body
    assert body.count("¥48.00") >= 2 and "No same-weekday history yet" in body


def test_the_home_judges_today_by_its_pace(actors):
    from zhilian.dates import local_midnight

    now = timezone.localtime()
    today = now.date()
    elapsed = now - local_midnight(today)
    # Each of the last two same weekdays: ¥200 before this time of day, ¥900 after it.
    for weeks in (1, 2):
        start = local_midnight(today - dt.timedelta(weeks=weeks))
        OrderFactory(store=actors.store, status=S.COMPLETED, order_time=start + elapsed / 2, guest_count=2,
                     items=[("A", "Soup", 1, 200_00)])  # fmt: skip
        OrderFactory(store=actors.store, status=S.COMPLETED, order_time=start + elapsed + dt.timedelta(seconds=1),
                     items=[("A", "Soup", 1, 900_00)])  # fmt: skip
    context = page(actors.manager).context
    assert context["pace"]["revenue"]["text"] == "Behind pace by ¥200.00"
    assert context["pace"]["expected_revenue"] == "¥200.00"
    assert context["pace"]["covers"]["text"] == "Behind pace by 2"
    body = page(actors.manager, "zh-hans").content.decode()
    assert "落后进度 ¥200.00" in body


def test_admins_keep_the_chain_index(actors):
    response = page(actors.admin)
    # Django's index, with the apps' shortcuts above its app list (admin/zhilian/index.html).
    assert [t.name for t in response.templates[:2]] == ["admin/zhilian/index.html", "admin/index.html"]
    assert 'id="shortcut-admin:scheduling_schedule_week"' in response.content.decode()


def test_the_home_page_is_in_chinese_for_a_chinese_browser(actors):
    body = page(actors.manager, "zh-hans").content.decode()
    for text in ("今日概况", "进行中订单", "今日预订", "当前在岗", "低库存", "新建订单"):
        assert text in body, text


def test_the_home_costs_the_same_queries_whatever_the_rows(actors):
    client = Client()
    client.force_login(actors.manager)
    today = timezone.localdate()

    def more(n):
        for _ in range(n):
            OrderFactory(store=actors.store, status=S.PENDING)
            ReservationFactory(store=actors.store, reservation_date=today)
            InventoryItemFactory(store=actors.store, status="low")

    assert_constant_queries(more, lambda: client.get("/admin/"))
