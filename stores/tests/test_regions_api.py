"""/api/v1/regions/ and assigning area managers their regions through /api/v1/users/ (admins only)."""

import itertools

import pytest

from accounts.models import User
from accounts.tests.factories import AreaManagerFactory
from stores.models import Region
from stores.tests.factories import RegionFactory, StoreFactory
from zhilian.testing.api import APIResourceTests

_codes = itertools.count(1)


class TestRegionResource(APIResourceTests):
    # Regions are the chain's map (not tied to a store): every signed-in user reads them all.
    list_url = "/api/v1/regions/"
    actor = "admin"
    scoped = False

    def make(self, store, **kwargs):
        code = kwargs.pop("code", None) or f"region-{next(_codes)}"
        return RegionFactory(code=code, name=kwargs.pop("name", code.title()), **kwargs)

    def create_payload(self, actors):
        return {"code": "south-china", "name": "华南"}

    def update_payload(self, obj):
        return {"name": f"{obj.name} (renamed)"}

    def check_created(self, obj, payload):
        assert (obj.code, obj.name) == ("south-china", "华南")


def test_region_lists_its_store_count_for_everyone_signed_in(client_for, actors):
    north = RegionFactory(code="north-china", name="华北")
    StoreFactory(region=north)
    StoreFactory(region=north)
    response = client_for(actors.staff).get("/api/v1/regions/", {"search": "north"})
    assert response.status_code == 200
    assert [(r["code"], r["name"], r["store_count"]) for r in response.json()["results"]] == [
        ("north-china", "华北", 2)
    ]


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_only_admins_write_regions(client_for, actors, who):
    client = client_for(getattr(actors, who))
    assert client.post("/api/v1/regions/", {"code": "west", "name": "West"}, format="json").status_code == 403
    region = actors.store.region
    assert client.patch(f"/api/v1/regions/{region.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/regions/{region.pk}/").status_code == 403
    assert not Region.objects.filter(code="west").exists()


def test_a_region_with_stores_is_protected(client_for, actors):
    response = client_for(actors.admin).delete(f"/api/v1/regions/{actors.store.region_id}/")
    assert response.status_code == 409
    assert Region.objects.filter(pk=actors.store.region_id).exists()
    empty = RegionFactory(code="empty")
    assert client_for(actors.admin).delete(f"/api/v1/regions/{empty.pk}/").status_code == 204


def test_duplicate_code_is_400_naming_the_field(client_for, actors):
    response = client_for(actors.admin).post(
        "/api/v1/regions/", {"code": actors.store.region.code, "name": "Other"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()


# --- area managers' regions through the users API -------------------------------------------


def _area_manager_payload(**extra):
    return {
        "username": "area_south",
        "email": "area_south@example.com",
        "password": "a-Long-pass-phrase-42",
        "role": "area_manager",
        **extra,
    }


def test_admin_creates_an_area_manager_with_regions(client_for, actors):
    south = RegionFactory(code="south-china", name="华南")
    response = client_for(actors.admin).post(
        "/api/v1/users/", _area_manager_payload(managed_regions=["south-china"]), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "area_manager" and body["store"] is None
    assert body["managed_regions"] == ["south-china"]
    assert list(User.objects.get(username="area_south").managed_regions.all()) == [south]


def test_admin_reassigns_regions_and_the_audit_trail_says_so(client_for, actors):
    from zhilian.audit import audit_entries

    east, north = actors.store.region, RegionFactory(code="north", name="North")
    area = AreaManagerFactory(username="area1", regions=[east])
    response = client_for(actors.admin).patch(
        f"/api/v1/users/{area.pk}/", {"managed_regions": ["north"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["managed_regions"] == ["north"]
    assert list(area.managed_regions.all()) == [north]
    entry = next(e for e in audit_entries(area) if e.changes and "managed_regions" in str(e.changes))
    assert "north" in str(entry.changes) and "east" in str(entry.changes)


def test_area_manager_and_finance_have_no_store(client_for, actors):
    for role in ("area_manager", "finance"):
        response = client_for(actors.admin).post(
            "/api/v1/users/",
            {
                **_area_manager_payload(username=f"x_{role}", email=f"{role}@example.com", role=role),
                "store": "STORE001",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "belong to no single store" in str(response.json())
        assert not User.objects.filter(username=f"x_{role}").exists()


@pytest.mark.parametrize("who", ["manager", "area_manager"])
def test_only_admins_assign_regions(client_for, actors, who):
    actor = actors.manager
    if who == "area_manager":
        actor = AreaManagerFactory(username="area9", regions=[actors.store.region])
    staff = actors.staff
    response = client_for(actor).patch(
        f"/api/v1/users/{staff.pk}/", {"managed_regions": [actors.store.region.code]}, format="json"
    )
    assert response.status_code == 400
    assert "managed_regions" in response.json()
    assert not staff.managed_regions.exists()


def test_regions_go_only_to_area_managers(client_for, actors):
    response = client_for(actors.admin).patch(
        f"/api/v1/users/{actors.manager.pk}/", {"managed_regions": [actors.store.region.code]}, format="json"
    )
    assert response.status_code == 400
    assert "managed_regions" in response.json()


def test_unknown_region_code_is_400(client_for, actors):
    response = client_for(actors.admin).post(
        "/api/v1/users/", _area_manager_payload(managed_regions=["atlantis"]), format="json"
    )
    assert response.status_code == 400
    assert "managed_regions" in response.json()
