"""django-csp's middleware, plus the page's own WebSocket origin in connect-src.

The dashboard opens ws://<host>/ws/... (wss:// over HTTPS). CSP Level 3 lets 'self' match ws:
and wss: of the page's host, but browsers that predate it (Safari before 15.4) do not, and a
scheme-wide `wss:` would allow any host. So each response names its own host, which Django has
already checked against ALLOWED_HOSTS.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def websocket_sources(request: HttpRequest) -> list[str]:
    """ws:// and wss:// of the host the page was served from ([] for a host Django refuses), and
    the WebSocket server's own origin when it listens apart (ZHILIAN_WS_URL)."""
    configured = [settings.ZHILIAN_WS_URL] if settings.ZHILIAN_WS_URL else []
    try:
        host = request.get_host()
    except DisallowedHost:
        return configured
    return [f"ws://{host}", f"wss://{host}", *configured]


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        sources = websocket_sources(request)
        if sources:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", []), *sources]
            parts.update = update
        return parts
