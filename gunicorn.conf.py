"""gunicorn for production: the uvicorn worker serves HTTP and WebSockets from zhilian.asgi."""

import logging
import os
import re

from uvicorn_worker import UvicornWorker


class RedactTokens(logging.Filter):
    """Access tokens travel in WebSocket URLs (`?token=`); they must not land in the logs.

    uvicorn's records carry their arguments as a tuple, gunicorn's access records as a mapping.
    """

    TOKEN = re.compile(r"(token=)[^&\s\"']+")

    def redact(self, value):
        return self.TOKEN.sub(r"\1[redacted]", value) if isinstance(value, str) else value

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {key: self.redact(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(self.redact(value) for value in record.args)
        record.msg = self.redact(record.msg)
        return True


class ZhilianUvicornWorker(UvicornWorker):
    """uvicorn's worker with the WebSocket settings production relies on spelled out.

    Keep-alive (see notifications/consumers.py for the application heartbeat the dashboard
    watches): every WS_PING_INTERVAL seconds uvicorn sends each socket a protocol ping, which
    keeps an idle socket open through proxies and NATs; a client whose pong does not come back
    within WS_PING_TIMEOUT is closed (1011), so dead clients do not hold a consumer forever.
    The WebSocket implementation is named so a missing `websockets` package fails the start
    instead of leaving the server without WebSockets.
    """

    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "ws": "websockets-sansio",
        "ws_ping_interval": float(os.environ.get("WS_PING_INTERVAL", "20")),
        "ws_ping_timeout": float(os.environ.get("WS_PING_TIMEOUT", "20")),
    }


bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = ZhilianUvicornWorker
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
wsgi_app = "zhilian.asgi:application"


def post_worker_init(worker):
    for name in ("uvicorn.access", "uvicorn.error", "gunicorn.access", "gunicorn.error"):
        logging.getLogger(name).addFilter(RedactTokens())


def on_starting(server):
    # The in-memory channel layer lives inside one process: with several workers, an event
    # published in one never reaches a socket held by another.
    if workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "REDIS_URL is not set but %d workers are starting: live updates and throttle counters "
            "will not be shared between workers. Set REDIS_URL (or WEB_CONCURRENCY=1).",
            workers,
        )
