"""The variance report between two closed counts, against a small example computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import reports, services
from inventory.models import InventoryItem
from inventory.tests.factories import StockCountFactory
from menu.tests.helpers import build_menu
from orders import services as orders
from orders.models import Order
from zhilian.dates import local_midnight
from zhilian.errors import DomainError, InvalidInput
from zhilian.testing.queries import count_queries

D = Decimal
S = Order.Status


def _count(store, user, day, counted: dict[str, str]):
    """Open, count (`counted` by sku; the rest as booked) and close a count dated `day`."""
    count = services.stock_count_open(store=store, user=user, count_date=day)
    entries = []
    for line in count.lines.select_related("item"):
        entries.append({"item": line.item_id, "counted_quantity": counted.get(line.item.sku, line.expected_quantity)})
    services.stock_count_record(count=count, quantities=entries, user=user)
    return services.stock_count_close(count=count, user=user)


def _sell(store, user, lines, *statuses):
    order = orders.order_create(store=store, items=[{"item_code": c, "quantity": q} for c, q in lines], user=user)
    for status in statuses:
        order = orders.order_transition(order=order, status=status, user=user, reason="test")
    return order


@pytest.fixture
def example(actors):
    return build_example(actors)


def build_example(actors):
    """Opening count two days ago, a purchase, a transfer each way, waste, sales, closing count today.

    Items (build_menu): chicken 50, peanuts 10, oil 20, tofu 30, rice 40 kg at 10.00, 10.01, 10.02,
    10.03 and 10.04 yuan.
    """
    store, user = actors.store, actors.manager
    menu = build_menu(store, stores=(actors.other_store,))
    today = timezone.localdate()
    # Before the period (on the opening count's day): not a purchase of the period.
    services.stock_record_purchase(
        item=menu.items["peanuts"], quantity=1, transaction_time=local_midnight(today - dt.timedelta(days=2))
    )
    opening = _count(store, user, today - dt.timedelta(days=2), {"chicken": "49", "peanuts": "10"})
    services.stock_record_purchase(item=menu.items["chicken"], quantity=10, unit_cost_cents=10_00)
    services.stock_transfer(item=menu.items["tofu"], to_store=actors.other_store, quantity=5)
    there = InventoryItem.objects.get(store=actors.other_store, sku="rice")
    services.stock_transfer(item=there, to_store=store, quantity=4)
    services.stock_record_waste(item=menu.items["chicken"], quantity="0.5", reason="spoiled")
    services.stock_record_waste(item=menu.items["oil"], quantity="0.2", reason="expired")
    _sell(store, user, [("KP01", 3), ("MP01", 2), ("RC01", 5)], S.CONFIRMED, S.PREPARING)
    _sell(store, user, [("KP01", 1)], S.CONFIRMED, S.PREPARING, S.CANCELLED)  # not sold
    closing = _count(
        store,
        user,
        today,
        {"chicken": "56", "peanuts": "9.91", "oil": "19.71", "tofu": "24.368", "rice": "43.5"},
    )
    return opening, closing


def test_the_report_matches_the_hand_computed_example(example):
    opening, closing = example
    report = reports.stock_variance(opening=opening, closing=closing)
    assert (report["start"], report["end"]) == (opening.count_date + dt.timedelta(days=1), closing.count_date)
    lines = {line["sku"]: line for line in report["lines"]}
    chicken = lines["chicken"]
    # 49 + 10 bought - 56 = 3 used; sold 3 × 0.18 / 0.7 = 0.771; 0.5 wasted; 1.729 unexplained.
    assert (chicken["opening_quantity"], chicken["purchases"], chicken["closing_quantity"]) == (
        D("49"),
        D("10"),
        D("56"),
    )
    assert (chicken["actual_usage"], chicken["theoretical_usage"], chicken["waste"]) == (D("3"), D("0.771"), D("0.5"))
    assert chicken["waste_by_reason"] == {"spoiled": D("0.5")}
    assert (chicken["variance_quantity"], chicken["variance_cents"]) == (D("1.729"), 17_29)
    assert chicken["variance_pct"] == D("224.25")  # 1.729 / 0.771
    assert lines["peanuts"]["purchases"] == 0  # bought on the opening count's day: before the period
    assert (lines["peanuts"]["actual_usage"], lines["peanuts"]["variance_quantity"]) == (D("0.09"), 0)
    oil = lines["oil"]  # 0.29 used = 0.09 sold + 0.2 wasted
    assert (oil["actual_usage"], oil["theoretical_usage"], oil["waste"], oil["variance_quantity"]) == (
        D("0.29"),
        D("0.09"),
        D("0.2"),
        0,
    )
    tofu = lines["tofu"]  # 30 - 5 sent away - 24.368 = 0.632 = 2 × 0.3 / 0.95
    assert (tofu["transfers_out"], tofu["actual_usage"], tofu["variance_quantity"]) == (D("5"), D("0.632"), 0)
    rice = lines["rice"]  # 40 + 4 received - 43.5 = 0.5 used, 0.6 sold: 0.1 more on the shelf
    assert (rice["transfers_in"], rice["actual_usage"], rice["theoretical_usage"]) == (D("4"), D("0.5"), D("0.6"))
    assert (rice["variance_quantity"], rice["variance_cents"]) == (D("-0.1"), -1_00)
    # Worst cost of variance first.
    assert [line["sku"] for line in report["lines"]][0] == "chicken"
    assert report["lines"][-1]["sku"] == "rice"
    totals = report["totals"]
    assert totals["revenue_cents"] == 3 * 48_00 + 2 * 32_00 + 5 * 3_00  # the cancelled order is not revenue
    assert totals["theoretical_cost_cents"] == 771 + 90 + 90 + 634 + 602
    assert totals["actual_usage_cost_cents"] == 3000 + 90 + 291 + 634 + 502
    assert totals["waste_cost_cents"] == 500 + 200
    assert totals["unexplained_cost_cents"] == 1729 - 100
    assert totals["theoretical_food_cost_pct"] == D("9.81")  # 2187 / 22300
    assert totals["actual_food_cost_pct"] == D("20.26")  # 4517 / 22300
    assert totals["food_cost_gap_pct"] == D("10.45")


def test_the_api_answers_the_same_report(example, actors, client_for):
    opening, closing = example
    response = client_for(actors.staff).get(f"/api/v1/stock-counts/{closing.pk}/variance/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["opening_count"], body["closing_count"]) == (opening.pk, closing.pk)
    assert body["lines"][0]["sku"] == "chicken" and body["lines"][0]["variance_cents"] == 17_29
    assert body["lines"][0]["variance_quantity"] == "1.729"
    assert body["totals"]["actual_food_cost_pct"] == "20.26"
    explicit = client_for(actors.staff).get(f"/api/v1/stock-counts/{closing.pk}/variance/", {"from_count": opening.pk})
    assert explicit.json() == body


def test_the_report_takes_a_handful_of_queries(example):
    opening, closing = example
    queries, _report = count_queries(lambda: reports.stock_variance(opening=opening, closing=closing))
    assert queries <= 7


def test_refusals(example, actors):
    opening, closing = example
    with pytest.raises(InvalidInput):
        reports.stock_variance(opening=closing, closing=opening)
    with pytest.raises(InvalidInput):
        reports.stock_variance(opening=StockCountFactory(store=actors.other_store), closing=closing)
    with pytest.raises(DomainError) as refused:
        reports.stock_variance_for_count(opening)
    assert refused.value.code == "no_previous_count"
    open_count = services.stock_count_open(store=actors.store, user=actors.manager)
    with pytest.raises(DomainError) as refused:
        reports.stock_variance_for_count(open_count)
    assert refused.value.code == "count_open"
    assert reports.stock_count_previous(closing) == opening
