"""`manage.py seed`: the stock counts (盘点) of the demo chain and the story the variance report tells."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from inventory import reports
from inventory.models import InventoryItem, InventoryTransaction, StockCount
from zhilian.dates import local_day_bounds
from zhilian.seed.stock import WHOLE_UNITS

pytestmark = pytest.mark.django_db


def test_seeded_counts_and_the_variance_story():
    """One seed (it takes a while), three checks."""
    # 2026-11-04 .. 2026-11-20: the opening count, then the Mondays 9 and 16 November.
    call_command("seed", "--stores=1", "--days=17", "--end-date=2026-11-20", stdout=io.StringIO())
    check_counts_are_closed_sheets_whose_adjustments_are_their_differences()
    check_the_variance_report_tells_the_story()
    check_the_seeded_sales_usage_is_the_theoretical_usage()


def check_counts_are_closed_sheets_whose_adjustments_are_their_differences():
    counts = list(StockCount.objects.order_by("count_date"))
    assert [c.count_date for c in counts] == [dt.date(2026, 11, 3), dt.date(2026, 11, 8), dt.date(2026, 11, 15)]
    items = InventoryItem.objects.filter(store_id="STORE001").count()
    for count in counts:
        assert count.status == "closed" and count.closed_at and count.closed_by.username == "manager001"
        lines = list(count.lines.all())
        assert len(lines) == items and all(line.counted_quantity is not None for line in lines)
        written = dict(
            InventoryTransaction.objects.filter(reference_id=count.reference, transaction_type="adjustment")
            .values("item_id")
            .annotate(total=Sum("quantity"))
            .values_list("item_id", "total")
        )
        differences = {
            line.item_id: line.counted_quantity - line.expected_quantity
            for line in lines
            if line.counted_quantity != line.expected_quantity
        }
        assert written == differences
    # After the opening count, the shelves hold less than the books, never more.
    later = [line for count in counts[1:] for line in count.lines.all()]
    assert all(line.counted_quantity <= line.expected_quantity for line in later)
    assert sum(line.counted_quantity < line.expected_quantity for line in later) > len(later) // 3
    assert not InventoryTransaction.objects.filter(transaction_type="adjustment", reference_id="").exists()


def check_the_variance_report_tells_the_story():
    opening, closing = StockCount.objects.order_by("count_date")[1:3]
    report = reports.stock_variance_for_count(closing)
    assert report["opening_count"] == opening.pk
    totals = report["totals"]
    assert totals["revenue_cents"] > 0 and totals["theoretical_cost_cents"] > 0
    # Actual food cost a little above theoretical: waste plus unexplained losses.
    assert totals["unexplained_cost_cents"] > 0 and totals["waste_cost_cents"] >= 0
    gap = totals["food_cost_gap_pct"]
    assert Decimal("0") < gap < Decimal("5"), gap
    assert Decimal("15") < totals["theoretical_food_cost_pct"] < Decimal("45")
    # The worst lines lose money; no packaging in a food cost report.
    assert report["lines"][0]["variance_cents"] > 0
    assert not {"takeaway_box", "chopsticks", "delivery_bag"} & {line["sku"] for line in report["lines"]}


def check_the_seeded_sales_usage_is_the_theoretical_usage():
    """The ledger's daily usage is what the recipes say the sold portions take: the variance
    comes from the counts, not from noise in the usage rows."""
    opening, closing = StockCount.objects.order_by("count_date")[1:3]
    report = reports.stock_variance(opening=opening, closing=closing)
    lo, hi = local_day_bounds(report["start"], report["end"])
    booked = defaultdict(Decimal)
    for item_id, quantity in InventoryTransaction.objects.filter(
        store_id="STORE001", transaction_type="usage", transaction_time__gte=lo, transaction_time__lt=hi
    ).values_list("item_id", "quantity"):
        booked[item_id] -= quantity
    days = (report["end"] - report["start"]).days + 1
    compared = 0
    for line in report["lines"]:
        if line["unit"] in WHOLE_UNITS or not line["theoretical_usage"]:
            continue  # whole units are booked rounded up per day
        # One rounding to three decimals per day (and none where stock ran out).
        assert abs(booked[line["item"]] - line["theoretical_usage"]) <= Decimal("0.001") * days, line["sku"]
        compared += 1
    assert compared >= 15
