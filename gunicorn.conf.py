"""gunicorn for production: the uvicorn worker serves HTTP and WebSockets from zhilian.asgi."""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn_worker.UvicornWorker"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
wsgi_app = "zhilian.asgi:application"


def on_starting(server):
    # The in-memory channel layer lives inside one process: with several workers, an event
    # published in one never reaches a socket held by another.
    if workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "REDIS_URL is not set but %d workers are starting: live updates and throttle counters "
            "will not be shared between workers. Set REDIS_URL (or WEB_CONCURRENCY=1).",
            workers,
        )
