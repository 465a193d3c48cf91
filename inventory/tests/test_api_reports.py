"""Inventory report endpoints: low stock, reorder suggestions, waste analysis, their store scoping."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services
from inventory.tests.helpers import ITEMS, stocked

D = Decimal


def test_low_stock_lists_the_worst_first(actors, client_for):
    low = stocked(actors.store, 8, name="Leeks", min_quantity=D("10"))
    critical = stocked(actors.store, 3, name="Chili", min_quantity=D("10"))
    out = stocked(actors.store, 0, name="Lotus root", min_quantity=D("10"))
    stocked(actors.store, 30, name="Onions", min_quantity=D("10"))
    stocked(actors.store, 0, name="Retired", is_active=False)
    stocked(actors.other_store, 0, name="Elsewhere")
    response = client_for(actors.staff).get(f"{ITEMS}low-stock/")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [out.pk, critical.pk, low.pk]
    assert [row["status"] for row in body["results"]] == ["out_of_stock", "critical", "low"]


def test_reorder_suggestions_endpoint(actors, client_for):
    stocked(actors.store, 4, name="Bok choy", min_quantity=D("10"), max_quantity=D("30"), unit_cost_cents=5_50)
    stocked(
        actors.store,
        0,
        name="Shrimp",
        min_quantity=D("5"),
        max_quantity=D("20"),
        unit_cost_cents=80_00,
        supplier_name="Sea Co.",
        supplier_contact="021-5555",
    )
    response = client_for(actors.manager).get(f"{ITEMS}reorder-suggestions/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store"] == "STORE001" and body["total_cost_cents"] == 143_00 + 1600_00
    assert [(g["supplier_name"], g["total_cost_cents"], g["item_count"]) for g in body["suppliers"]] == [
        ("Fresh Farm Co.", 143_00, 1),
        ("Sea Co.", 1600_00, 1),
    ]
    line = body["suppliers"][0]["items"][0]
    assert (line["name"], line["quantity"], line["cost_cents"], line["current_quantity"]) == (
        "Bok choy",
        "26.000",
        143_00,
        "4.000",
    )
    assert body["suppliers"][1]["supplier_contact"] == "021-5555"


def test_report_store_scoping(actors, client_for):
    stocked(actors.other_store, 0, name="Elsewhere")
    manager = client_for(actors.manager)
    for url in (f"{ITEMS}reorder-suggestions/", f"{ITEMS}waste-analysis/"):
        assert manager.get(url, {"store": actors.other_store.pk}).status_code == 404
        assert manager.get(url, {"store": "NOPE"}).status_code == 404
        response = client_for(actors.admin).get(url)
        assert response.status_code == 400 and "store" in response.json()
        assert client_for(actors.admin).get(url, {"store": actors.other_store.pk}).status_code == 200
    body = client_for(actors.admin).get(f"{ITEMS}reorder-suggestions/", {"store": actors.other_store.pk}).json()
    assert [i["name"] for g in body["suppliers"] for i in g["items"]] == ["Elsewhere"]


def test_waste_analysis_endpoint(actors, client_for):
    beef = stocked(actors.store, 20, name="Beef", category="meat", unit_cost_cents=60_00)
    today = timezone.localdate()
    services.stock_record_waste(item=beef, quantity="1.5", reason="spoiled")
    old = timezone.now() - dt.timedelta(days=40)
    services.stock_record_waste(item=beef, quantity="1", reason="expired", transaction_time=old)
    client = client_for(actors.manager)
    body = client.get(f"{ITEMS}waste-analysis/").json()  # the last 30 days by default
    assert (body["total_cost_cents"], body["count"], body["end"]) == (90_00, 1, today.isoformat())
    assert body["by_item"][0]["reasons"] == {"spoiled": "1.500"}
    assert body["by_category"] == [{"category": "meat", "quantity": "1.500", "cost_cents": 90_00, "count": 1}]
    wide = client.get(
        f"{ITEMS}waste-analysis/", {"start": (today - dt.timedelta(days=60)).isoformat(), "end": today.isoformat()}
    ).json()
    assert (wide["total_cost_cents"], wide["count"]) == (150_00, 2)
    assert [r["reason"] for r in wide["by_reason"]] == ["spoiled", "expired"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01"},
        {"end": "yesterday"},
        {"start": "2026-05-02", "end": "2026-05-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        {"start": "2099-01-01"},
    ],
)
def test_waste_analysis_bad_dates_are_400(actors, client_for, params):
    response = client_for(actors.manager).get(f"{ITEMS}waste-analysis/", params)
    assert response.status_code == 400, response.content
