"""Helpers for tests that need real sockets: a private channel layer and an ASGI server.

pytest-django's `live_server` speaks WSGI only; the dashboard needs WebSockets, so
`AsgiServer` runs uvicorn on `zhilian.asgi.application` in a thread with its own event loop
(Playwright's sync API must not run inside an asyncio loop, so the test thread has none).
Static files are served through Django's ASGIStaticFilesHandler (finders), as runserver does.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid

from django.conf import settings as django_settings

from zhilian.testing.server import free_port


def use_private_channel_layer(settings) -> None:
    """The configured layer with a unique prefix when it is Redis (as in CI), else a fresh in-memory one.

    The Redis layer keeps every option of the settings (its connection timeouts included), so the
    tests exercise the layer production runs; only the prefix changes.
    """
    if django_settings.REDIS_URL:
        layer = copy.deepcopy(django_settings.CHANNEL_LAYERS["default"])
        layer["CONFIG"]["prefix"] = f"zhtest-{uuid.uuid4().hex[:12]}"
        settings.CHANNEL_LAYERS = {"default": layer}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class AsgiServer:
    def __init__(self) -> None:
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from zhilian.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            ASGIStaticFilesHandler(application),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="asgi-test-server", daemon=True)

    def start(self) -> AsgiServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the ASGI test server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
