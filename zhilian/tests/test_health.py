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


@pytest.fixture
def unreachable_database(monkeypatch):
    """A real connection to a database that is not there: PostgreSQL on a closed port, or an
    SQLite file in a directory that does not exist. Only the probe uses it."""
    params = copy.deepcopy(connections.settings["default"])
    if params["ENGINE"].endswith("postgresql"):
        params.update(HOST="127.0.0.1", PORT="1")
        params["OPTIONS"] = {"connect_timeout": 2}  # no pool: connect directly (and fail)
    else:
        params["NAME"] = "/nonexistent-directory/zhilian/db.sqlite3"
        params["OPTIONS"] = {}
    wrapper = load_backend(params["ENGINE"]).DatabaseWrapper(params, alias="unreachable")
    monkeypatch.setattr(health, "connection", wrapper)
    yield wrapper
    wrapper.close()


def test_ready_is_503_naming_the_database_when_it_is_unreachable(client, db, settings, unreachable_database):
    settings.REDIS_URL = ""
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["database"]
    assert body["checks"]["database"].startswith("OperationalError")


def test_ready_is_503_naming_redis_when_it_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert "Error" in body["checks"]["redis"]
