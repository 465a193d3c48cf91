"""gunicorn for production HTTP: Django over WSGI in threaded workers (gthread).

The production layout has two process types (docs/architecture.md): this one serves every HTTP
request; gunicorn-ws.conf.py serves the WebSockets (/ws/) through Channels on the uvicorn worker.
WSGI in threads serves HTTP with none of the hops between the event loop and threads that Django's
ASGI handler makes for sync views (measured in bench/results/latest.md).

    gunicorn -c gunicorn.conf.py          # listens on $BIND, or $HOST:$PORT (default 0.0.0.0:8000)
"""

import os

from zhilian.serving import bind as _bind
from zhilian.serving import redact_tokens_in_logs, warn_without_redis

wsgi_app = "zhilian.wsgi:application"
bind = _bind(8000)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Threads per worker: a request waiting on PostgreSQL does not hold the worker.
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# "-" (stdout) when gunicorn faces clients itself; empty behind a proxy that logs them already
# (docker-compose.yml: nginx), where a second access log cost ~0.1 ms of CPU per request.
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    redact_tokens_in_logs()


def on_starting(server):
    warn_without_redis(server, workers, "HTTP workers")
