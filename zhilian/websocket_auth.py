"""WebSocket authentication: a JWT (query parameter or subprotocol) or the Django session.

Order of precedence:

1. ``?token=<access token>`` in the query string;
2. the ``Sec-WebSocket-Protocol`` header carrying ``["bearer", "<access token>"]`` (browsers
   cannot set an Authorization header on a WebSocket). The consumer must then accept with the
   subprotocol ``"bearer"``; the middleware puts it in ``scope["accept_subprotocol"]``;
3. the Django session cookie (the dashboard page).

A token that is present but invalid, expired, revoked (password change, logout) or whose user is inactive yields an
anonymous user — it does not fall back to the session, so a client learns its token is bad
(the consumers close with 4401). The token's expiry is kept in ``scope["token_exp"]`` so a
consumer can drop the socket once the token it was opened with has expired.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

BEARER_SUBPROTOCOL = "bearer"


def token_from_scope(scope) -> tuple[str | None, str | None]:
    """(token, how it came) from the query string or the subprotocol list."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    if tokens and tokens[0]:
        return tokens[0], "query"
    subprotocols = list(scope.get("subprotocols") or [])
    if BEARER_SUBPROTOCOL in subprotocols:
        index = subprotocols.index(BEARER_SUBPROTOCOL)
        if index + 1 < len(subprotocols) and subprotocols[index + 1]:
            return subprotocols[index + 1], "subprotocol"
        return "", "subprotocol"
    return None, None


@database_sync_to_async
def user_from_token(raw_token: str):
    """The active user an access token belongs to, or (AnonymousUser, None)."""
    # Imported late: simplejwt reads settings and models at import time.
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

    from accounts.authentication import RevocableJWTAuthentication

    if not raw_token or len(raw_token) > 4096:
        return AnonymousUser(), None
    auth = RevocableJWTAuthentication()
    try:
        # Same checks as the REST API: signature, expiry, token type, user active, revocation
        # by password change (CHECK_REVOKE_TOKEN) and by logout (accounts.tokens).
        validated = auth.get_validated_token(raw_token.encode())
        user = auth.get_user(validated)
    except (InvalidToken, AuthenticationFailed, TokenError):
        return AnonymousUser(), None
    if not user.is_active:
        return AnonymousUser(), None
    return user, validated.get("exp")


class JWTAuthMiddleware:
    """Replaces the session user with the token's user when a token is offered."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "websocket":
            token, via = token_from_scope(scope)
            if token is not None:
                user, exp = await user_from_token(token)
                scope = {**scope, "user": user, "auth": "jwt", "token_exp": exp}
                if via == "subprotocol":
                    scope["accept_subprotocol"] = BEARER_SUBPROTOCOL
            else:
                scope = {**scope, "auth": "session"}
        return await self.inner(scope, receive, send)


def JWTOrSessionAuthMiddleware(inner):  # noqa: N802 - reads like the middleware class it builds
    # The session stack runs first (cookie -> session -> user); the JWT layer inside it
    # overrides the user only when a token was offered.
    return AuthMiddlewareStack(JWTAuthMiddleware(inner))
