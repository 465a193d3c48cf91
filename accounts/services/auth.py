"""Logging in and out, token refresh and revocation, lifting a login lockout.

Refresh-token state lives in simplejwt's blacklist tables (PostgreSQL in production), so every
web worker agrees on which refresh tokens are spent; access tokens that a logout ends are refused
through a short-lived deny list in the cache (accounts.tokens). Failed logins are counted and
locked out by django-axes on every door alike (accounts.lockout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import axes.utils
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import lockout, tokens
from accounts.backends import resolve_login
from accounts.models import User
from zhilian import roles
from zhilian.audit import audit_record
from zhilian.errors import DomainError, Forbidden


class AuthenticationError(DomainError):
    """Credentials or a token were refused (HTTP 401); the API adds WWW-Authenticate."""

    status_code = 401
    default_code = "authentication_failed"


class LoginThrottled(DomainError):
    """The login lockout refused this account or address (HTTP 429, Retry-After)."""

    status_code = 429
    default_code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


# --- tokens --------------------------------------------------------------------------------


@dataclass
class TokenPair:
    access: str
    refresh: str

    def as_dict(self) -> dict[str, Any]:
        lifetime = jwt_settings.ACCESS_TOKEN_LIFETIME
        return {
            "access": self.access,
            "refresh": self.refresh,
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
        }


def _issue_tokens(user: User, *, session_id: str | None = None) -> TokenPair:
    # The refresh token is recorded as outstanding and, with CHECK_REVOKE_TOKEN, holds a hash of
    # the password hash: a later password change invalidates every such token. Both tokens carry
    # the session id (a new one unless a refresh continues a session) that logout revokes.
    refresh = tokens.refresh_for(user, session_id=session_id)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def auth_login(*, login: str, password: str, request: HttpRequest) -> tuple[User, TokenPair]:
    """Check credentials (username or email) and issue a token pair.

    The check goes through ``django.contrib.auth.authenticate`` like the admin and dashboard
    logins, so the one lockout (accounts.lockout) counts and refuses all three alike. Raises
    LoginThrottled when the lockout refused the login (also on the failure that reaches a
    limit), AuthenticationError for wrong credentials (code ``invalid_credentials``) or an
    inactive account (code ``account_inactive``, only said when the password is right).

    Not atomic on purpose: the recorded failure must outlive the refusal.
    """
    login = (login or "").strip()
    user = authenticate(request, username=login, password=password)
    if user is None:
        seconds = lockout.retry_after(request, login)
        if seconds is not None:
            raise LoginThrottled(lockout.lockout_message(seconds), retry_after=seconds)
        candidate = resolve_login(login)
        if candidate is not None and not candidate.is_active and candidate.check_password(password):
            raise AuthenticationError(_("This account is inactive."), code="account_inactive")
        raise AuthenticationError(_("No active account found with the given credentials."), code="invalid_credentials")

    pair = _issue_tokens(user)
    # Updates last_login (Django's receiver) and clears the account's failed attempts (axes).
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user, pair


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        # Verifies signature, expiry, token type and that the token is not blacklisted.
        return RefreshToken(raw)
    except TokenError as exc:
        raise AuthenticationError(str(exc), code="token_not_valid") from exc


def _token_user(token: RefreshToken) -> User:
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None:
        raise AuthenticationError(_("User not found."), code="user_not_found")
    if not user.is_active:
        raise AuthenticationError(_("User is inactive."), code="user_inactive")
    if jwt_settings.CHECK_REVOKE_TOKEN and token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise AuthenticationError(_("The user's password has been changed."), code="password_changed")
    return user


def _spend(token: RefreshToken) -> None:
    """Blacklist a refresh token exactly once, even when two requests race with it.

    The one-to-one constraint of BlacklistedToken decides: the second insert fails.
    """
    outstanding = OutstandingToken.objects.filter(jti=token[jwt_settings.JTI_CLAIM]).first()
    if outstanding is None:
        raise AuthenticationError(_("Token is not known."), code="token_not_valid")
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError as exc:
        raise AuthenticationError(_("Token is blacklisted"), code="token_not_valid") from exc


@transaction.atomic
def auth_refresh(*, refresh: str) -> tuple[User, TokenPair]:
    """Rotate a refresh token: the presented one is spent, a new pair (same session) is issued.

    Presenting a spent token again is refused (401), as is a token of an inactive user or one
    issued before the user's last password change.
    """
    token = _decode_refresh(refresh)
    user = _token_user(token)
    _spend(token)
    return user, _issue_tokens(user, session_id=tokens.session_id(token))


def _same_user_access_token(raw: str | None, user_id: Any) -> AccessToken | None:
    if not raw:
        return None
    try:
        access = AccessToken(raw)
    except TokenError:
        return None
    return access if str(access.get(jwt_settings.USER_ID_CLAIM)) == str(user_id) else None


def auth_logout(*, refresh: str, everywhere: bool = False, access: str | None = None) -> None:
    """End a session: its refresh token is spent and its access tokens stop working.

    ``access``: an access token presented with the logout (Authorization header); it is
    refused from now on too when it belongs to the same user. ``everywhere``: every refresh
    token of the user is blacklisted and every access token issued until now refused.
    The access-token deny list (accounts.tokens) is written after the database commit.
    """
    with transaction.atomic():
        token = _decode_refresh(refresh)
        _spend(token)
        user_id = token.get(jwt_settings.USER_ID_CLAIM)
        user = User.objects.filter(pk=user_id).first() if everywhere else None
        if user is not None:
            revoke_user_tokens(user=user)
    tokens.revoke_session(tokens.session_id(token))
    if (presented := _same_user_access_token(access, user_id)) is not None:
        tokens.revoke_access_token(presented)
    if everywhere:
        tokens.revoke_user_tokens_before_now(user_id)


def revoke_user_tokens(*, user: User) -> int:
    """Blacklist every outstanding, unexpired refresh token of the user. Returns how many."""
    pending = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=t) for t in pending]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def user_unlock_login(*, actor: User, user: User) -> int:
    """Lift the login lockout of an account before its cool-off ends. Returns the failed
    attempts forgotten.

    Admins unlock anyone; managers the staff of their own store (zhilian.roles). Only the
    account's count is cleared: a locked address stays locked until its cool-off ends.
    """
    if not roles.can_on_object(actor, roles.UNLOCK_LOGIN, user):
        raise Forbidden(_("You may not unlock this account."))
    with transaction.atomic():
        forgotten = axes.utils.reset(username=lockout.account_key(user))
        audit_record(actor=actor, instance=user, event="user.unlock_login", forgotten=forgotten)
    return forgotten
