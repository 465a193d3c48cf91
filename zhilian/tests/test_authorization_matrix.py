"""The authorization matrix of docs/architecture.md ("Roles"), generated over every endpoint × method × actor.

The expected outcome of each case is derived here from a literal copy of that table (not
from zhilian.roles, which it checks), plus the rule that another store's objects answer 404:

- a method the endpoint does not offer: 405, for everyone;
- anonymous: 401;
- an action the role lacks: 403 (the same for every object, so it reveals nothing);
- an object the actor may not see: 404; creating into a store the actor may not see: 400
  (an area manager sees the stores of their region, as that store's manager would; finance
  reads what an admin reads and writes nothing);
- otherwise success (a delete may answer 409 when history protects the row).

A last test asserts that every operation in the OpenAPI schema is covered by a case here.

The cases' data live in authorization_resources.py and authorization_actions.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.tests.factories import AreaManagerFactory, FinanceFactory
from conftest import Actors
from scheduling.models import Schedule
from stores.models import Store
from stores.tests.factories import RegionFactory
from zhilian.tests.authorization_actions import ACTION_CASES, _draft_schedule
from zhilian.tests.authorization_resources import ACTORS, OPERATIONS, RESOURCES, client_as, expected_status


@dataclass
class MatrixActors(Actors):
    """The shared actors, and the HQ roles: STORE001 and STORE002 in two regions, an area manager
    of each, and finance."""

    area_manager: object = None
    other_area_manager: object = None
    finance: object = None


@pytest.fixture
def actors(actors):
    east = RegionFactory(code="east-china", name="East China 华东")
    north = RegionFactory(code="north-china", name="North China 华北")
    Store.objects.filter(pk=actors.store.pk).update(region=east)
    Store.objects.filter(pk=actors.other_store.pk).update(region=north)
    actors.store.refresh_from_db()
    actors.other_store.refresh_from_db()
    return MatrixActors(
        **vars(actors),
        area_manager=AreaManagerFactory(username="area_east", regions=[east]),
        other_area_manager=AreaManagerFactory(username="area_north", regions=[north]),
        finance=FinanceFactory(username="finance"),
    )


RESOURCE_CASES = [
    pytest.param(resource, op, actor, id=f"{resource.name}-{op}-{actor}")
    for resource in RESOURCES
    for op in OPERATIONS
    for actor in ACTORS
]


@pytest.mark.parametrize(("resource", "op", "actor"), RESOURCE_CASES)
def test_resource_matrix(resource, op, actor, actors):
    method, detail = OPERATIONS[op]
    base = f"/api/v1/{resource.name}/"
    obj = resource.make(actors) if detail else None
    url = f"{base}{obj.pk}/" if detail else base
    body = None
    if op == "C" and not resource.absent.count("C") and resource.suite is not None:
        body = resource.payload(actors)
    elif op in "UP" and "U" not in resource.absent and resource.suite is not None:
        body = resource.update(obj)
    response = getattr(client_as(actors, actor), method)(url, body, format="json")
    expected = expected_status(resource, op, actor)
    assert response.status_code in expected, (
        f"{method.upper()} {url} as {actor}: {response.status_code}, expected {sorted(expected)}: "
        f"{response.content[:300]!r}"
    )
    if response.status_code in (401, 403, 404, 405):
        assert "code" in response.json(), "errors keep a stable code"
    if response.status_code == 404 and obj is not None:
        # Nothing of the hidden object leaks in the answer.
        assert str(obj.pk) not in response.content.decode()


@pytest.mark.parametrize(
    ("case", "actor"),
    [pytest.param(case, actor, id=f"{case.name}-{actor}") for case in ACTION_CASES for actor in ACTORS],
)
def test_action_matrix(case, actor, actors):
    obj = case.make(actors) if case.make else None
    url = case.url(actors, obj)
    body = case.body(actors, obj) if case.body else None
    response = getattr(client_as(actors, actor), case.method)(url, body, format="json")
    # Signing in is needed everywhere but where a case says otherwise (a public page).
    expected = case.expected.get("anonymous", {401}) if actor == "anonymous" else case.expected[actor]
    assert response.status_code in expected, (
        f"{case.method.upper()} {url} as {actor}: {response.status_code}, expected {sorted(expected)}: "
        f"{response.content[:300]!r}"
    )
    if actor.startswith("other_") and obj is not None:
        assert str(obj.pk) not in response.content.decode()
    if case.check is not None and actor != "anonymous":
        case.check(actor, response)


def test_schedule_publish_by_manager_really_publishes(actors):
    """One success case checked beyond its status: the matrix must not pass on a no-op."""
    schedule = _draft_schedule(actors)
    response = client_as(actors, "manager").post(f"/api/v1/schedules/{schedule.pk}/publish/")
    assert response.status_code == 200
    assert Schedule.objects.get(pk=schedule.pk).is_published


def test_every_schema_operation_is_in_the_matrix(db):
    """A new endpoint or method cannot slip in without its row in the matrix."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (path, method.upper())
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete") and not path.startswith("/api/v1/auth/")
    }
    covered = {case.template for case in ACTION_CASES}
    for resource in RESOURCES:
        base = f"/api/v1/{resource.name}/"
        covered |= {
            (base, "GET"),
            (base, "POST"),
            (f"{base}{{id}}/", "GET"),
            (f"{base}{{id}}/", "PUT"),
            (f"{base}{{id}}/", "PATCH"),
            (f"{base}{{id}}/", "DELETE"),
        }
    missing = sorted(operations - covered)
    assert not missing, f"operations without authorization cases: {missing}"
    assert len(operations) >= 80
