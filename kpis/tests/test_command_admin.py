"""manage.py compute_kpis and the admin pages."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kpis import services
from kpis.models import KPI, KPIRecord
from kpis.tests.factories import KPIRecordFactory
from stores.models import Store
from stores.tests.factories import StoreFactory


@pytest.fixture
def defaults(db):
    services.kpi_ensure_defaults()


def run(*args) -> str:
    out = StringIO()
    call_command("compute_kpis", *args, stdout=out)
    return out.getvalue()


def test_command_defaults_to_yesterday_for_active_stores(store, other_store, defaults):
    StoreFactory(id="STORE003", status=Store.Status.RENOVATING)
    output = run()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert "Computed 30 KPI records for 2 store(s) × 1 day(s)" in output
    assert set(KPIRecord.objects.values_list("record_date", flat=True)) == {yesterday}


def test_command_range_and_stores(store, other_store, defaults):
    output = run("--start", "2026-11-01", "--end", "2026-11-03", "--store", "STORE002")
    assert "Computed 45 KPI records for 1 store(s) × 3 day(s) (2026-11-01..2026-11-03)" in output
    assert set(KPIRecord.objects.values_list("store_id", flat=True)) == {"STORE002"}
    run("--date", "2026-11-05", "--store", "STORE001", "STORE002")
    assert KPIRecord.objects.filter(record_date=dt.date(2026, 11, 5)).count() == 30


@pytest.mark.parametrize(
    "args",
    [
        ("--date", "2026-02-30"),
        ("--date", "2026-11-01", "--start", "2026-11-01"),
        ("--store", "NOPE"),
        ("--start", "2026-11-05", "--end", "2026-11-01"),
        ("--date", "2999-01-01"),
    ],
)
def test_command_rejects_bad_arguments(store, defaults, args):
    with pytest.raises(CommandError):
        run(*args)


def test_admin_changelists(actors, client, defaults):
    KPIRecordFactory(store=actors.store, record_date=dt.date(2026, 11, 1))
    theirs = KPIRecordFactory(store=actors.other_store, record_date=dt.date(2026, 11, 1))
    client.force_login(actors.manager)
    response = client.get("/admin/kpis/kpirecord/")
    assert response.status_code == 200
    assert "STORE001" in response.text or actors.store.name in response.text
    assert client.get(f"/admin/kpis/kpirecord/{theirs.pk}/change/").status_code == 302  # not found -> redirect
    assert client.get("/admin/kpis/kpi/").status_code == 200
    assert client.get("/admin/kpis/kpi/KPI_REVENUE/change/").status_code == 200  # view only
    assert client.post("/admin/kpis/kpi/KPI_REVENUE/change/", {"name": "x"}).status_code == 403
    assert client.get("/admin/kpis/kpi/add/").status_code == 403
    client.force_login(actors.admin)
    assert client.get("/admin/kpis/kpirecord/").status_code == 200
    assert client.get("/admin/kpis/kpi/add/").status_code == 200


def test_admin_recompute_action(actors, client, defaults):
    record = KPIRecordFactory(
        kpi=KPI.objects.get(pk="KPI_REVENUE"),
        store=actors.store,
        record_date=dt.date(2026, 11, 1),
        value=123,
        status="on_track",
    )
    client.force_login(actors.manager)
    response = client.post(
        "/admin/kpis/kpirecord/", {"action": "recompute", "_selected_action": [str(record.pk)]}, follow=True
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.value == 0  # recomputed from the (empty) data
    assert KPIRecord.objects.filter(store=actors.store, record_date=dt.date(2026, 11, 1)).count() == 15


def test_admin_record_changelist_query_count_is_constant(actors, client, defaults):
    from zhilian.testing.queries import assert_constant_queries

    client.force_login(actors.admin)

    def make_rows(n):
        for _ in range(n):
            KPIRecordFactory(store=actors.store)

    few, many = assert_constant_queries(make_rows, lambda: client.get("/admin/kpis/kpirecord/"))
    assert few.status_code == many.status_code == 200
