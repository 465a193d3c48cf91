"""WSGI entry point (production HTTP, gunicorn.conf.py).

/health/live is answered before Django: it says the process is up, needs nothing of Django, and
orchestrators call it often.
"""

import os

from django.core.wsgi import get_wsgi_application

from zhilian.serving import LIVE_BODY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhilian.settings")
django_application = get_wsgi_application()

LIVE_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(LIVE_BODY))),
    ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
]


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/health/live":
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", LIVE_HEADERS)
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [LIVE_BODY]
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
        return [b""]
    return django_application(environ, start_response)
