"""Liveness and readiness probes. They answer, quickly, even when the database or Redis is down.

`/health/ready` checks each dependency on a fresh connection with a short timeout (not through
the request pool, whose wait for a connection is longer than a probe may take), so it answers
within about two seconds whatever is down. Admins see why a check fails; everyone else (load
balancers, orchestrators) sees only which one, never an internal error text.
"""

from __future__ import annotations

import copy
import logging

from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhilian import roles
from zhilian.serving import LIVE_BODY

logger = logging.getLogger(__name__)

# Seconds a probe waits for each dependency.
PROBE_TIMEOUT = 1


@never_cache
@require_GET
def live(request):
    return HttpResponse(LIVE_BODY, content_type="application/json")


def probe_connection():
    """A fresh, unpooled connection to the default database with a short connect timeout."""
    params = copy.deepcopy(connections.settings["default"])
    options = params.setdefault("OPTIONS", {})
    options.pop("pool", None)
    if params["ENGINE"].endswith("postgresql"):
        options["connect_timeout"] = PROBE_TIMEOUT
    else:
        options["timeout"] = PROBE_TIMEOUT
    return load_backend(params["ENGINE"]).DatabaseWrapper(params, alias="health_probe")


def _check_database() -> str | None:
    probe = probe_connection()
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database makes us not ready
        text = str(exc).strip()
        return f"{type(exc).__name__}: {text.splitlines()[0] if text else 'unreachable'}"
    finally:
        probe.close()
    return None


def _check_redis() -> str | None:
    try:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT
        )
        client.ping()
        client.close()
    except Exception as exc:  # any failure to reach Redis makes us not ready
        return f"{type(exc).__name__}: {exc}"
    return None


def _caller_is_admin(request) -> bool:
    # The session lives in the database: when it is down, nobody is recognised as an admin.
    try:
        return roles.is_admin(request.user)
    except Exception:
        return False


@never_cache
@require_GET
def ready(request):
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    failing = [name for name, error in checks.items() if error]
    for name in failing:
        logger.warning("readiness: %s failing: %s", name, checks[name])
    detailed = bool(failing) and _caller_is_admin(request)
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": {name: (error if detailed else "unavailable") if error else "ok" for name, error in checks.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
