"""/api/v1/stores/, /tables/, /employees/: generic resource suites plus the role rules."""

import datetime as dt

import pytest

from orders.tests.factories import OrderFactory
from stores.models import Employee, Store, Table
from stores.tests.factories import EmployeeFactory, RegionFactory, StoreFactory, TableFactory
from zhilian.testing.api import APIResourceTests


class TestStoreResource(APIResourceTests):
    # A manager sees exactly one store, so the generic suite runs as admin (who sees many);
    # the manager's scoping is tested below.
    list_url = "/api/v1/stores/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        return StoreFactory(**kwargs)

    def create_payload(self, actors):
        RegionFactory(code="south", name="South China 华南")
        return {
            "id": "STORE900",
            "code": "GZ01",
            "name": "Tianhe",
            "city": "Guangzhou",
            "region": "south",
            "business_hours": {"mon": [["10:00", "22:00"]]},
            "monthly_revenue_target_cents": 120_000_00,
        }

    def update_payload(self, obj):
        return {"name": "Renamed", "status": "renovating"}

    def check_created(self, obj, payload):
        assert obj.pk == "STORE900"
        assert obj.monthly_revenue_target_cents == 120_000_00
        assert obj.business_hours == {"mon": [["10:00", "22:00"]]}
        assert obj.region.name == "South China 华南"


class TestTableResource(APIResourceTests):
    list_url = "/api/v1/tables/"

    def make(self, store, **kwargs):
        return TableFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return {"number": "V1", "capacity": 12, "kind": "private_room", "room_name": "Peony"}

    def update_payload(self, obj):
        return {"capacity": 6, "is_active": False}

    def check_created(self, obj, payload):
        assert (obj.store_id, obj.number, obj.capacity, obj.kind) == ("STORE001", "V1", 12, "private_room")


class TestEmployeeResource(APIResourceTests):
    list_url = "/api/v1/employees/"

    def make(self, store, **kwargs):
        return EmployeeFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return {
            "id": "EMP900",
            "name": "Zhang San",
            "position": "chef",
            "skills": ["wok", "dim sum"],
            "hire_date": "2025-04-01",
            "preferences": {"days_off": ["sun"], "max_hours_per_week": 40},
            "hourly_wage_cents": 3200,
        }

    def update_payload(self, obj):
        return {"position": "cashier", "hourly_wage_cents": 3500}

    def check_created(self, obj, payload):
        assert (obj.pk, obj.store_id, obj.position, obj.hourly_wage_cents) == ("EMP900", "STORE001", "chef", 3200)
        assert obj.skills == ["wok", "dim sum"]


# --- stores ---------------------------------------------------------------------------------


class TestStoreRoles:
    def test_manager_and_staff_see_only_their_store(self, client_for, actors):
        for who in (actors.manager, actors.staff):
            rows = client_for(who).get("/api/v1/stores/").json()["results"]
            assert [r["id"] for r in rows] == ["STORE001"]
            assert client_for(who).get("/api/v1/stores/STORE002/").status_code == 404

    def test_manager_edits_own_store_but_cannot_create_or_delete(self, client_for, actors):
        client = client_for(actors.manager)
        response = client.patch("/api/v1/stores/STORE001/", {"phone": "021-5555"})
        assert response.status_code == 200
        assert Store.objects.get(pk="STORE001").phone == "021-5555"
        assert client.post("/api/v1/stores/", {"id": "X1", "code": "X1", "name": "X", "city": "X"}).status_code == 403
        assert client.delete("/api/v1/stores/STORE001/").status_code == 403

    def test_staff_reads_only(self, client_for, actors):
        assert client_for(actors.staff).patch("/api/v1/stores/STORE001/", {"phone": "1"}).status_code == 403

    def test_id_is_fixed_after_create(self, client_for, actors):
        response = client_for(actors.admin).patch("/api/v1/stores/STORE001/", {"id": "RENAMED", "name": "N"})
        assert response.status_code == 200
        assert response.json()["id"] == "STORE001"
        assert not Store.objects.filter(pk="RENAMED").exists()

    def test_bad_string_id_and_duplicates_are_400(self, client_for, actors):
        client = client_for(actors.admin)
        bad = client.post("/api/v1/stores/", {"id": "bad id!", "code": "Q1", "name": "Q", "city": "Q"})
        assert bad.status_code == 400
        assert "id" in bad.json()
        dup = client.post("/api/v1/stores/", {"id": "STORE001", "code": "SH01", "name": "Q", "city": "Q"})
        assert dup.status_code == 400
        assert {"id", "code"} <= set(dup.json())

    @pytest.mark.parametrize(
        "change",
        [
            {"business_hours": {"funday": [["10:00", "22:00"]]}},
            {"business_hours": {"mon": [["22:00", "10:00"]]}},
            {"cost_ratio_target": "1.5"},
            {"latitude": "91"},
            {"monthly_revenue_target_cents": -1},
            {"monthly_revenue_target_cents": 10**30},
            {"status": "exploded"},
            {"seats": "many"},
        ],
    )
    def test_invalid_values_are_400_naming_the_field(self, client_for, actors, change):
        response = client_for(actors.admin).patch("/api/v1/stores/STORE001/", change, format="json")
        assert response.status_code == 400, response.content
        assert set(change) <= set(response.json())

    def test_filters(self, client_for, actors):
        StoreFactory(
            id="STORE003", code="SZ01", city="Shenzhen", region=RegionFactory(code="south"), status="renovating"
        )
        client = client_for(actors.admin)
        ids = lambda params: [r["id"] for r in client.get("/api/v1/stores/", params).json()["results"]]  # noqa: E731
        assert ids({"status": "renovating"}) == ["STORE003"]
        assert ids({"city": "beijing"}) == ["STORE002"]
        assert ids({"region": "SOUTH"}) == ["STORE003"]
        assert client.get("/api/v1/stores/STORE003/").json()["region_name"] == "South"
        assert ids({"search": "Sanlitun"}) == ["STORE002"]
        assert ids({"ordering": "-id"})[0] == "STORE003"
        assert client.get("/api/v1/stores/", {"status": "nonsense"}).status_code == 400

    def test_store_with_history_is_protected(self, client_for, actors):
        OrderFactory(store=actors.other_store)
        response = client_for(actors.admin).delete("/api/v1/stores/STORE002/")
        assert response.status_code == 409
        assert response.json()["code"] == "protected"
        assert Store.objects.filter(pk="STORE002").exists()

    def test_store_with_employees_is_protected(self, client_for, actors):
        EmployeeFactory(store=actors.other_store)
        response = client_for(actors.admin).delete("/api/v1/stores/STORE002/")
        assert response.status_code == 409
        assert response.json()["code"] == "protected"

    def test_empty_store_can_be_deleted(self, client_for, actors):
        StoreFactory(id="EMPTY1", code="EMPTY1")
        assert client_for(actors.admin).delete("/api/v1/stores/EMPTY1/").status_code == 204
        assert not Store.objects.filter(pk="EMPTY1").exists()


# --- tables ---------------------------------------------------------------------------------


class TestTableRules:
    def test_number_is_unique_per_store(self, client_for, actors):
        TableFactory(store=actors.store, number="A1")
        TableFactory(store=actors.other_store, number="B1")
        client = client_for(actors.manager)
        response = client.post("/api/v1/tables/", {"number": "A1", "capacity": 4})
        assert response.status_code == 400
        assert response.json()
        # The same number in another store is fine.
        assert client.post("/api/v1/tables/", {"number": "B1", "capacity": 4}).status_code == 201

    @pytest.mark.parametrize("capacity", [0, -2, 100000, "lots"])
    def test_capacity_must_be_positive(self, client_for, actors, capacity):
        response = client_for(actors.manager).post("/api/v1/tables/", {"number": "Z1", "capacity": capacity})
        assert response.status_code == 400
        assert "capacity" in response.json()

    def test_manager_cannot_add_to_another_store_or_move_tables(self, client_for, actors):
        client = client_for(actors.manager)
        response = client.post("/api/v1/tables/", {"number": "Z1", "capacity": 2, "store": "STORE002"})
        assert response.status_code == 400
        assert "store" in response.json()
        table = TableFactory(store=actors.store)
        admin = client_for(actors.admin)
        response = admin.patch(f"/api/v1/tables/{table.pk}/", {"store": "STORE002"})
        assert response.status_code == 400
        assert "store" in response.json()

    def test_staff_reads_but_cannot_write(self, client_for, actors):
        table = TableFactory(store=actors.store)
        client = client_for(actors.staff)
        assert client.get(f"/api/v1/tables/{table.pk}/").status_code == 200
        assert client.patch(f"/api/v1/tables/{table.pk}/", {"capacity": 9}).status_code == 403
        assert client.post("/api/v1/tables/", {"number": "S1", "capacity": 2}).status_code == 403

    def test_manager_cannot_delete_tables_admin_can(self, client_for, actors):
        table = TableFactory(store=actors.store)
        assert client_for(actors.manager).delete(f"/api/v1/tables/{table.pk}/").status_code == 403
        assert client_for(actors.admin).delete(f"/api/v1/tables/{table.pk}/").status_code == 204

    def test_filters(self, client_for, actors):
        TableFactory(store=actors.store, number="H1", capacity=2)
        TableFactory(store=actors.store, number="H2", capacity=8, kind=Table.Kind.PRIVATE_ROOM)
        TableFactory(store=actors.store, number="H3", capacity=20, kind=Table.Kind.BANQUET_HALL, is_active=False)
        client = client_for(actors.manager)
        numbers = lambda params: [r["number"] for r in client.get("/api/v1/tables/", params).json()["results"]]  # noqa: E731
        assert numbers({"capacity_min": 6, "capacity_max": 10}) == ["H2"]
        assert numbers({"kind": "banquet_hall"}) == ["H3"]
        assert numbers({"is_active": "false"}) == ["H3"]
        assert numbers({"ordering": "-capacity"})[0] == "H3"
        assert client.get("/api/v1/tables/", {"capacity_min": "x"}).status_code == 400
        assert client.get("/api/v1/tables/", {"capacity_min": 10**12}).status_code == 400


# --- employees ------------------------------------------------------------------------------


class TestEmployeeRules:
    def test_id_is_fixed_after_create(self, client_for, actors):
        emp = EmployeeFactory(store=actors.store, id="EMP001")
        response = client_for(actors.manager).patch(f"/api/v1/employees/{emp.pk}/", {"id": "EMP999", "name": "N"})
        assert response.status_code == 200
        assert response.json()["id"] == "EMP001"
        assert not Employee.objects.filter(pk="EMP999").exists()

    def test_staff_reads_only(self, client_for, actors):
        emp = EmployeeFactory(store=actors.store)
        client = client_for(actors.staff)
        assert client.get(f"/api/v1/employees/{emp.pk}/").status_code == 200
        assert client.patch(f"/api/v1/employees/{emp.pk}/", {"name": "x"}).status_code == 403
        assert client.delete(f"/api/v1/employees/{emp.pk}/").status_code == 403

    def test_login_must_belong_to_the_store(self, client_for, actors):
        client = client_for(actors.admin)
        payload = {"id": "EMP500", "name": "A", "position": "waiter", "store": "STORE001"}
        response = client.post("/api/v1/employees/", {**payload, "user": str(actors.other_staff.pk)}, format="json")
        assert response.status_code == 400
        assert "user" in response.json()
        response = client.post("/api/v1/employees/", {**payload, "user": str(actors.staff.pk)}, format="json")
        assert response.status_code == 201
        assert Employee.objects.get(pk="EMP500").user == actors.staff

    def test_manager_cannot_link_another_stores_login(self, client_for, actors):
        payload = {"id": "EMP501", "name": "A", "position": "waiter", "user": str(actors.other_staff.pk)}
        response = client_for(actors.manager).post("/api/v1/employees/", payload, format="json")
        assert response.status_code == 400
        assert "user" in response.json()

    @pytest.mark.parametrize(
        "change",
        [
            {"skills": "wok"},
            {"skills": [1, 2]},
            {"preferences": {"max_hours_per_week": 200}},
            {"preferences": {"days_off": ["someday"]}},
            {"preferences": {"preferred_shifts": ["siesta"]}},
            {"performance_score": "101"},
            {"hourly_wage_cents": -5},
            {"position": "astronaut"},
            {"hire_date": "2025-13-45"},
        ],
    )
    def test_invalid_values_are_400_naming_the_field(self, client_for, actors, change):
        emp = EmployeeFactory(store=actors.store)
        response = client_for(actors.manager).patch(f"/api/v1/employees/{emp.pk}/", change, format="json")
        assert response.status_code == 400, response.content
        assert set(change) <= set(response.json())

    def test_filters(self, client_for, actors):
        EmployeeFactory(store=actors.store, id="E1", position="chef", hire_date=dt.date(2021, 1, 1))
        EmployeeFactory(store=actors.store, id="E2", position="waiter", hire_date=dt.date(2024, 6, 1))
        EmployeeFactory(store=actors.store, id="E3", position="waiter", is_active=False, name="Quiet Zhou")
        client = client_for(actors.manager)
        ids = lambda params: [r["id"] for r in client.get("/api/v1/employees/", params).json()["results"]]  # noqa: E731
        assert ids({"position": "chef"}) == ["E1"]
        assert ids({"hired_after": "2024-01-01"}) == ["E2"]
        assert ids({"hired_before": "2022-01-01"}) == ["E1"]
        assert ids({"is_active": "false"}) == ["E3"]
        assert ids({"search": "quiet"}) == ["E3"]
        assert client.get("/api/v1/employees/", {"hired_after": "not-a-date"}).status_code == 400

    def test_employee_with_history_is_protected(self, client_for, actors):
        emp = EmployeeFactory(store=actors.store)
        OrderFactory(store=actors.store, waiter=emp)
        response = client_for(actors.manager).delete(f"/api/v1/employees/{emp.pk}/")
        assert response.status_code == 409
        assert response.json()["code"] == "protected"
        assert Employee.objects.filter(pk=emp.pk).exists()

    def test_employee_without_history_can_be_deleted(self, client_for, actors):
        emp = EmployeeFactory(store=actors.store)
        assert client_for(actors.manager).delete(f"/api/v1/employees/{emp.pk}/").status_code == 204


@pytest.mark.parametrize("url", ["/api/v1/tables/", "/api/v1/employees/", "/api/v1/users/"])
def test_filtering_by_another_store_is_refused_like_an_unknown_one(client_for, actors, url):
    client = client_for(actors.manager)
    other = client.get(url, {"store": "STORE002"})
    unknown = client.get(url, {"store": "NOPE"})
    assert other.status_code == unknown.status_code == 400
    assert "store" in other.json()
    assert client.get(url, {"store": "STORE001"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/tables/", "/api/v1/employees/", "/api/v1/users/", "/api/v1/stores/"])
def test_malformed_ids_are_404(client_for, actors, url):
    response = client_for(actors.admin).get(f"{url}not-a-valid-id%20%21/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", ["/api/v1/users/", "/api/v1/stores/", "/api/v1/tables/", "/api/v1/employees/"])
@pytest.mark.parametrize("who", ["admin", "staff"])
def test_browsable_api_works_with_a_session(actors, url, who, settings):
    from django.test import Client

    settings.DEBUG = True  # the browsable API is offered only in development
    client = Client()
    client.force_login(getattr(actors, who))
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content and b"STORE001" in response.content
