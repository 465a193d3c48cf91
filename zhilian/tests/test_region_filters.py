"""`?region=<code>` beside every `?store=` filter of the API (zhilian.api.filters.FilterSet adds it),
and the scoping rule behind every `for_user` (zhilian.models.store_scope) for the HQ roles."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.tests.factories import AreaManagerFactory, FinanceFactory, UserFactory
from orders.models import Order
from orders.tests.factories import OrderFactory
from stores.models import Store
from stores.tests.factories import RegionFactory, StoreFactory
from zhilian.api.filters import FilterSet
from zhilian.models import ALL_STORES, in_store_scope, store_scope, visible_store
from zhilian.testing.queries import count_queries
from zhilian.tests.authorization_resources import RESOURCES


@pytest.fixture
def regions(actors):
    east = RegionFactory(code="east-china", name="华东")
    north = RegionFactory(code="north-china", name="华北")
    Store.objects.filter(pk=actors.store.pk).update(region=east)
    Store.objects.filter(pk=actors.other_store.pk).update(region=north)
    actors.store.refresh_from_db()
    actors.other_store.refresh_from_db()
    return east, north


def _store_scoped_resources():
    from django.urls import resolve

    for resource in RESOURCES:
        view = resolve(f"/api/v1/{resource.name}/").func.cls
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None and "store" in filterset.base_filters:
            yield resource


STORE_FILTERED = list(_store_scoped_resources())
# Rows an admin lists (a notification is its recipient's alone).
ADMIN_LISTED = [r for r in STORE_FILTERED if not r.personal]


def test_every_list_with_a_store_filter_has_the_region_filter():
    assert len(STORE_FILTERED) >= 15
    for resource in STORE_FILTERED:
        from django.urls import resolve

        filterset = resolve(f"/api/v1/{resource.name}/").func.cls.filterset_class
        assert issubclass(filterset, FilterSet)
        assert filterset.base_filters["region"].field_name.endswith("store__region__code"), resource.name


@pytest.mark.parametrize("resource", ADMIN_LISTED, ids=lambda r: r.name)
def test_region_filter_keeps_the_rows_of_that_regions_stores(resource, actors, regions, client_for):
    east, north = regions
    mine = resource.make(actors)
    theirs = resource.make(type(actors)(**{**vars(actors), "store": actors.other_store}))
    client = client_for(actors.admin)
    for code, kept, dropped in (("north-china", theirs, mine), ("EAST-CHINA", mine, theirs)):
        response = client.get(f"/api/v1/{resource.name}/", {"region": code, "page_size": 500})
        assert response.status_code == 200, response.content[:300]
        ids = {str(row["id"]) for row in response.json()["results"]}
        assert str(kept.pk) in ids and str(dropped.pk) not in ids, f"{resource.name} ?region={code}"
    # An area manager of the east sees nothing of the north, filter or no filter.
    area = AreaManagerFactory(username="area_east", regions=[east])
    response = client_for(area).get(f"/api/v1/{resource.name}/", {"region": "north-china"})
    assert response.status_code == 200
    assert (
        response.json()["results"] == []
        or resource.name == "users"
        and all(row["id"] != str(theirs.pk) for row in response.json()["results"])
    )


# --- the scoping rule ------------------------------------------------------------------------------


def test_store_scope_of_each_role(actors, regions):
    east, north = regions
    area = AreaManagerFactory(username="area_both", regions=[east, north])
    area_east = AreaManagerFactory(username="area_east", regions=[east])
    lonely = AreaManagerFactory(username="area_none")
    finance = FinanceFactory(username="finance")
    assert store_scope(actors.admin) is ALL_STORES
    assert store_scope(finance) is ALL_STORES
    assert store_scope(actors.manager) == "STORE001"
    assert store_scope(actors.staff) == "STORE001"
    assert set(store_scope(area).values_list("pk", flat=True)) == {"STORE001", "STORE002"}
    assert list(store_scope(area_east).values_list("pk", flat=True)) == ["STORE001"]
    assert list(store_scope(lonely)) == []
    assert visible_store(area_east) == ("STORE001",)
    assert in_store_scope(area_east, "STORE001") and not in_store_scope(area_east, "STORE002")
    assert in_store_scope(finance, "STORE002") and not in_store_scope(actors.manager, "STORE002")
    inactive = AreaManagerFactory(username="area_gone", regions=[east], is_active=False)
    assert store_scope(inactive) is None


def test_an_area_managers_rows_follow_their_regions(actors, regions):
    east, north = regions
    area = AreaManagerFactory(username="area_east", regions=[east])
    in_east = OrderFactory(store=actors.store)
    in_north = OrderFactory(store=actors.other_store)
    new_east_store = StoreFactory(region=east)
    in_new_store = OrderFactory(store=new_east_store)
    assert set(Order.objects.for_user(area)) == {in_east, in_new_store}
    assert set(Store.objects.for_user(area)) == {actors.store, new_east_store}
    # A region given or taken is seen at once (a subquery, not a list kept anywhere).
    area.managed_regions.add(north)
    assert set(Order.objects.for_user(area)) == {in_east, in_north, in_new_store}
    area.managed_regions.set([])
    assert not Order.objects.for_user(area).exists()


def test_an_area_manager_sees_the_people_of_their_stores_and_themselves(actors, regions):
    east, _north = regions
    area = AreaManagerFactory(username="area_east", regions=[east])
    other_area = AreaManagerFactory(username="area_north", regions=[_north])
    seen = set(User.objects.for_user(area))
    assert {area, actors.manager, actors.staff} <= seen
    assert not seen & {actors.other_manager, actors.other_staff, actors.admin, other_area}
    assert set(User.objects.for_user(FinanceFactory(username="finance"))) >= set(actors.all().values())


def test_scoping_adds_no_query_for_an_area_manager(actors, regions):
    east, _north = regions
    area = AreaManagerFactory(username="area_east", regions=[east])
    queries, qs = count_queries(lambda: Order.objects.for_user(area))
    assert queries == 0
    queries, _rows = count_queries(lambda: list(qs))
    assert queries == 1


def test_an_area_manager_edits_only_the_staff_of_their_regions(actors, regions):
    from zhilian import roles

    east, _north = regions
    area = AreaManagerFactory(username="area_east", regions=[east])
    assert roles.can_on_object(area, roles.CHANGE, actors.staff)
    assert roles.can_on_object(area, roles.UNLOCK_LOGIN, actors.staff)
    assert not roles.can_on_object(area, roles.CHANGE, actors.other_staff)
    assert not roles.can_on_object(area, roles.CHANGE, actors.manager)  # a manager is not staff
    assert roles.grantable_roles(area) == ["staff"]
    finance = FinanceFactory(username="finance")
    assert not roles.can_on_object(finance, roles.CHANGE, actors.staff)
    assert roles.grantable_roles(finance) == []
    assert finance.is_staff and area.is_staff  # both enter the admin
    assert not UserFactory(store=actors.store).is_staff
