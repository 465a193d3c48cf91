"""Accounts: logging in and out, token refresh, passwords, and creating and editing users.

Who may grant which role or touch which account is decided by zhilian.roles; these modules apply
it. Refresh-token state lives in simplejwt's blacklist tables (PostgreSQL in production), so every
web worker agrees on which refresh tokens are spent; access tokens that a logout ends are refused
through a short-lived deny list in the cache (accounts.tokens). Failed logins are counted and
locked out by django-axes on every door alike (accounts.lockout).

Modules: sessions and tokens (auth), passwords and accounts (users). Re-exported here so
`from accounts.services import X` and `services.X` keep working.
"""

from accounts.services.auth import (
    AuthenticationError,
    LoginThrottled,
    TokenPair,
    auth_login,
    auth_logout,
    auth_refresh,
    revoke_user_tokens,
    user_unlock_login,
)
from accounts.services.users import (
    CONTROL_FIELDS,
    PROFILE_FIELDS,
    user_change_password,
    user_create,
    user_register,
    user_update,
)
from zhilian.errors import DomainError, Forbidden, InvalidInput

__all__ = [
    "CONTROL_FIELDS",
    "PROFILE_FIELDS",
    "AuthenticationError",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "LoginThrottled",
    "TokenPair",
    "auth_login",
    "auth_logout",
    "auth_refresh",
    "revoke_user_tokens",
    "user_change_password",
    "user_create",
    "user_register",
    "user_unlock_login",
    "user_update",
]
