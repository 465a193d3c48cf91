"""JWTs: the tokens we issue, and the short-lived deny list that makes logout end access tokens.

Refresh tokens are revoked in the database (simplejwt's blacklist). Access tokens are not looked
up anywhere, so without more they would work until they expire (JWT_ACCESS_MINUTES) even after
a logout. Logout therefore also writes to a deny list in the Django cache (Redis in production),
each entry living exactly as long as an access token can:

- ``sid:<session id>``: the session a plain logout ended. Every token of a login carries the
  session id ``sid`` (the jti of its first refresh token, kept through rotations), so the
  access tokens minted from any refresh token of that session are refused;
- ``jti:<jti>``: one access token (the one presented in the Authorization header at logout);
- ``user:<user id>``: "log out everywhere" — every token of the user issued before that moment
  (``iat_ms``, the issue time in milliseconds, tells tokens of the same second apart).

The deny list is checked by ``accounts.authentication.RevocableJWTAuthentication`` (the API)
and by the WebSocket middleware (zhilian/websocket_auth.py). When the cache cannot be reached,
the check logs a warning and lets the token through (it still expires on its own): a cache
outage must not take the API down.

Who the user is, for authorization: every token also carries the user's role, store and username
(``ACCOUNT_CLAIMS``), so an authenticated request needs no user query. They cannot go stale: a
change of role, store, username, active flag or password, or the account's deletion, revokes the
user's tokens issued before it (``User.save``/``User.delete`` call
``revoke_user_tokens_before_now``, whatever path made the change), and the client gets fresh
claims from the refresh token, which is checked against the database. Bound: while the cache is
unreachable the revocation is not seen, so a permission change applies within an access token's
lifetime (JWT_ACCESS_MINUTES) at worst.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

logger = logging.getLogger(__name__)

SESSION_CLAIM = "sid"
ISSUED_MS_CLAIM = "iat_ms"
# claim -> the User field it copies (see the module docstring).
ACCOUNT_CLAIMS = {"role": "role", "store": "store_id", "username": "username"}
_PREFIX = "zh:jwt-deny"


def _ms() -> int:
    return time.time_ns() // 1_000_000


def refresh_for(user, *, session_id: str | None = None) -> RefreshToken:
    """A refresh token (recorded as outstanding) of a new or continued session.

    Its access token (``.access_token``) copies the session id and issue time.
    """
    token = RefreshToken.for_user(user)
    token[SESSION_CLAIM] = session_id or token[jwt_settings.JTI_CLAIM]
    token[ISSUED_MS_CLAIM] = _ms()
    for claim, field in ACCOUNT_CLAIMS.items():
        token[claim] = getattr(user, field)
    return token


def user_from_claims(token: Token):
    """The token's user, built from its claims without a query (None for a token without them).

    The other fields are deferred: reading one (the email, say) loads it from the database.
    """
    from accounts.models import User

    if any(claim not in token for claim in ACCOUNT_CLAIMS):
        return None
    known = {"id": token[jwt_settings.USER_ID_CLAIM], "is_active": True}
    known.update((field, token[claim]) for claim, field in ACCOUNT_CLAIMS.items())
    # from_db takes the values in the model's field order.
    fields = [f.attname for f in User._meta.concrete_fields if f.attname in known]
    return User.from_db("default", fields, [known[name] for name in fields])


def session_id(token: Token) -> str:
    # Tokens issued before sessions were recorded are their own session.
    return str(token.get(SESSION_CLAIM) or token[jwt_settings.JTI_CLAIM])


def _ttl() -> int:
    # An access token lives at most this long; so does every entry that refuses one.
    return int(jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()) + 1


def _key(kind: str, value: Any) -> str:
    return f"{_PREFIX}:{kind}:{value}"


def _write(entries: dict[str, int]) -> None:
    try:
        cache.set_many(entries, timeout=_ttl())
    except Exception:  # any cache backend error (Redis down, timeouts): see the module docstring
        logger.warning("could not write access-token revocations %s to the cache", sorted(entries), exc_info=True)


def revoke_session(sid: str) -> None:
    """Refuse every access token of the session from now on."""
    _write({_key("sid", sid): 1})


def revoke_access_token(token: Token) -> None:
    """Refuse this access token from now on."""
    _write({_key("jti", token[jwt_settings.JTI_CLAIM]): 1})


def revoke_user_tokens_before_now(user_id: Any) -> None:
    """Refuse every access token of the user issued up to now."""
    _write({_key("user", user_id): _ms()})


def _issued_ms(token: Token) -> int:
    issued = token.get(ISSUED_MS_CLAIM)
    if isinstance(issued, int):
        return issued
    # A token without the claim counts as issued at the end of its second (refused when unsure).
    return int(token.get("iat", 0)) * 1000 + 999


def is_revoked(token: Token) -> bool:
    """Whether a logout refused this (otherwise valid) access token."""
    keys = {
        "sid": _key("sid", session_id(token)),
        "jti": _key("jti", token[jwt_settings.JTI_CLAIM]),
        "user": _key("user", token.get(jwt_settings.USER_ID_CLAIM)),
    }
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # any cache backend error: see the module docstring
        logger.warning("could not read access-token revocations from the cache; token accepted", exc_info=True)
        return False
    if keys["sid"] in found or keys["jti"] in found:
        return True
    revoked_before = found.get(keys["user"])
    return revoked_before is not None and _issued_ms(token) <= revoked_before
