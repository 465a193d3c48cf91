"""Dates at the edges of the calendar: one bounded parser (zhilian.dates) behind every door."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhilian.dates import (
    check_range,
    command_range,
    day_problem,
    local_day_bounds,
    parse_day,
    parse_hhmm,
    requested_range,
)
from zhilian.errors import InvalidInput

BOUNDS = "Choose a date between 2000-01-01 and 2099-12-31."
EDGE_DAYS = ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"]
EDGE_MOMENTS = [
    "0001-01-01T00:00:00-14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999+14:00",
    "9999-12-31T23:59:59Z",
]


def test_the_bounds_themselves_are_accepted_and_shift_safely():
    assert parse_day("2000-01-01") == dt.date(2000, 1, 1)
    assert parse_day("2099-12-31") == dt.date(2099, 12, 31)
    start, end = local_day_bounds(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
    assert start.isoformat() == "2000-01-01T00:00:00+08:00"
    assert end.isoformat() == "2100-01-01T00:00:00+08:00"


@pytest.mark.parametrize("value", EDGE_DAYS)
def test_days_outside_the_bounds_are_refused_naming_the_field(value):
    with pytest.raises(InvalidInput) as refused:
        parse_day(value, "start")
    assert refused.value.errors == {"start": [BOUNDS]}


@pytest.mark.parametrize("value", ["2026-02-30", "26-11-01", "", "yesterday", "2026-11-01T00:00"])
def test_malformed_days_are_refused(value):
    with pytest.raises(InvalidInput) as refused:
        parse_day(value, "date")
    assert list(refused.value.errors) == ["date"]


def test_ranges_check_both_ends_order_and_length():
    assert check_range(dt.date(2026, 1, 1), dt.date(2026, 1, 31), max_days=31) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
    )
    with pytest.raises(InvalidInput) as refused:
        check_range(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    assert refused.value.errors == {"start": [BOUNDS], "end": [BOUNDS]}
    with pytest.raises(InvalidInput) as refused:
        check_range(dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    assert refused.value.errors == {"end": ["The end date is before the start date."]}
    with pytest.raises(InvalidInput) as refused:
        check_range(dt.date(2026, 1, 1), dt.date(2026, 2, 1), max_days=31)
    assert refused.value.errors == {"end": ["Choose at most 31 days."]}


def test_a_requested_range_defaults_to_the_days_ending_today_and_is_checked():
    today = timezone.localdate()
    assert requested_range(None, None, default_days=30) == (today - dt.timedelta(days=29), today)
    assert requested_range(None, dt.date(2026, 3, 10), default_days=7) == (dt.date(2026, 3, 4), dt.date(2026, 3, 10))
    assert requested_range(dt.date(2026, 3, 1), dt.date(2026, 3, 10), default_days=7) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 10),
    )
    with pytest.raises(InvalidInput) as refused:
        requested_range(dt.date(2026, 3, 11), dt.date(2026, 3, 10), default_days=7)
    assert refused.value.errors == {"end": ["The end date is before the start date."]}
    with pytest.raises(InvalidInput) as refused:
        requested_range(dt.date(2025, 1, 1), dt.date(2026, 3, 10), default_days=7, max_days=367, end_field="to")
    assert refused.value.errors == {"to": ["Choose at most 367 days."]}


@pytest.mark.parametrize(
    "value, minutes", [("00:00", 0), ("09:30", 570), ("14:00", 840), ("23:59", 1439), ("24:00", 1440)]
)
def test_times_of_day_parse_to_minutes_since_midnight(value, minutes):
    assert parse_hhmm(value) == minutes


@pytest.mark.parametrize("value", ["9:30", "24:01", "25:00", "12:60", "12:00:00", "", " 12:00", "noon", None, 720])
def test_anything_but_hh_mm_is_not_a_time_of_day(value):
    with pytest.raises(ValueError):
        parse_hhmm(value)


def test_a_datetime_is_not_a_day():
    assert day_problem(dt.datetime(2026, 1, 1)) == "Enter a date as YYYY-MM-DD."


# --- every door the issue named -------------------------------------------------------------------


@pytest.mark.parametrize("value", EDGE_DAYS)
def test_order_list_date_filter(actors, client_for, value):
    response = client_for(actors.manager).get("/api/v1/orders/", {"date": value})
    assert response.status_code == 400
    assert response.json() == {"date": [BOUNDS]}


@pytest.mark.parametrize("value", EDGE_MOMENTS)
def test_order_list_time_range_filter(actors, client_for, value):
    response = client_for(actors.manager).get("/api/v1/orders/", {"order_time_after": value})
    assert response.status_code == 400
    assert list(response.json()) == ["order_time"]


@pytest.mark.parametrize("value", EDGE_MOMENTS)
def test_order_creation_time(actors, client_for, value):
    payload = {
        "store": actors.store.pk,
        "order_type": "takeaway",
        "order_time": value,
        "items": [{"is_open_item": True, "item_code": "D1", "item_name": "Tea", "unit_price_cents": 500}],
    }
    response = client_for(actors.manager).post("/api/v1/orders/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["order_time"]


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "0001-01-05"), ("9999-12-01", "9999-12-31")])
def test_waste_analysis(actors, client_for, start, end):
    response = client_for(actors.manager).get("/api/v1/inventory-items/waste-analysis/", {"start": start, "end": end})
    assert response.status_code == 400
    assert response.json() == {"start": [BOUNDS], "end": [BOUNDS]}


@pytest.mark.parametrize("value", EDGE_DAYS)
def test_kpi_compute(actors, client_for, value):
    response = client_for(actors.manager).post("/api/v1/kpis/records/compute/", {"date": value}, format="json")
    assert response.status_code == 400
    assert response.json() == {"date": [BOUNDS]}


@pytest.mark.parametrize("value", EDGE_DAYS)
def test_kpi_dashboard(actors, client_for, value):
    response = client_for(actors.manager).get("/api/v1/kpis/dashboard/", {"date": value})
    assert response.status_code == 400
    assert response.json() == {"date": [BOUNDS]}


@pytest.mark.parametrize("value", EDGE_DAYS)
def test_kpi_records_range_filter(actors, client_for, value):
    response = client_for(actors.manager).get("/api/v1/kpis/records/", {"record_date_before": value})
    assert response.status_code == 400
    assert list(response.json()) == ["record_date"]


def test_store_opening_dates_of_record_reach_back_to_1900(actors, client_for):
    response = client_for(actors.admin).get("/api/v1/stores/", {"opened_after": "1900-01-01"})
    assert response.status_code == 200
    response = client_for(actors.admin).get("/api/v1/stores/", {"opened_after": "0001-01-01"})
    assert response.status_code == 400
    assert response.json() == {"opened_after": ["Choose a date between 1900-01-01 and 2099-12-31."]}


def test_command_range_is_check_range_as_a_command_error():
    from django.core.management.base import CommandError

    assert command_range(dt.date(2026, 1, 1), dt.date(2026, 1, 31), max_days=31) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
    )
    with pytest.raises(CommandError, match="--end: The end date is before the start date."):
        command_range(dt.date(2026, 1, 5), dt.date(2026, 1, 1))
    with pytest.raises(CommandError, match="--end: Choose at most 31 days."):
        command_range(dt.date(2026, 1, 1), dt.date(2026, 2, 1), max_days=31)
