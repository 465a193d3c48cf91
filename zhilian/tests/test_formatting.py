"""One formatter for what users read: money, percentages, KPI values in their unit; and the admin
showing cents fields in yuan on read-only fields and KPI records in their units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from kpis.models import KPIRecord
from orders.models import Order
from orders.tests.factories import OrderFactory
from zhilian.formatting import format_change, format_kpi_value, format_percent, format_rate, format_yuan

D = Decimal


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "¥0.00"), (5, "¥0.05"), (4800, "¥48.00"), (123456789, "¥1,234,567.89"), (-1050, "-¥10.50")]
)
def test_yuan(cents, text):
    assert format_yuan(cents) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (D("16056.0000"), "CNY", "¥16,056.00"),
        (D("123.4550"), "CNY", "¥123.46"),
        (D("35.2149"), "%", "35.2 %"),
        (D("12.5000"), "min", "12.5 min"),
        (D("3.0000"), "items", "3 items"),
        (D("2.3333"), "turns", "2.33 turns"),
        (D("1200.0000"), "orders", "1,200 orders"),
        (None, "CNY", "-"),
    ],
)
def test_kpi_values_in_their_unit(value, unit, text):
    with translation.override("en"):
        assert format_kpi_value(value, unit) == text


def test_rates_and_changes_as_percentages():
    with translation.override("en"):
        assert format_rate(D("0.8734")) == "87.3 %"
        assert format_change(D("-0.2934")) == "−29.3 %"
        assert format_change(D("0.05")) == "+5.0 %"
        assert format_change(D("0")) == "0.0 %"
        assert format_percent(None) == format_rate(None) == format_change(None) == "-"


@pytest.mark.django_db
def test_read_only_money_on_a_closed_order_is_in_yuan(actors):
    order = OrderFactory(store=actors.store, status=Order.Status.COMPLETED, items=[("A", "Soup", 2, 48_00)])
    Order.objects.filter(pk=order.pk).update(discount_cents=10_00, total_cents=86_00)
    client = Client()
    client.force_login(actors.manager)
    body = client.get(f"/admin/orders/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥10.00" in body and "¥48.00" in body  # the discount and the line's unit price
    assert ">1000<" not in body and ">4800<" not in body


@pytest.mark.django_db
def test_kpi_records_show_values_in_their_unit_and_rates_as_percentages(actors):
    from kpis.services import kpi_ensure_defaults

    kpi_ensure_defaults()
    common = {"store": actors.store, "record_date": "2026-11-20", "status": "on_track", "trend": "stable"}
    KPIRecord.objects.create(
        kpi_id="KPI_REVENUE",
        value=D("16056"),
        target_value=D("5000"),
        achievement_rate=D("3.2112"),
        change_rate=D("-0.2934"),
        **common,
    )
    KPIRecord.objects.create(kpi_id="KPI_FOOD_COST_RATIO", value=D("35.2149"), target_value=D("35"), **common)
    client = Client()
    client.force_login(actors.manager)
    body = client.get("/admin/kpis/kpirecord/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("¥16,056.00", "¥5,000.00", "321.1 %", "−29.3 %", "35.2 %", "35.0 %"):
        assert text in body, text
    assert "16056.0000" not in body and "-0.2934" not in body
