"""The chain report over the API: scoping, bad input, the chart and the CSV/XLSX exports."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kpis.metrics import KPI_FOOD_COST_RATIO, KPI_REVENUE
from kpis.tests.chain_data import MONDAY, build_chain

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/chain/"
WEEK = {"period": "week", "date": MONDAY.isoformat()}


@pytest.fixture
def chain(actors):
    return build_chain(actors.store, actors.other_store)


def test_admin_sees_every_store_and_the_totals(actors, chain, client_for):
    response = client_for(actors.admin).get(URL, WEEK)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["store"] for row in body["stores"]] == [actors.store.pk, actors.other_store.pk, "C01"]
    assert body["period"] == {
        "kind": "week",
        "start": "2026-03-02",
        "end": "2026-03-08",
        "days": 7,
        "previous_start": "2026-02-23",
        "previous_end": "2026-03-01",
    }
    cell = body["stores"][0]["values"][KPI_FOOD_COST_RATIO]
    assert (cell["value"], cell["status"], cell["rank"]) == ("45.0000", "off_track", 2)
    assert body["chain"]["total"][KPI_REVENUE]["value"] == "6500.0000"
    assert {r["region"]: r["stores"] for r in body["regions"]} == {"east": 2, "south": 1}


def test_region_filter(actors, chain, client_for):
    body = client_for(actors.admin).get(URL, {**WEEK, "region": "south"}).json()
    assert [row["store"] for row in body["stores"]] == ["C01"]
    assert body["region"] == "south"
    response = client_for(actors.admin).get(URL, {**WEEK, "region": "nowhere"})
    assert response.status_code == 400
    assert response.json()["region"] == ["No such region."]


def test_manager_sees_only_their_store(actors, chain, client_for):
    body = client_for(actors.manager).get(URL, WEEK).json()
    assert [row["store"] for row in body["stores"]] == [actors.store.pk]
    assert body["chain"]["stores"] == 1
    assert body["chain"]["total"][KPI_REVENUE]["value"] == "4000.0000"
    # Another region holds no store of theirs: an empty report, not the other stores.
    body = client_for(actors.manager).get(URL, {**WEEK, "region": "south"}).json()
    assert body["stores"] == []


def test_staff_and_anonymous_are_refused(actors, chain, client_for, anon_client):
    assert client_for(actors.staff).get(URL, WEEK).status_code == 403
    assert anon_client.get(URL, WEEK).status_code == 401


@pytest.mark.parametrize(
    "params,field",
    [
        ({"period": "year"}, "period"),
        ({"period": "custom", "from": "2026-03-01"}, "to"),
        ({"period": "custom", "from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ({"period": "custom", "from": "2025-01-01", "to": "2026-03-01"}, "to"),
        ({"period": "week", "date": "not-a-day"}, "date"),
        ({"period": "week", "from": "2026-03-01", "to": "2026-03-02"}, "period"),
    ],
)
def test_bad_input_is_400_with_the_field(actors, client_for, params, field):
    response = client_for(actors.admin).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in str(response.json())


def test_custom_period(actors, chain, client_for):
    params = {"period": "custom", "from": "2026-03-03", "to": "2026-03-03"}
    body = client_for(actors.admin).get(URL, params).json()
    values = {row["store"]: row["values"] for row in body["stores"]}
    assert values[actors.store.pk][KPI_REVENUE]["value"] == "3000.0000"
    assert values[actors.store.pk][KPI_REVENUE]["previous"] == "1000.0000"
    assert values[actors.store.pk][KPI_REVENUE]["change_percent"] == "200.0000"


def test_chart_by_store_and_region(actors, chain, client_for):
    params = {**WEEK, "kpi": KPI_REVENUE}
    body = client_for(actors.admin).get(URL + "chart/", params).json()
    assert body["bucket"] == "day"
    assert body["points"] == ["2026-03-02", "2026-03-03"]
    lines = {line["key"]: line["values"] for line in body["lines"]}
    assert lines[actors.store.pk] == ["1000.0000", "3000.0000"]
    assert lines["C01"] == ["500.0000", None]
    assert body["target"] == ["5000.0000", "5000.0000"]
    body = client_for(actors.admin).get(URL + "chart/", {**params, "by": "region"}).json()
    lines = {line["key"]: line["values"] for line in body["lines"]}
    assert lines["east"] == ["1500.0000", "3000.0000"]  # per store: (1000 + 2000) / 2, then A alone
    body = client_for(actors.manager).get(URL + "chart/", params).json()
    assert [line["key"] for line in body["lines"]] == [actors.store.pk]
    assert client_for(actors.admin).get(URL + "chart/", {**WEEK, "kpi": "NOPE"}).status_code == 400


def test_chart_of_a_ratio_pools_its_parts(actors, chain, client_for):
    params = {**WEEK, "kpi": KPI_FOOD_COST_RATIO, "by": "region"}
    body = client_for(actors.admin).get(URL + "chart/", params).json()
    lines = {line["key"]: line["values"] for line in body["lines"]}
    # Monday: (300 + 400) / (1000 + 2000); Tuesday: A alone.
    assert lines["east"] == ["23.3333", "50.0000"]
    assert "south" not in lines


def test_export_csv(actors, chain, client_for):
    response = client_for(actors.admin).get(URL + "export/", {**WEEK, "file_type": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="chain-report-2026-03-02-2026-03-08.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    revenue = header.index("Daily revenue (CNY)")
    assert header[revenue + 1] == "Daily revenue: previous period"
    by_store = {row[0]: row for row in rows[1:] if row[0]}
    assert by_store[actors.store.pk][revenue : revenue + 5] == ["4000.0000", "2000.0000", "100.0000", "Off track", "1"]
    assert [row[1:3] for row in rows if not row[0]][-2:] == [["Total", "Chain"], ["Average per store", "Chain"]]
    assert rows[-2][revenue] == "6500.0000"


def test_export_xlsx_is_scoped(actors, chain, client_for):
    response = client_for(actors.manager).get(URL + "export/", {**WEEK, "file_type": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    revenue = rows[0].index("Daily revenue (CNY)")
    stores = [row[0] for row in rows[1:] if row[0]]
    assert stores == [actors.store.pk]  # never another store's row
    assert rows[1][revenue] == 4000.0
    assert not any(actors.other_store.name in str(cell) for row in rows for cell in row)


def test_dates_default_to_yesterday(actors, client_for):
    body = client_for(actors.admin).get(URL, {"period": "day"}).json()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert (body["period"]["start"], body["period"]["end"]) == (yesterday, yesterday)


def test_export_names_its_file_type(actors, client_for):
    response = client_for(actors.admin).get(URL + "export/", WEEK)
    assert response.status_code == 400
    assert "file_type" in response.json()
