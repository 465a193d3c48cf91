"""Outages: a dead cache degrades, a dead database is a quick 503 — never a 500 page.

The Redis cases point the real django-redis cache at a port where nothing listens (the cache the
production settings build). The database cases start the production server layout
(zhilian.testing.server: gunicorn + uvicorn worker, DEBUG off) against a database that is not
there: PostgreSQL on a closed port, or an SQLite file in a missing directory.
"""

from __future__ import annotations

import httpx
import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from rest_framework_simplejwt.tokens import RefreshToken

from zhilian.redis_settings import redis_cache
from zhilian.testing.server import ProductionServer, database_url

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def dead_cache(settings):
    """The production cache configuration with Redis unreachable."""
    settings.CACHES = {"default": redis_cache(DEAD_REDIS, prefix="zhilian", connect_timeout=1.0, socket_timeout=1.0)}
    settings.REDIS_URL = DEAD_REDIS
    return caches["default"]


def test_the_production_cache_degrades_when_redis_is_down(dead_cache):
    assert dead_cache.set("k", "v") is None
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"


def test_login_works_while_redis_is_down(dead_cache, client, manager):
    manager.set_password("right-password-2026")
    manager.save()
    response = client.post(
        "/api/v1/auth/login/", {"username": manager.username, "password": "right-password-2026"}, "application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["user"]["username"] == manager.username


def test_api_reads_work_while_redis_is_down(dead_cache, client_for, manager):
    response = client_for(manager).get("/api/v1/orders/")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def unreachable_database_url() -> str:
    if django_settings.IS_POSTGRES:
        return "postgres://postgres@127.0.0.1:1/zhilian_unreachable"
    return "sqlite:////nonexistent-directory/zhilian/db.sqlite3"


@pytest.fixture(scope="module")
def server_without_database():
    with ProductionServer(unreachable_database_url(), secret_key=django_settings.SECRET_KEY) as server:
        yield server


@pytest.fixture
def token(manager) -> str:
    return str(RefreshToken.for_user(manager).access_token)


@pytest.mark.slow
def test_api_answers_json_503_without_a_database(server_without_database, token):
    for path in ("/api/v1/orders/", "/api/v1/stores/", "/api/v1/auth/me/"):
        response = httpx.get(server_without_database.base_url + path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503, (path, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["code"] == "service_unavailable"
        assert response.headers["Retry-After"]


@pytest.mark.slow
def test_login_answers_json_503_without_a_database(server_without_database):
    response = httpx.post(
        server_without_database.base_url + "/api/v1/auth/login/", json={"username": "manager1", "password": "x"}
    )
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/admin/", "/admin/orders/order/", "/dashboard/", "/dashboard/login/"])
def test_pages_answer_a_plain_503_without_a_database(server_without_database, path):
    response = httpx.get(
        server_without_database.base_url + path, cookies={"sessionid": "a" * 32}, follow_redirects=True
    )
    assert response.status_code == 503, (path, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in response.text
    assert "Traceback" not in response.text


@pytest.mark.slow
def test_readiness_without_a_database_names_it_without_internals(server_without_database):
    response = httpx.get(server_without_database.base_url + "/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}, "failing": ["database"]}
    assert "Traceback" not in server_without_database.log_text()


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_pooled_connections_that_broke_cost_a_503_at_most_then_heal(manager, store):
    # The production server on the test database; its pool keeps connections between requests
    # and does not ping them (CONN_HEALTH_CHECKS off with the pool).
    from django.db import connection

    token = str(RefreshToken.for_user(manager).access_token)
    headers = {"Authorization": f"Bearer {token}"}
    url = database_url(connection.settings_dict) + "?application_name=zhilian-heal-test"
    with ProductionServer(url, secret_key=django_settings.SECRET_KEY) as server:
        assert httpx.get(f"{server.base_url}/api/v1/stores/", headers=headers).status_code == 200
        # Every connection the server holds is cut, as a database restart does (this process's own
        # connections are left alone).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'zhilian-heal-test'"
            )
            assert cursor.fetchone()[0] >= 1
        statuses = [httpx.get(f"{server.base_url}/api/v1/stores/", headers=headers).status_code for _ in range(12)]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-4:] == [200] * 4, statuses
    assert "Traceback" not in server.log_text()
