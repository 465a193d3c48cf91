"""The theoretical food cost KPI against a store-day worked out by hand, and the two food cost
definitions (built in, added to seeded databases by a migration, the actual one not daily)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import InventoryItem
from kpis import compute, metrics, services
from kpis.models import KPI, KPIRecord
from kpis.tests.helpers import local
from menu.tests.helpers import build_menu
from orders import services as orders
from orders.models import Order

D = Decimal
DAY = timezone.localdate() - dt.timedelta(days=2)
# Per kg, in cents: the store's own items (the other store buys chicken dearer).
COSTS = {"chicken": 30_00, "peanuts": 20_00, "oil": 12_00, "tofu": 8_00, "rice": 6_00}


def _costs(store, **changes):
    for sku, cost in {**COSTS, **changes}.items():
        InventoryItem.objects.filter(store=store, sku=sku).update(unit_cost_cents=cost)


def _order(store, lines, when, **fields):
    return orders.order_create(
        store=store, items=[{"item_code": c, "quantity": q} for c, q in lines], order_time=when, **fields
    )


@pytest.fixture
def sold_day(actors, other_store):
    build_menu(actors.store, stores=[other_store])
    _costs(actors.store)
    _costs(other_store, chicken=100_00)
    _order(actors.store, [("KP01", 2), ("RC01", 2)], local(DAY, 12))  # 96.00 + 6.00
    _order(actors.store, [("MP01", 1), ("KP01", 1)], local(DAY, 13))  # 32.00 + 48.00
    # An open item: revenue (5.00) without a recipe.
    orders.order_create(
        store=actors.store,
        items=[{"item_code": "X1", "item_name": "Corkage", "unit_price_cents": 5_00, "is_open_item": True}],
        order_time=local(DAY, 14),
        user=actors.manager,
    )
    # Not counted: a cancelled order, the day before, another store's sale.
    cancelled = _order(actors.store, [("KP01", 5)], local(DAY, 15))
    orders.order_transition(order=cancelled, status=Order.Status.CANCELLED, user=actors.manager, reason="test")
    _order(actors.store, [("MP01", 3)], local(DAY, 0) - dt.timedelta(seconds=1))
    _order(other_store, [("KP01", 1)], local(DAY, 12))
    return actors.store


# By hand, per portion (quantity / yield × the store's cost per kg, in cents):
#   KP01 = 0.180 / 0.7 × 3000 + 0.030 × 2000 + 0.020 × 1200 = 771.428571… + 60 + 24 = 855.428571…
#   MP01 = 0.300 / 0.95 × 800 + 0.015 × 1200 = 252.631578… + 18 = 270.631578…
#   RC01 = 0.120 × 600 = 72
# The day: 3 × KP01 + 1 × MP01 + 2 × RC01 = 2980.917293… → 2981 cents.
# Revenue: 102.00 + 80.00 + 5.00 = 187.00 → 2981 / 18700 × 100 = 15.941176… → 15.9412 %.
RECIPE_COST_CENTS = 2981
VALUE = D("15.9412")


def test_theoretical_food_cost_by_hand(sold_day):
    assert compute.kpi_metrics(store=sold_day, day=DAY)["theoretical_food_cost"] == VALUE


def test_the_record_carries_the_cost_and_status(sold_day, other_store):
    services.kpi_ensure_defaults()
    services.kpi_compute(stores=[sold_day, other_store], start=DAY, notify=False)
    record = KPIRecord.objects.get(kpi_id=metrics.KPI_THEORETICAL_FOOD_COST, store=sold_day, record_date=DAY)
    assert record.value == VALUE
    assert record.metadata["recipe_cost_cents"] == RECIPE_COST_CENTS
    assert record.metadata["dish_revenue_cents"] == 182_00  # the open item is not a dish
    assert "undefined" not in record.metadata
    assert record.target_value == D("30") and record.status == KPIRecord.Status.ON_TRACK
    # The other store's own chicken cost: 0.18 / 0.7 × 10000 + 60 + 24 = 2655.43 → 2655 / 4800.
    other = KPIRecord.objects.get(kpi_id=metrics.KPI_THEORETICAL_FOOD_COST, store=other_store, record_date=DAY)
    assert other.metadata["recipe_cost_cents"] == 2655
    assert other.value == D("55.3125") and other.status == KPIRecord.Status.OFF_TRACK
    # The actual food cost is not a daily metric: no record from the daily computation.
    assert not KPIRecord.objects.filter(kpi_id=metrics.KPI_ACTUAL_FOOD_COST).exists()


def test_a_day_without_revenue_is_zero_and_undefined(store):
    services.kpi_ensure_defaults()
    records = {r.kpi_id: r for r in services.kpi_compute_day(store=store, day=DAY, notify=False)}
    theoretical = records[metrics.KPI_THEORETICAL_FOOD_COST]
    assert theoretical.value == D("0") and theoretical.metadata["undefined"] is True
    assert metrics.KPI_ACTUAL_FOOD_COST not in records


def test_queries_do_not_grow_with_orders_or_dishes(sold_day, actors):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute.collect_figures([sold_day.pk], DAY - dt.timedelta(days=1), DAY)
        return len(ctx.captured_queries)

    before = queries()
    for hour in range(16, 20):
        _order(sold_day, [("KP01", 1), ("MP01", 2), ("RC01", 3)], local(DAY, hour))
    _order(sold_day, [("RC01", 1)], local(DAY - dt.timedelta(days=1), 12))
    # The domain aggregates (orders, ledger, labor scheduled and worked, reservations, waitlist),
    # dish and modifier sales, recipes (2), unit costs, closed counts: the same whatever the rows.
    assert queries() == before == 13


def test_built_in_definitions(db):
    services.kpi_ensure_defaults()
    theoretical = KPI.objects.get(pk=metrics.KPI_THEORETICAL_FOOD_COST)
    assert (theoretical.category, theoretical.unit, theoretical.direction) == ("cost", "%", "lower_is_better")
    assert (theoretical.target_value, theoretical.warning_threshold, theoretical.critical_threshold) == (
        D("30"),
        D("33"),
        D("36"),
    )
    actual = KPI.objects.get(pk=metrics.KPI_ACTUAL_FOOD_COST)
    assert actual.metric == KPI.Metric.ACTUAL_FOOD_COST and actual.direction == "lower_is_better"
    assert KPI.objects.filter(pk=metrics.KPI_FOOD_COST_RATIO).exists()  # the ledger ratio stays


def test_the_migration_adds_the_definitions_to_a_seeded_database_only(db):
    migration = import_module("kpis.migrations.0004_food_cost_kpis")
    migration.add_definitions(django_apps, None)
    assert not KPI.objects.exists()  # a fresh database: kpi_ensure_defaults creates them all
    services.kpi_ensure_defaults()
    KPI.objects.filter(pk__in=metrics.FOOD_COST_KPIS).delete()  # seeded before they existed
    migration.add_definitions(django_apps, None)
    by_id = {d["id"]: d for d in metrics.kpi_defaults()}
    for kpi in KPI.objects.filter(pk__in=metrics.FOOD_COST_KPIS):
        expected = by_id[kpi.pk]
        for name in ("name", "category", "unit", "metric", "direction", "target_value", "warning_threshold"):
            assert getattr(kpi, name) == expected[name], (kpi.pk, name)
        assert kpi.critical_threshold == expected["critical_threshold"]
        assert kpi.calculation_method == expected["calculation_method"]
    assert KPI.objects.filter(pk__in=metrics.FOOD_COST_KPIS).count() == 2
    migration.add_definitions(django_apps, None)  # idempotent
    assert KPI.objects.count() == len(by_id)
