"""The KPI trend chart (selector, chart coordinates, admin page) and the changelist sparklines."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis import services
from kpis.charts import sparkline, trend_chart
from kpis.models import KPI, KPIRecord
from kpis.selectors import kpi_series, recent_values
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from zhilian.testing.queries import count_queries


@pytest.fixture
def defaults(db):
    services.kpi_ensure_defaults()


def _series_records(kpi, store, end, values):
    for i, value in enumerate(values):
        KPIRecordFactory(
            kpi=kpi, store=store, record_date=end - dt.timedelta(days=len(values) - 1 - i), value=Decimal(value),
            target_value=kpi.target_value, status="on_track" if Decimal(value) >= 9000 else "off_track",
        )  # fmt: skip


def test_series_is_one_query_in_the_window_oldest_first(store, other_store):
    kpi = KPIFactory(metric=KPI.Metric.ORDER_COUNT)  # no store target replaces the KPI's
    end = dt.date(2026, 11, 20)
    _series_records(kpi, store, end, ["9500", "8000", "9900"])
    KPIRecordFactory(kpi=kpi, store=other_store, record_date=end)  # another store's record stays out
    KPIRecordFactory(kpi=kpi, store=store, record_date=end - dt.timedelta(days=7))  # before a 7-day window
    queries, series = count_queries(lambda: kpi_series(kpi=kpi, store=store, end=end, days=7))
    assert queries == 1
    assert [p["value"] for p in series["points"]] == [Decimal("9500"), Decimal("8000"), Decimal("9900")]
    assert (series["target"], series["warning"], series["critical"]) == (Decimal(10000), Decimal(9000), Decimal(7000))


def test_chart_bands_follow_the_status_rule_and_draw_the_target():
    start = dt.date(2026, 11, 1)
    ten = Decimal("10000")
    points = [
        {"date": start, "value": Decimal("9500"), "target": ten, "status": "on_track"},
        {"date": start + dt.timedelta(days=1), "value": Decimal("8000"), "target": ten, "status": "at_risk"},
        # a gap of a day: the line breaks there
        {"date": start + dt.timedelta(days=3), "value": Decimal("6000"), "target": ten, "status": "off_track"},
    ]
    series = {"points": points, "start": start, "end": start + dt.timedelta(days=6), "days": 7,
              "target": Decimal(10000), "warning": Decimal(9000), "critical": Decimal(7000),
              "direction": KPI.Direction.HIGHER_IS_BETTER}  # fmt: skip
    chart = trend_chart(series)
    bands = {b["status"]: b for b in chart["bands"]}
    # higher is better: on track above 9000 (top of the plot), off track below 7000 (bottom)
    assert bands["on_track"]["y"] < bands["at_risk"]["y"] < bands["off_track"]["y"]
    assert len(chart["segments"]) == 2
    ys = {float(pair.split(",")[1]) for pair in chart["target_line"].split()}
    assert len(ys) == 1 and ys.pop() < bands["at_risk"]["y"]  # the target sits in the on-track band

    lower = trend_chart({**series, "direction": KPI.Direction.LOWER_IS_BETTER, "warning": Decimal(20),
                         "critical": Decimal(30), "target": Decimal(15), "points": []})  # fmt: skip
    lower_bands = {b["status"]: b for b in lower["bands"]}
    assert lower_bands["on_track"]["y"] > lower_bands["off_track"]["y"]  # lower is better: on track at the bottom
    assert lower["has_data"] is False and lower["target_line"]


def test_recent_values_for_a_page_in_one_query(store, other_store):
    kpi = KPIFactory()
    end = dt.date(2026, 11, 20)
    _series_records(kpi, store, end, ["1", "2", "3", "4"])
    _series_records(kpi, other_store, end, ["7", "8"])
    page = list(
        KPIRecord.objects.filter(record_date__in=[end, end - dt.timedelta(days=1)]).order_by("store", "record_date")
    )
    queries, values = count_queries(lambda: recent_values(page, points=3))
    assert queries == 1
    by_key = {(r.store_id, r.record_date): values[r.pk] for r in page}
    assert by_key[(store.pk, end)] == [Decimal(2), Decimal(3), Decimal(4)]
    assert by_key[(store.pk, end - dt.timedelta(days=1))] == [Decimal(1), Decimal(2), Decimal(3)]
    assert by_key[(other_store.pk, end)] == [Decimal(7), Decimal(8)]
    assert "<polyline" in sparkline(by_key[(store.pk, end)]) and sparkline([Decimal(1)]) == ""


def test_admin_trend_page_and_sparklines(actors, client, defaults):
    kpi = KPI.objects.get(pk="KPI_REVENUE")
    today = timezone.localdate()
    _series_records(kpi, actors.store, today, ["5200", "4000", "3000", "4800"])
    KPIRecordFactory(kpi=kpi, store=actors.other_store, record_date=today, value=Decimal("7777"))
    client.force_login(actors.manager)

    changelist = client.get("/admin/kpis/kpirecord/")
    assert changelist.status_code == 200
    # one line per row that has an earlier value to draw from (the oldest has none)
    assert changelist.text.count('class="kpi-spark"') == 3
    assert "/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&amp;store=STORE001" in changelist.text
    definition = client.get("/admin/kpis/kpi/KPI_REVENUE/change/")
    assert "/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE" in definition.text

    page = client.get("/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&days=7")
    assert page.status_code == 200
    html = page.text
    assert 'id="kpi-target-line"' in html
    assert len(re.findall(r'class="kpi-dot"', html)) == 4
    assert {"on_track", "at_risk", "off_track"} <= set(re.findall(r'data-band="(\w+)"', html))
    assert "¥5,200.00" in html and "¥4,000.00" in html
    assert "7,777" not in html  # another store's value
    # another store's chart is not found; a chart of 90 days is offered and drawn
    assert client.get("/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&store=STORE002").status_code == 404
    assert client.get("/admin/kpis/kpirecord/trend/?kpi=KPI_REVENUE&days=90").status_code == 200
    assert client.get("/admin/kpis/kpirecord/trend/?kpi=NOPE").status_code == 404

    client.force_login(actors.staff)
    assert client.get("/admin/kpis/kpirecord/trend/").status_code in (302, 403)


def test_kpi_names_follow_the_language(defaults):
    from django.utils import translation

    kpi = KPI.objects.get(pk="KPI_REVENUE")
    custom = KPIFactory(name="Dessert revenue", name_zh="甜品营收")
    with translation.override("zh-hans"):
        assert kpi.display_name == "日营业额"
        assert custom.display_name == "甜品营收"
    with translation.override("en"):
        assert kpi.display_name == "Daily revenue" and custom.display_name == "Dessert revenue"


def test_dashboard_trend_fragment(actors, client, defaults):
    kpi = KPI.objects.get(pk="KPI_REVENUE")
    _series_records(kpi, actors.store, timezone.localdate(), ["5200", "4000"])
    client.force_login(actors.staff)  # staff read their store's KPI tiles, so their charts too
    fragment = client.get("/dashboard/kpi-trend/", {"kpi": "KPI_REVENUE", "days": "7"})
    assert fragment.status_code == 200
    assert 'id="kpi-target-line"' in fragment.text and fragment.text.count('class="kpi-dot"') == 2
    assert 'data-trend-days="90"' in fragment.text and "/admin/" not in fragment.text  # staff have no admin
    assert client.get("/dashboard/kpi-trend/", {"kpi": "KPI_REVENUE", "store": "STORE002"}).status_code == 404
    assert client.get("/dashboard/kpi-trend/", {"kpi": "NOPE"}).status_code == 404
