"""The app as production serves it (gunicorn + uvicorn worker on a free local port): the bench uses
the same ProductionServer as the tests that need a real server (zhilian/testing/server.py)."""

from __future__ import annotations

from zhilian.testing.server import ROOT, ProductionServer

BENCH_SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdef"


def Server(database_url: str, *, workers: int = 2, redis_url: str = "", pool_max: int = 10) -> ProductionServer:  # noqa: N802
    """The bench's server: its own key, the static files `ensure_database` collected, ready once the
    database answers."""
    return ProductionServer(
        database_url,
        secret_key=BENCH_SECRET_KEY,
        workers=workers,
        redis_url=redis_url,
        pool_max=pool_max,
        static_root=str(ROOT / "staticfiles"),
        ready_path="/health/ready",
        # As docker-compose.yml runs it: nginx in front keeps the access log (the peer runs
        # without one too).
        ACCESS_LOG="",
    )
