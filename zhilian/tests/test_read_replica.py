"""The read replica (zhilian/db.py): report pages and their API read from it, everything else
from the primary. The stand-in replica is a second database on the same PostgreSQL server, a
copy of the test database made with pg_dump, then made to differ from the primary so that a
figure shows which database a page read."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connections, router
from django.template import engines
from django.template.response import TemplateResponse

from menu.tests.engineering import END, START, build_sales, sell
from stores.models import Store
from zhilian.db import REPLICA, read_replica, replica_reads


def _server_args(settings_dict: dict) -> list[str]:
    return [
        "-h",
        settings_dict["HOST"] or "127.0.0.1",
        "-p",
        str(settings_dict["PORT"] or 5432),
        "-U",
        settings_dict["USER"],
    ]


def _admin_connection(settings_dict: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def replica_url(transactional_db):
    """A second database on the same server holding a copy of the test database as of the call."""
    primary = connections.settings["default"]
    name = f"{primary['NAME']}_replica"

    def copy_primary() -> str:
        with _admin_connection(primary) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        dump = subprocess.run(
            ["pg_dump", *_server_args(primary), "--no-owner", "-d", primary["NAME"]], check=True, capture_output=True
        ).stdout
        subprocess.run(
            ["psql", *_server_args(primary), "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            input=dump,
            check=True,
            capture_output=True,
        )
        return _url(primary, name)

    yield copy_primary
    with _admin_connection(primary) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(settings_dict: dict, name: str) -> str:
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{settings_dict['USER']}@{host}:{port}/{name}"


# Run in a process of its own with the production way of configuring the replica (the
# environment), so that settings, router and views are what a deployment runs.
PROBE = """
import json, django
django.setup()
from rest_framework.test import APIClient
from django.test import Client
from accounts.models import User
from menu.models import Dish
manager = User.objects.get(pk=%(manager)r)
period = %(period)r
api = APIClient(SERVER_NAME="localhost"); api.force_authenticate(manager)
rows = {r["code"]: r for r in api.get("/api/v1/reports/menu-engineering/", period).json()["dishes"]}
admin = Client(SERVER_NAME="localhost"); admin.force_login(manager)
page = admin.get("/admin/menu/dish/menu-engineering/", period).content.decode()
print(json.dumps({
    "api_name": rows["A"]["name_zh"], "api_units_d": rows["D"]["units_sold"],
    "page_shows_replica_name": "副本里的菜A" in page,
    "orm_name": Dish.objects.get(code="A").name_zh,
    "dish_api_name": api.get("/api/v1/dishes/%(dish)s/").json()["name_zh"],
}))
"""


def test_reads_in_the_block_go_to_the_replica_and_writes_never_do():
    connections.settings[REPLICA] = connections.settings["default"]
    try:
        assert Store.objects.all().db == "default"
        with read_replica():
            assert Store.objects.all().db == REPLICA
            assert router.db_for_write(Store) == "default"
        assert Store.objects.all().db == "default"
    finally:
        del connections.settings[REPLICA]
    with read_replica():  # no replica configured: the block changes nothing
        assert Store.objects.all().db == "default"


def test_the_view_decorator_keeps_the_block_open_while_a_template_response_renders(rf):
    template = engines["django"].from_string("{{ db }}")
    view = replica_reads(lambda request: TemplateResponse(request, template, {"db": lambda: Store.objects.all().db}))
    connections.settings[REPLICA] = connections.settings["default"]
    try:
        response = view(rf.get("/"))
    finally:
        del connections.settings[REPLICA]
    assert response.is_rendered and response.content == b"replica"


@pytest.mark.postgres_only
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs PostgreSQL's client tools (pg_dump, psql)")
def test_reports_read_the_replica_and_the_rest_the_primary(replica_url, actors):
    sales = build_sales(actors.store, other_store=actors.other_store, user=actors.manager)
    url = replica_url()  # the replica holds the primary's rows as of now...
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as replica:
        # ...and then differs from it in two ways: a name changed on the replica only,
        replica.execute("UPDATE menu_dish SET name_zh = %s WHERE id = %s", ["副本里的菜A", sales["A"].pk])
    # and an order written to the primary that has not reached it yet.
    sell(actors.store, [("D", 100)], dt.datetime.combine(END, dt.time(12), tzinfo=dt.UTC))

    primary = connections.settings["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhilian.settings",
        "SECRET_KEY": "replica-test",
        "DEBUG": "true",
        "DATABASE_URL": _url(primary, primary["NAME"]),
        "DATABASE_REPLICA_URL": url,
        "REDIS_URL": "",
    }
    script = PROBE % {
        "manager": str(actors.manager.pk),
        "period": {"start": START.isoformat(), "end": END.isoformat()},
        "dish": sales["A"].pk,
    }
    probe = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen == {
        "api_name": "副本里的菜A",  # the report API read the replica
        "api_units_d": 3,  # and so misses the order written to the primary since the copy
        "page_shows_replica_name": True,  # so did the admin report page
        "orm_name": "菜A",  # everything else reads the primary
        "dish_api_name": "菜A",
    }
