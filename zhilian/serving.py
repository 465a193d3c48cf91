"""What both production servers share (gunicorn.conf.py for HTTP, gunicorn-ws.conf.py for
WebSockets): where they listen, and a log filter that keeps access tokens out of the logs."""

from __future__ import annotations

import logging
import os
import re

# The liveness answer (/health/live): the Django view and the WSGI entry point, which sends it
# before Django, share it.
LIVE_BODY = b'{"status": "ok"}'


def bind(default_port: int) -> str:
    """BIND, else HOST:PORT (PORT as platforms such as Heroku or Cloud Run set it)."""
    if os.environ.get("BIND"):
        return os.environ["BIND"]
    return f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', default_port)}"


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


def redact_tokens_in_logs() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "gunicorn.access", "gunicorn.error"):
        logging.getLogger(name).addFilter(RedactTokens())


def warn_without_redis(server, processes: int, what: str) -> None:
    if processes > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "REDIS_URL is not set but %d %s are starting: live updates and cached state will not be "
            "shared between them. Set REDIS_URL.",
            processes,
            what,
        )
