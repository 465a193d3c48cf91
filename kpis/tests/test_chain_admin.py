"""The chain report's admin page: linked from the index, scoped, coloured, charted, downloadable."""

import csv
import io
import re

import pytest
from django.test import Client

from kpis.metrics import KPI_FOOD_COST_RATIO, KPI_REVENUE
from kpis.tests.chain_data import MONDAY, build_chain

pytestmark = pytest.mark.django_db
PAGE = "/admin/kpis/kpirecord/chain-report/"
WEEK = {"period": "week", "date": MONDAY.isoformat(), "kpi": KPI_REVENUE}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def chain(actors):
    return build_chain(actors.store, actors.other_store)


def test_linked_from_the_admin_index(actors):
    assert PAGE in _client(actors.admin).get("/admin/").content.decode()


def test_admin_sees_the_chain_coloured_and_charted(actors, chain):
    response = _client(actors.admin).get(PAGE, WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<tr data-store="(\w+)">', html) == [actors.store.pk, actors.other_store.pk, "C01"]
    assert f'href="/dashboard/?store={actors.store.pk}"' in html
    assert 'data-status="off_track"' in html  # A's revenue and food cost
    assert "¥6,500.00" in html  # the chain's revenue
    assert "45.0 %" in html and "+100.0 %" in html
    assert 'id="cr-chart"' in html and 'class="cr-target"' in html
    assert html.count('class="cr-line ') == 3  # a line per store with revenue records


def test_manager_sees_only_their_store(actors, chain):
    html = _client(actors.manager).get(PAGE, {**WEEK, "by": "region"}).content.decode()
    assert re.findall(r'<tr data-store="(\w+)">', html) == [actors.store.pk]
    assert actors.other_store.name not in html
    assert html.count('class="cr-line ') == 1


def test_staff_is_refused(actors):
    response = _client(actors.staff).get(PAGE)
    assert response.status_code in (302, 403)


def test_bad_period_shows_the_error(actors, chain):
    response = _client(actors.admin).get(PAGE, {"period": "custom", "start": "2026-03-05", "end": "2026-03-01"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert 'id="cr-table"' not in response.content.decode()


def test_csv_download(actors, chain):
    response = _client(actors.manager).get(PAGE, {**WEEK, "file_type": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:] if row[0]] == [actors.store.pk]
    header = rows[0]
    assert rows[1][header.index("Food cost ratio (%)")] == "45.0000"
    assert KPI_FOOD_COST_RATIO  # the column is named by the KPI's (translated) name


def test_chinese_page(actors, chain):
    client = _client(actors.admin)
    html = client.get(PAGE, WEEK, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "门店对比报表" in html and "下载 CSV" in html
