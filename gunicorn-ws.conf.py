"""gunicorn for production WebSockets: Channels (zhilian.asgi) on the uvicorn worker.

Serves /ws/ only in the production layout; HTTP goes to the WSGI processes of gunicorn.conf.py.
Events cross from the HTTP processes to these through the Redis channel layer, so REDIS_URL is
required whenever the two run apart.

Keep-alive (see notifications/consumers.py for the application heartbeat the dashboard watches):
every WS_PING_INTERVAL seconds uvicorn sends each socket a protocol ping, which keeps an idle
socket open through proxies and NATs; a client whose pong does not come back within
WS_PING_TIMEOUT is closed (1011), so dead clients do not hold a consumer forever. The WebSocket
implementation is named so a missing `websockets` package fails the start instead of leaving the
server without WebSockets.

    gunicorn -c gunicorn-ws.conf.py       # listens on $WS_BIND, or $HOST:$WS_PORT (default 0.0.0.0:8001)
"""

import os

from uvicorn_worker import UvicornWorker

from zhilian.serving import redact_tokens_in_logs


class ZhilianUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "ws": "websockets-sansio",
        "ws_ping_interval": float(os.environ.get("WS_PING_INTERVAL", "20")),
        "ws_ping_timeout": float(os.environ.get("WS_PING_TIMEOUT", "20")),
    }


wsgi_app = "zhilian.asgi:application"
bind = os.environ.get("WS_BIND") or f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('WS_PORT', '8001')}"
workers = int(os.environ.get("WS_CONCURRENCY", "1"))
worker_class = ZhilianUvicornWorker
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    redact_tokens_in_logs()


def on_starting(server):
    if not os.environ.get("REDIS_URL"):
        server.log.warning(
            "REDIS_URL is not set: events published by the HTTP processes cannot reach the sockets "
            "held here. Set REDIS_URL."
        )
