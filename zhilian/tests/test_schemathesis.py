"""Property-based API test: schemathesis against the live OpenAPI schema (docs/architecture.md, "Tests").

The schema is fetched from the running app in-process (`/api/schema/` through the WSGI handler),
and every operation is called with generated requests (valid and invalid ones) under a real JWT,
as an admin (coverage phase + random phase) and as a store manager (random phase). No request may
get a 5xx, and every documented response must match the schema (body and content type).

The calls go through the real WSGI handler in the test's own thread, so they use the test
database. The tests are transactional (autocommit, as in production): under the `db` fixture's
wrapping transaction a database error that the exception handler turns into a 4xx would leave a
PostgreSQL transaction aborted and fail every later request of the run, which never happens in
production.

Seeded ids are fed into path parameters, foreign keys of bodies and filters half of the time, so
detail, update, delete and action endpoints and the services behind creates are reached with real
objects, not only with random ids (404 / "does not exist").

Nothing is excluded. /auth/logout/ needs a refresh token and /auth/password/change/ the current
password: generated values never match, so they cannot end the session the run uses (and the
access token is a fresh one for every call). /auth/login/ runs into the login lockout (429), which is fine.

Counts of operations, examples, phases and statuses are printed in the terminal summary
(zhilian/tests/conftest.py). Marked slow and fuzz: about 3 minutes on SQLite and 5 on PostgreSQL
here, so CI runs it once, on PostgreSQL, as its own step (`make test-fuzz`).
"""

from __future__ import annotations

from collections import Counter

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from zhilian.testing.seeded import SeededObjects, seed_every_resource
from zhilian.wsgi import application

SCHEMA_URL = "/api/schema/?format=json"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# Filled by the `seeded` fixture for the generation hooks, which get no fixtures: the seeded
# objects' ids per resource (a spare one for DELETE, so later operations of the run still find the
# main one) and, per field or query parameter name, a seeded object it may refer to, so that valid
# cases get past "object does not exist" into the services.
SEEDED: dict[str, SeededObjects] = {}
# What ran, for the terminal summary (zhilian/tests/conftest.py): examples per (actor, operation)
# per (actor, phase) and per (actor, status code).
STATS: Counter = Counter()
PHASES: Counter = Counter()
RESPONSES: Counter = Counter()

# The admin run is the thorough one: the coverage phase (boundary values, wrong types, missing
# fields, unexpected methods for every operation) plus 12 random cases per operation.
admin_schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=schemathesis.Config.from_dict({}))
# The manager run repeats the random phase under store scoping (15 cases per operation).
manager_schema = schemathesis.openapi.from_wsgi(
    SCHEMA_URL, application, config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
)


def seeded_id(operation) -> str | None:
    objects = SEEDED.get("objects")
    return objects.id_for(operation.path, operation.method) if objects else None


def flatmap_path_parameters(context, path_parameters):
    """Half of the random cases address a seeded object (random ids alone only ever 404)."""
    known = seeded_id(context.operation)
    if not path_parameters or "id" not in path_parameters or known is None:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, "id": known}])


def with_references(values, *, keep: str | None = None):
    if not isinstance(values, dict) or "objects" not in SEEDED:
        return values
    references = SEEDED["objects"].references
    return {
        name: references[name] if name in references and name != keep and value is not None else value
        for name, value in values.items()
    }


def flatmap_body(context, body):
    """Half of the random bodies refer to seeded objects (store, table, item, employee...)."""
    return st.sampled_from([body, with_references(body)])


def flatmap_query(context, query):
    """Half of the random filters name seeded objects."""
    return st.sampled_from([query, with_references(query)])


for _schema in (admin_schema, manager_schema):
    for _hook in (flatmap_path_parameters, flatmap_body, flatmap_query):
        _schema.hook(_hook)


@pytest.fixture
def seeded(request, transactional_db):
    """A store with tables, staff, an order, stock, a schedule, a reservation and KPI records."""
    role = "manager" if request.node.name.startswith("test_api_as_manager") else "admin"
    SEEDED["objects"] = objects = seed_every_resource(actor_role=role)
    yield {"admin": objects.admin, "manager": objects.manager}
    SEEDED.clear()


@pytest.fixture
def wsgi_calls():
    """Keep the connection across the in-process requests, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def hypothesis_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )


def address_seeded_objects(case) -> None:
    """Coverage cases use the seeded objects in the parts that are not their point.

    The coverage phase does not go through the hooks; with its random ids every update would
    stop at the 404, and every create at "object does not exist", before the rest is validated.
    """
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.COVERAGE:
        return
    location, parameter = meta.phase.data.parameter_location, meta.phase.data.parameter
    known = seeded_id(case.operation)
    if known is not None and location != ParameterLocation.PATH and "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = known
    if case.query:
        case.query = with_references(case.query, keep=parameter if location == ParameterLocation.QUERY else None)
    if isinstance(case.body, dict):
        case.body = with_references(case.body, keep=parameter if location == ParameterLocation.BODY else None)


def call(case, actor: str, user) -> None:
    address_seeded_objects(case)
    STATS[actor, case.operation.label] += 1
    PHASES[actor, case.meta.phase.name.value if case.meta else "explicit"] += 1
    response = case.call_and_validate(headers=bearer(user), checks=CHECKS)
    RESPONSES[actor, response.status_code] += 1


@pytest.mark.slow
@pytest.mark.fuzz
@admin_schema.parametrize()
@hypothesis_settings(max_examples=12)
def test_api_as_admin(case, seeded, wsgi_calls):
    call(case, "admin", seeded["admin"])


@pytest.mark.slow
@pytest.mark.fuzz
@manager_schema.parametrize()
@hypothesis_settings(max_examples=15)
def test_api_as_manager(case, seeded, wsgi_calls):
    call(case, "manager", seeded["manager"])
