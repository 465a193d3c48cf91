"""While the database is unreachable: a quick 503 for every request that needs it, never a
500 page. API requests get JSON with a stable code, pages a plain "temporarily unavailable".

How quick is set by the connect and pool timeouts (DB_CONNECT_TIMEOUT, DB_POOL_TIMEOUT).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

# Connection refused, pool timeout, connection lost, a locked SQLite file: try again later.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"


def unavailable_body() -> dict[str, str]:
    return {"detail": _("The service is temporarily unavailable; try again shortly."), "code": "service_unavailable"}


def unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(unavailable_body(), status=503)
    else:
        # Rendered without the request: context processors would reach for the session and user.
        response = HttpResponse(render_to_string("zhilian/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware(MiddlewareMixin):
    """Turns a database outage raised by a view into a 503 (see the module docstring). A
    MiddlewareMixin so that it runs in the server's mode (sync under WSGI, async under ASGI)."""

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE_ERRORS):
            logger.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage met outside a view (another middleware) is a 503 too; any other
    error is JSON under /api/ and Django's page elsewhere."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE_ERRORS):
        return unavailable_response(request)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("A server error occurred."), "code": "server_error"}, status=500)
    return defaults.server_error(request)
