"""A hand-built week of KPI records for the chain report tests (values worked out by hand)."""

import datetime as dt
from decimal import Decimal

from kpis.metrics import KPI_FOOD_COST_RATIO, KPI_REVENUE, KPI_STOCK_OUTS
from kpis.models import KPI, KPIRecord
from kpis.services import kpi_ensure_defaults
from stores.tests.factories import RegionFactory, StoreFactory

MONDAY = dt.date(2026, 3, 2)  # the week 2026-03-02 .. 03-08; the previous one 02-23 .. 03-01
PREVIOUS_MONDAY = MONDAY - dt.timedelta(days=7)


def record(kpi_id: str, store, day: dt.date, value: str, **meta) -> KPIRecord:
    kpi = KPI.objects.get(pk=kpi_id)
    return KPIRecord.objects.create(
        kpi=kpi,
        store=store,
        record_date=day,
        value=Decimal(value),
        target_value=kpi.target_value,
        metadata={
            **meta,
            "warning_threshold": str(kpi.warning_threshold),
            "critical_threshold": str(kpi.critical_threshold),
        },
    )


def revenue(store, day, yuan: int) -> KPIRecord:
    return record(KPI_REVENUE, store, day, str(yuan), revenue_cents=yuan * 100)


def food_cost(store, day, usage_cents: int, waste_cents: int, revenue_cents: int) -> KPIRecord:
    value = Decimal(usage_cents + waste_cents) * 100 / revenue_cents
    return record(
        KPI_FOOD_COST_RATIO, store, day, str(value), usage_cost_cents=usage_cents, waste_cost_cents=waste_cents
    )


def build_chain(store=None, other_store=None):
    """East: A (two days) and B; South: C. Returns (a, b, c).

    Revenue (target 5000/day, warning 4500, critical 3500): A 1000 + 3000 = 4000 (previous week
    2000: +2000, +100 %), B 2000, C 500. Food cost (lower is better; target 35, warning 38, critical 42): A (250 + 50) /
    1000 = 30 % and (1200 + 300) / 3000 = 50 %, over the week 1800 / 4000 = 45 % (off track; the
    naive mean 40 would be at risk); B 400 / 2000 = 20 %. East pooled: 2200 / 6000 = 36.6667 %.
    Stock-outs: A 1 + 2 = 3 (warning 0, critical 2 a day: over 2 days 0 / 4: at risk).
    """
    kpi_ensure_defaults()
    east, south = RegionFactory(code="east", name="华东"), RegionFactory(code="south", name="华南")
    a = store or StoreFactory(id="A01", name="Store A")
    b = other_store or StoreFactory(id="B01", name="Store B")
    for s in (a, b):
        s.region = east
        s.save(update_fields=["region"])
    c = StoreFactory(id="C01", name="Store C", region=south)
    day2 = MONDAY + dt.timedelta(days=1)
    revenue(a, MONDAY, 1000)
    revenue(a, day2, 3000)
    revenue(a, PREVIOUS_MONDAY, 2000)
    revenue(b, MONDAY, 2000)
    revenue(c, MONDAY, 500)
    food_cost(a, MONDAY, 25000, 5000, 100000)
    food_cost(a, day2, 120000, 30000, 300000)
    food_cost(b, MONDAY, 40000, 0, 200000)
    record(KPI_STOCK_OUTS, a, MONDAY, "1", hit_zero=1)
    record(KPI_STOCK_OUTS, a, day2, "2", hit_zero=2)
    # Outside both periods: must not count.
    revenue(a, MONDAY + dt.timedelta(days=7), 99999)
    revenue(a, PREVIOUS_MONDAY - dt.timedelta(days=1), 99999)
    return a, b, c
