"""Liveness and readiness probes, including real failures of the database and Redis."""

import copy

import pytest
from django.db import connections
from django.db.utils import load_backend

from zhilian import health


def test_live(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_ready_with_the_database_up(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_probes_only_answer_get(client, db):
    assert client.post("/health/live").status_code == 405
    assert client.post("/health/ready").status_code == 405


def unreachable_database_wrapper():
    """A real connection to a database that is not there: PostgreSQL on a closed port, or an
    SQLite file in a directory that does not exist."""
    params = copy.deepcopy(connections.settings["default"])
    if params["ENGINE"].endswith("postgresql"):
        params.update(HOST="127.0.0.1", PORT="1")
        params["OPTIONS"] = {"connect_timeout": 1}
    else:
        params["NAME"] = "/nonexistent-directory/zhilian/db.sqlite3"
        params["OPTIONS"] = {}
    return load_backend(params["ENGINE"]).DatabaseWrapper(params, alias="unreachable")


@pytest.fixture
def unreachable_database(monkeypatch):
    """Only the probe's connection goes to the missing database; the test's own stays up."""
    monkeypatch.setattr(health, "probe_connection", unreachable_database_wrapper)


def test_ready_is_503_naming_the_database_without_internals(client, db, settings, unreachable_database):
    settings.REDIS_URL = ""
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}, "failing": ["database"]}


def test_ready_tells_an_admin_why(client, admin_user, settings, unreachable_database):
    settings.REDIS_URL = ""
    client.force_login(admin_user)
    body = client.get("/health/ready").json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"].startswith("OperationalError")


def test_ready_is_503_naming_redis_when_it_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
        "failing": ["redis"],
    }


def test_ready_tells_an_admin_why_redis_fails(client, admin_user, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(admin_user)
    assert "ConnectionError" in client.get("/health/ready").json()["checks"]["redis"]
