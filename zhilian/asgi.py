"""ASGI entry point: HTTP through Django, WebSockets through Channels.

In production it serves the WebSockets only (docs/architecture.md, "How it runs and scales").
Under `make run` without a broker it also runs the background jobs' schedule (zhilian/devjobs.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhilian.settings")
# Django must be set up before the consumers (and the models they import) load.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from zhilian.routing import websocket_urlpatterns  # noqa: E402
from zhilian.websocket_auth import JWTOrSessionAuthMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(JWTOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

if os.environ.get("ZHILIAN_JOBS_IN_SERVER") == "true":
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        from zhilian.devjobs import JobsInServer

        application = JobsInServer(application)
