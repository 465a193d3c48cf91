"""API: KPI definitions, KPI records, the compute action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis import services
from kpis.models import KPI, KPIRecord
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from kpis.tests.helpers import local, order
from orders.models import Order
from stores.models import Store
from stores.tests.factories import StoreFactory
from zhilian.testing.api import APIResourceTests

KPIS = "/api/v1/kpis/"
RECORDS = "/api/v1/kpis/records/"
COMPUTE = "/api/v1/kpis/records/compute/"
D = Decimal


class TestKPIDefinitionsAPI(APIResourceTests):
    list_url = KPIS
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return KPIFactory(**kwargs)

    def create_payload(self, actors):
        return {
            "id": "KPI_CUSTOM",
            "name": "Dessert revenue",
            "category": "revenue",
            "unit": "CNY",
            "metric": "revenue",
            "direction": "higher_is_better",
            "target_value": "800",
            "warning_threshold": "700",
            "critical_threshold": "500",
        }

    def check_created(self, obj, payload):
        assert obj.name == "Dessert revenue"
        assert obj.warning_threshold == D("700")

    def update_payload(self, obj):
        return {"name": "Renamed", "is_active": False}


def test_kpi_list_filters(actors, client_for):
    services.kpi_ensure_defaults()
    KPI.objects.filter(pk="KPI_WASTE_COST").update(is_active=False)
    client = client_for(actors.staff)  # everyone reads definitions
    body = client.get(KPIS, {"category": "cost"}).json()
    assert {r["id"] for r in body["results"]} == {
        "KPI_FOOD_COST_RATIO",
        "KPI_LABOR_COST_RATIO",
        "KPI_WASTE_COST",
        "KPI_THEORETICAL_FOOD_COST",
        "KPI_ACTUAL_FOOD_COST",
    }
    body = client.get(KPIS, {"category": "cost", "is_active": "false"}).json()
    assert [r["id"] for r in body["results"]] == ["KPI_WASTE_COST"]
    body = client.get(KPIS, {"metric": "revpash"}).json()
    assert [r["id"] for r in body["results"]] == ["KPI_REVPASH"]
    assert client.get(KPIS, {"category": "nonsense"}).status_code == 400


def test_kpi_definitions_are_read_only_for_managers_and_staff(actors, client_for):
    kpi = KPIFactory(id="KPI_X")
    for user in (actors.manager, actors.staff):
        client = client_for(user)
        assert client.get(f"{KPIS}KPI_X/").json()["id"] == "KPI_X"
        assert client.patch(f"{KPIS}KPI_X/", {"name": "no"}).status_code == 403
        assert client.post(KPIS, {"id": "KPI_Y", "name": "y"}).status_code == 403
        assert client.delete(f"{KPIS}KPI_X/").status_code == 403
    kpi.refresh_from_db()
    assert kpi.name != "no"


def test_kpi_validation(actors, client_for):
    client = client_for(actors.admin)
    base = {"name": "x", "category": "cost", "metric": "waste_cost", "direction": "lower_is_better"}
    # Thresholds must be ordered for the direction (database constraint, reported as a 400).
    r = client.post(KPIS, {**base, "id": "KPI_A", "warning_threshold": "50", "critical_threshold": "10"})
    assert r.status_code == 400, r.content
    assert client.post(KPIS, {**base, "id": "records"}).status_code == 400
    assert client.post(KPIS, {**base, "id": "bad id!"}).status_code == 400
    assert client.post(KPIS, {**base, "id": "KPI_B", "metric": "unknown"}).json()["metric"]
    assert client.post(KPIS, {**base, "id": "KPI_C", "target_value": "1e30"}).status_code == 400
    KPIFactory(id="KPI_D")
    assert client.patch(f"{KPIS}KPI_D/", {"id": "KPI_E"}).status_code == 400


def test_kpi_with_history_cannot_be_deleted(actors, client_for):
    record = KPIRecordFactory(store=actors.store)
    response = client_for(actors.admin).delete(f"{KPIS}{record.kpi_id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "protected"


class TestKPIRecordsAPI(APIResourceTests):
    list_url = RECORDS
    writable = False

    def make(self, store, **kwargs):
        return KPIRecordFactory(store=store, **kwargs)


def test_records_are_not_writable(actors, client_for):
    record = KPIRecordFactory(store=actors.store)
    client = client_for(actors.admin)
    assert client.post(RECORDS, {}).status_code == 405
    assert client.patch(f"{RECORDS}{record.pk}/", {"value": "1"}).status_code == 405


def test_staff_cannot_list_records(actors, client_for):
    KPIRecordFactory(store=actors.store)
    assert client_for(actors.staff).get(RECORDS).status_code == 403


def test_record_body_and_filters(actors, client_for):
    revenue = KPIFactory(id="KPI_R", category="revenue", name="Revenue")
    cost = KPIFactory(id="KPI_C", category="cost", metric="food_cost_ratio", direction="lower_is_better",
                      target_value=D("35"), warning_threshold=D("38"), critical_threshold=D("42"))  # fmt: skip
    day = dt.date(2026, 11, 1)
    KPIRecordFactory(kpi=revenue, store=actors.store, record_date=day, value=D("4000"), status="at_risk")
    KPIRecordFactory(kpi=revenue, store=actors.store, record_date=day + dt.timedelta(days=5), status="on_track")
    KPIRecordFactory(kpi=cost, store=actors.store, record_date=day, value=D("45"), status="off_track")
    KPIRecordFactory(kpi=revenue, store=actors.other_store, record_date=day)
    client = client_for(actors.manager)

    def ids(**params):
        rows = client.get(RECORDS, params).json()["results"]
        return sorted((r["kpi"], r["record_date"]) for r in rows)

    assert ids(status="off_track") == [("KPI_C", "2026-11-01")]
    assert ids(category="revenue") == [("KPI_R", "2026-11-01"), ("KPI_R", "2026-11-06")]
    assert ids(kpi="KPI_R", record_date_after="2026-11-02") == [("KPI_R", "2026-11-06")]
    assert ids(date_from="2026-11-01", date_to="2026-11-01") == [("KPI_C", "2026-11-01"), ("KPI_R", "2026-11-01")]
    assert ids(store="STORE002") == []  # never another store's
    assert client.get(RECORDS, {"status": "bad"}).status_code == 400
    assert client.get(RECORDS, {"record_date_after": "not-a-date"}).status_code == 400
    row = client.get(RECORDS, {"status": "at_risk"}).json()["results"][0]
    assert row["kpi_name"] == "Revenue" and row["category"] == "revenue" and row["store"] == "STORE001"
    assert row["value"] == "4000.0000" and row["store_name"] == actors.store.name


# --- compute ----------------------------------------------------------------------------------------


@pytest.fixture
def defaults(db):
    services.kpi_ensure_defaults()


def test_compute_defaults_to_yesterday_and_own_store(actors, client_for, defaults):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    order(actors.store, local(yesterday, 12), 1234_00, status=Order.Status.COMPLETED)
    response = client_for(actors.manager).post(COMPUTE, {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 15
    assert {r["store"] for r in body["results"]} == {"STORE001"}
    assert {r["record_date"] for r in body["results"]} == {yesterday.isoformat()}
    revenue = next(r for r in body["results"] if r["kpi"] == "KPI_REVENUE")
    assert revenue["value"] == "1234.0000"
    assert KPIRecord.objects.filter(store=actors.store, record_date=yesterday).count() == 15
    assert not KPIRecord.objects.filter(store=actors.other_store).exists()


def test_compute_range_for_a_store(actors, client_for, defaults):
    response = client_for(actors.manager).post(
        COMPUTE, {"store": "STORE001", "start_date": "2026-11-01", "end_date": "2026-11-03"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 45
    assert KPIRecord.objects.filter(store=actors.store).count() == 45


def test_admin_computes_every_active_store(actors, client_for, defaults):
    StoreFactory(id="STORE009", status=Store.Status.CLOSED)
    response = client_for(actors.admin).post(COMPUTE, {"date": "2026-11-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["count"] == 30
    assert set(KPIRecord.objects.values_list("store_id", flat=True)) == {"STORE001", "STORE002"}


def test_compute_permissions(actors, client_for, defaults):
    assert client_for(actors.staff).post(COMPUTE, {"date": "2026-11-01"}, format="json").status_code == 403
    response = client_for(actors.manager).post(COMPUTE, {"store": "STORE002", "date": "2026-11-01"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = client_for(actors.manager).post(COMPUTE, {"store": "NOPE", "date": "2026-11-01"}, format="json")
    assert response.status_code == 404
    assert not KPIRecord.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": "2026-13-01"}, "date"),
        ({"date": 12}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "2026-11-01", "start_date": "2026-11-01"}, "date"),
        ({"start_date": "2026-11-05", "end_date": "2026-11-01"}, "end_date"),
        ({"end_date": "2026-11-05"}, "start_date"),
        ({"start_date": "2025-01-01", "end_date": "2025-12-31"}, "end_date"),
        ({"store": "x" * 500}, "store"),
    ],
)
def test_compute_bad_input_is_400(actors, client_for, defaults, payload, field):
    response = client_for(actors.admin).post(COMPUTE, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
