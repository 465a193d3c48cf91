"""Hostile input never reaches a 500 and a refused request writes nothing (property-based).

Every operation of the OpenAPI schema is called as the chain admin, once per writable body field
and per query parameter in each generated example, with that one value replaced by a generated
extreme: nesting far deeper than any bound, huge and odd text (NUL, zero-width, bidi controls,
look-alikes, astral characters), calendar edges (year 1, year 9999, 30 February, offsets of ±14 h),
integers beyond 64 bits, NaN and Infinity (as raw JSON tokens, which no JSON library writes),
wrong types. The rest of the body is plausible (enum members, today's date, the seeded objects
for references) so that the extreme gets past "this field is required" into the services.

For each call: no 5xx, and when the answer is a 4xx, no row of the project's tables was added,
changed or removed (a checksum of row counts and last changes, taken before and after). After
each operation's run its resource still lists without a 5xx, so no accepted value can break a
list for everyone.

The calls go through the real WSGI stack with a real JWT; the test is transactional (autocommit,
as in production) for the reason zhilian/tests/test_schemathesis.py gives. The number of calls
is printed in the terminal summary (zhilian/tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import hypothesis.strategies as st
import orjson
import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from zhilian.testing.seeded import seed_every_resource

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

# Calls made, and their statuses, for the terminal summary.
CALLS: Counter = Counter()
OPERATIONS: set[str] = set()

# The project's own tables are checked; Django's sessions and simplejwt's token tables change on
# every authenticated call by design.
CHECKED_APPS = (
    "accounts", "stores", "orders", "inventory", "scheduling", "reservations", "kpis", "notifications", "attendance",
)  # fmt: skip
# Generated examples per operation (each sends one value to every field), besides the edges.
GENERATED_EXAMPLES = 3
# Longer query strings are cut here: beyond any server's URL limit (bodies carry the long ones).
MAX_QUERY_VALUE = 8000
RAW_TOKEN = "\x00raw:"  # marks a value written into the JSON text as it is (no library writes these)


def nested(depth: int, *, kind: str = "list") -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


def raw_nested(depth: int, *, kind: str = "list") -> str:
    """Nesting deeper than orjson (254) or Python's json (~1000) can write, as JSON text."""
    opening, closing = ("[", "]") if kind == "list" else ('{"k":', "}")
    return f"{RAW_TOKEN}{opening * depth}1{closing * depth}"


def raw(text: str) -> str:
    return f"{RAW_TOKEN}{text}"


# Every field gets these, whatever its type.
COMMON_EDGES = [
    None,
    raw("NaN"),
    raw("-Infinity"),
    10**30,
    "0001-01-01",
    "\x00",
    "a" * 100_000,
    raw_nested(1000),
]
# ...and these by what the schema says it is.
CALENDAR_EDGES = [
    "9999-12-31",
    "1899-12-31",
    "2100-01-01",
    "2000-02-30",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59.999999+14:00",
    "2026-02-29T12:00:00+08:00",
    "-0001-01-01",
]
TIME_EDGES = ["24:00", "23:59:60", "99:99", "-01:00", "12:00:00+08:00", "12:00:00.1234567"]
NUMBER_EDGES = [2**63, -(2**63) - 1, 1e308, -1e308, 5e-324, -0.0, raw("1e999"), "9" * 40]
DECIMAL_EDGES = ["NaN", "Infinity", "-0", "1e999", "0.00000001", "9" * 40, 1e308, "١٢٣"]  # Arabic-Indic digits
TEXT_EDGES = [
    "",
    "\u200b\u202e\ufeff",
    "Ａｄｍｉｎ",  # fullwidth
    "аdmin",  # Cyrillic а
    "𠜎" * 1000,
    "e\u0301" * 2000,
    "' OR 1=1 --<script>alert(1)</script>",
    "../../etc/passwd%00",
]
JSON_EDGES = [
    nested(11),
    nested(11, kind="dict"),
    raw_nested(300),
    raw_nested(1000, kind="dict"),
    raw_nested(5000),
    {"k" * 5000: "v"},
    list(range(20_000)),
    {"a": [nested(5)] * 2000},
    {"n": 2**64, "t": "\x00"},
    raw('{"f": NaN, "g": [Infinity]}'),
    raw('["\\ud800"]'),  # an unpaired surrogate, as JSON text may escape it
]
OTHER_EDGES = ["", "x" * 1000, [], {}, True, "00000000-0000-0000-0000-000000000000"]


def edges_for(prop: dict, name: str) -> list[Any]:
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt in ("date", "date-time"):
        extra = CALENDAR_EDGES
    elif fmt in ("time", "partial-time"):
        extra = TIME_EDGES
    elif kind in ("integer", "number"):
        extra = NUMBER_EDGES
    elif fmt == "decimal":
        extra = DECIMAL_EDGES
    elif kind is None or kind in ("object", "array"):
        extra = JSON_EDGES
    elif kind == "string" and "enum" not in prop and fmt != "uuid":
        extra = TEXT_EDGES
    else:
        extra = OTHER_EDGES
    return COMMON_EDGES + extra


json_trees = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
generated_values = st.one_of(
    st.text(max_size=200),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
    json_trees,
)


# --- the schema ---------------------------------------------------------------------------------


def load_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((path, method, operation))
    return found


def body_schema(schema: dict, operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    json_body = content.get("application/json")
    return resolve(schema, json_body["schema"]) if json_body else None


def plausible(schema: dict, prop: dict, name: str, references: dict) -> Any:
    """An unremarkable valid-looking value for a property (the targets get the extremes)."""
    if name in references:
        return references[name]
    prop = resolve(schema, prop)
    if "allOf" in prop:
        prop = resolve(schema, prop["allOf"][0])
    if "oneOf" in prop:
        prop = resolve(schema, prop["oneOf"][0])
    if "enum" in prop:
        return next((v for v in prop["enum"] if v not in (None, "")), None)
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt == "date":
        return (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    if fmt == "date-time":
        return timezone.now().isoformat()
    if fmt in ("time", "partial-time"):
        return "12:00"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "decimal" or kind == "number":
        return "1"
    if kind == "integer":
        return max(prop.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return "test"


def json_text(value: Any) -> str:
    """JSON text of a value; a RAW_TOKEN string is written as the text it carries."""
    if isinstance(value, str) and value.startswith(RAW_TOKEN):
        return value.removeprefix(RAW_TOKEN)
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers beyond 64 bits, which Python's json writes
        return json.dumps(value)


def encode(body: dict) -> str:
    """The JSON body; only top-level properties carry generated values."""
    return "{" + ",".join(f"{json_text(name)}:{json_text(value)}" for name, value in body.items()) + "}"


def query_text(value: Any) -> str:
    return value.removeprefix(RAW_TOKEN) if isinstance(value, str) else json_text(value)


# --- state ----------------------------------------------------------------------------------------


def checked_tables() -> list[tuple[str, str | None]]:
    tables = []
    for model in apps.get_models():
        if model._meta.app_label in CHECKED_APPS and not model._meta.proxy:
            changed = next((f.column for f in model._meta.concrete_fields if f.name == "updated_at"), None)
            tables.append((model._meta.db_table, changed))
    return tables


def snapshot(tables) -> tuple:
    """Row counts and the latest change of every checked table, in one query."""
    parts = [
        f"SELECT '{table}', COUNT(*), {f'MAX({changed})' if changed else 'NULL'} FROM {table}"
        for table, changed in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted(cursor.fetchall()))


# --- the test -------------------------------------------------------------------------------------


def targets(operation: dict, body: dict | None) -> list[tuple[str, str, dict]]:
    """(where, name, schema) of every query parameter and writable body property."""
    found = [
        ("query", p["name"], resolve(SCHEMA, p.get("schema", {})))
        for p in operation.get("parameters", [])
        if p.get("in") == "query"
    ]
    if body:
        found += [
            ("body", name, resolve(SCHEMA, prop))
            for name, prop in body.get("properties", {}).items()
            if not prop.get("readOnly")
        ]
    return found


SCHEMA = load_schema()
# Operations without query parameters or a body (most DELETEs, bodiless actions) have nothing to feed.
OPERATION_IDS = [
    f"{method.upper()} {path}"
    for path, method, operation in operations(SCHEMA)
    if targets(operation, body_schema(SCHEMA, operation))
]


def call(client: APIClient, method: str, url: str, *, query: dict, body: dict | None):
    if method == "get":
        return client.get(url, query)
    if query:
        url = f"{url}?{urlencode(query)}"
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=encode(body), content_type="application/json")


@pytest.fixture
def hostile_setup(transactional_db):
    seeded = seed_every_resource(actor_role="admin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(seeded.admin).access_token}")
    return seeded, client, checked_tables()


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_generated_extremes_never_500_and_refusals_write_nothing(operation_id, hostile_setup):
    seeded, client, tables = hostile_setup
    method, path = operation_id.split(" ", 1)
    method = method.lower()
    operation = SCHEMA["paths"][path][method]
    body_props = body_schema(SCHEMA, operation)
    fields = targets(operation, body_props)
    object_id = seeded.id_for(path, method)
    url = path.replace("{id}", object_id or "00000000-0000-0000-0000-000000000000")
    OPERATIONS.add(operation_id)

    base = {
        name: plausible(SCHEMA, prop, name, seeded.references)
        for name, prop in (body_props or {}).get("properties", {}).items()
        if not prop.get("readOnly")
    }

    def send(where: str, name: str, value: Any) -> None:
        query = {name: query_text(value)[:MAX_QUERY_VALUE]} if where == "query" else {}
        body = {**base, name: value} if where == "body" else (base if body_props else None)
        before = snapshot(tables)
        response = call(client, method, url, query=query, body=body)
        CALLS[response.status_code // 100 * 100] += 1
        shown = f"{operation_id} {where} {name}={str(value)[:200]!r}"
        assert response.status_code < 500, f"{shown}: {response.status_code} {response.content[:500]!r}"
        if 400 <= response.status_code < 500:
            assert snapshot(tables) == before, f"{shown}: refused ({response.status_code}) but wrote to the database"

    # Every field meets every edge of its kind...
    for where, name, prop in fields:
        for value in edges_for(prop, name):
            send(where, name, value)

    # ...and generated values besides.
    @settings(
        max_examples=GENERATED_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        # Each example is a request per field: shrinking would replay many of them, and the
        # failure message already names the field and the value.
        phases=[Phase.explicit, Phase.generate],
    )
    @given(values=st.lists(generated_values, min_size=len(fields), max_size=len(fields)))
    def run(values):
        for (where, name, _prop), value in zip(fields, values):
            send(where, name, value)

    run()
    list_path = path.split("{id}")[0]
    if method != "get" and "get" in SCHEMA["paths"].get(list_path, {}):
        response = client.get(list_path, {"page_size": 500})
        assert response.status_code == 200, f"{list_path} no longer lists after {operation_id}"
