"""The actual food cost KPI: the consumption between two closed stock counts against the revenue of
the same days, recorded on the closing count's date when the count closes, equal to the
variance report's actual usage where prices did not change within the period."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from inventory import reports
from inventory.tests.test_variance_report import build_example
from kpis.metrics import KPI_ACTUAL_FOOD_COST
from kpis.models import KPIRecord
from kpis.services import kpi_compute, kpi_ensure_defaults

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def definitions(db):
    kpi_ensure_defaults()


@pytest.fixture
def example(actors):
    """The variance report's worked example: two closed counts, purchases, transfers, waste, sales."""
    return build_example(actors)


def _pct(part, whole) -> Decimal:
    return (D(part) * 100 / D(whole)).quantize(D("0.0001"), rounding=ROUND_HALF_UP)


def test_closing_a_count_records_the_actual_food_cost_of_its_period(example):
    opening, closing = example
    full = reports.stock_variance(opening=opening, closing=closing)
    report = full["totals"]
    record = KPIRecord.objects.get(kpi_id=KPI_ACTUAL_FOOD_COST, store=closing.store, record_date=closing.count_date)
    # The purchase of the period was at the item's own cost, so both valuations agree to the cent.
    assert record.metadata["actual_cost_cents"] == report["actual_usage_cost_cents"]
    assert record.metadata["revenue_cents"] == report["revenue_cents"] > 0
    assert record.value == _pct(report["actual_usage_cost_cents"], report["revenue_cents"])
    assert record.metadata["start"] == full["start"].isoformat()
    assert record.metadata["end"] == full["end"].isoformat()
    assert D(record.metadata["theoretical_percent"]) == _pct(
        record.metadata["recipe_cost_cents"], report["revenue_cents"]
    )
    # The opening count has no earlier count: no record on its day; none on the days between.
    assert not KPIRecord.objects.filter(kpi_id=KPI_ACTUAL_FOOD_COST, record_date__lt=closing.count_date).exists()


def test_recomputing_a_range_gives_the_same_record_and_only_on_count_days(example):
    opening, closing = example
    first = KPIRecord.objects.get(kpi_id=KPI_ACTUAL_FOOD_COST, record_date=closing.count_date)
    kpi_compute(stores=[closing.store_id], start=opening.count_date - dt.timedelta(days=3), end=closing.count_date)
    records = KPIRecord.objects.filter(kpi_id=KPI_ACTUAL_FOOD_COST, store=closing.store)
    assert list(records.values_list("record_date", flat=True)) == [closing.count_date]
    again = records.get()
    assert (again.value, again.metadata) == (first.value, first.metadata)


def test_a_period_that_began_before_the_computed_range_still_counts_all_its_days(example):
    opening, closing = example
    KPIRecord.objects.all().delete()
    # Only the closing day is computed: the revenue and recipe cost of the earlier days are read too.
    kpi_compute(stores=[closing.store_id], start=closing.count_date)
    record = KPIRecord.objects.get(kpi_id=KPI_ACTUAL_FOOD_COST, record_date=closing.count_date)
    totals = reports.stock_variance(opening=opening, closing=closing)["totals"]
    assert record.metadata["revenue_cents"] == totals["revenue_cents"]
    assert record.metadata["actual_cost_cents"] == totals["actual_usage_cost_cents"]
