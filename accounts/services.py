"""Accounts: logging in and out, token refresh, passwords, and creating and editing users.

Who may grant which role or touch which account is decided by zhilian.roles; this module applies
it. Token state lives in simplejwt's blacklist tables (PostgreSQL in production), so every web
worker agrees on which refresh tokens are spent.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User
from stores.models import Store
from zhilian import roles
from zhilian.errors import DomainError, Forbidden, InvalidInput
from zhilian.roles import Role


class AuthenticationError(DomainError):
    """Credentials or a token were refused (HTTP 401); the API adds WWW-Authenticate."""

    status_code = 401
    default_code = "authentication_failed"


class LoginThrottled(DomainError):
    """Too many failed logins for this account or address (HTTP 429, Retry-After)."""

    status_code = 429
    default_code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


# --- login throttling ----------------------------------------------------------------------
# Only FAILED attempts count. Limits come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]:
#   "login_username": failures allowed per account (or unknown login name) per period
#                     (env LOGIN_THROTTLE_USERNAME, default "5/min");
#   "login_ip":       failures allowed per client address per period
#                     (env LOGIN_THROTTLE_IP, default "20/min").
# Counters live in the Django cache (Redis in production, so every worker shares them) in fixed
# windows: cache.add + cache.incr are atomic there, and the window end gives Retry-After.

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_rate(rate: str | None) -> tuple[int, int] | None:
    if not rate:
        return None
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def _throttle_scopes(*, login: str, ip: str | None, user: User | None) -> list[tuple[str, int, int]]:
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    # An account is one bucket however it is named (username or email), so switching between
    # the two does not double the attempts.
    subject = f"user:{user.pk}" if user is not None else f"name:{login.strip().lower()}"
    scopes = []
    for scope, ident in (("login_username", subject), ("login_ip", ip)):
        parsed = _parse_rate(rates.get(scope))
        if parsed is None or not ident:
            continue
        limit, period = parsed
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        scopes.append((f"zh-login:{scope}:{digest}", limit, period))
    return scopes


def _window(period: int) -> tuple[int, int]:
    now = time.time()
    return int(now // period), max(1, math.ceil(period - now % period))


def _check_login_throttle(scopes: list[tuple[str, int, int]]) -> None:
    waits = []
    for key, limit, period in scopes:
        window, retry_after = _window(period)
        if (cache.get(f"{key}:{window}") or 0) >= limit:
            waits.append(retry_after)
    if waits:
        raise LoginThrottled(_("Too many failed login attempts; try again later."), retry_after=max(waits))


def _record_login_failure(scopes: list[tuple[str, int, int]]) -> None:
    for key, _limit, period in scopes:
        window, _retry = _window(period)
        window_key = f"{key}:{window}"
        cache.add(window_key, 0, timeout=period + 1)
        try:
            cache.incr(window_key)
        except ValueError:  # expired between add and incr
            cache.add(window_key, 1, timeout=period + 1)


def _clear_account_failures(scopes: list[tuple[str, int, int]]) -> None:
    # A successful login clears the account's counter, not the address's (a shared NAT
    # address must not be able to reset an attacker's budget by logging in elsewhere).
    for key, _limit, period in scopes:
        if ":login_username:" in key:
            cache.delete(f"{key}:{_window(period)[0]}")


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


def _issue_tokens(user: User) -> TokenPair:
    # RefreshToken.for_user records the token as outstanding and, with CHECK_REVOKE_TOKEN, puts
    # a hash of the password hash in it: a later password change invalidates every such token.
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _find_login_user(login: str) -> User | None:
    candidates = list(User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))[:3])
    # A username that happens to look like someone else's email wins over that email.
    for user in candidates:
        if user.username.lower() == login.lower():
            return user
    return candidates[0] if candidates else None


def auth_login(*, login: str, password: str, ip: str | None = None, request=None) -> tuple[User, TokenPair]:
    """Check credentials (username or email) and issue a token pair.

    Raises LoginThrottled before looking at the password once this account or address has
    failed too often, AuthenticationError for wrong credentials (code ``invalid_credentials``)
    or an inactive account (code ``account_inactive``, only said when the password is right).
    """
    login = (login or "").strip()
    user = _find_login_user(login) if login else None
    scopes = _throttle_scopes(login=login, ip=ip, user=user)
    _check_login_throttle(scopes)

    if user is None:
        User().set_password(password)  # the same hashing work as a real check: no timing oracle
        ok = False
    else:
        ok = user.check_password(password)
    if not ok or not user.is_active:
        _record_login_failure(scopes)
        user_login_failed.send(sender=__name__, credentials={"username": login}, request=request)
        if ok:
            raise AuthenticationError(_("This account is inactive."), code="account_inactive")
        raise AuthenticationError(_("No active account found with the given credentials."), code="invalid_credentials")

    _clear_account_failures(scopes)
    tokens = _issue_tokens(user)
    if jwt_settings.UPDATE_LAST_LOGIN:
        update_last_login(None, user)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user, tokens


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
    """Rotate a refresh token: the presented one is spent, a new pair is issued.

    Presenting a spent token again is refused (401), as is a token of an inactive user or one
    issued before the user's last password change.
    """
    token = _decode_refresh(refresh)
    user = _token_user(token)
    _spend(token)
    return user, _issue_tokens(user)


@transaction.atomic
def auth_logout(*, refresh: str, everywhere: bool = False) -> None:
    """Blacklist the refresh token (and with `everywhere`, every token of its user)."""
    token = _decode_refresh(refresh)
    _spend(token)
    if everywhere:
        user_id = token.get(jwt_settings.USER_ID_CLAIM)
        user = User.objects.filter(pk=user_id).first()
        if user is not None:
            revoke_user_tokens(user=user)


def revoke_user_tokens(*, user: User) -> int:
    """Blacklist every outstanding, unexpired refresh token of the user. Returns how many."""
    pending = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=t) for t in pending]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- passwords -------------------------------------------------------------------------------


def _password_errors(password: str, user: User) -> list[str]:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> TokenPair:
    """Change one's own password. Every token issued before stops working; a new pair is returned."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password or ""):
        errors["old_password"] = [_("The current password is not correct.")]
    if new_password_errors := _password_errors(new_password, user):
        errors["new_password"] = new_password_errors
    if not errors and old_password == new_password:
        errors["new_password"] = [_("The new password must differ from the current one.")]
    if errors:
        raise InvalidInput(errors)
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(new_password)
    locked.save(update_fields=["password", "updated_at"])
    user.password = locked.password
    revoke_user_tokens(user=locked)
    return _issue_tokens(locked)


# --- users -------------------------------------------------------------------------------------

PROFILE_FIELDS = ("username", "email", "full_name", "phone")
CONTROL_FIELDS = ("role", "store", "is_active")


# Case-insensitive unique constraints report on the model, not a field; name the field.
_CONSTRAINT_FIELDS = {"username_taken": "username", "email_taken": "email"}


def _save_user(user: User, *, update_fields: list[str] | None = None) -> None:
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for field, field_errors in exc.error_dict.items():
            for error in field_errors:
                target = _CONSTRAINT_FIELDS.get(error.code, "non_field_errors" if field == "__all__" else field)
                errors.setdefault(target, []).extend(error.messages)
        raise InvalidInput(errors) from exc
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError as exc:
        # The unique constraints decide; only now look up which value collided, to name the field.
        taken = {}
        others = User.objects.exclude(pk=user.pk)
        if others.filter(username__iexact=user.username).exists():
            taken["username"] = [_("A user with that username already exists.")]
        if user.email and others.filter(email__iexact=user.email).exists():
            taken["email"] = [_("A user with that email already exists.")]
        raise InvalidInput(taken or {"non_field_errors": [_("The change conflicts with existing data.")]}) from exc


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    role: str = Role.STAFF,
    store: Store | None = None,
    is_active: bool = True,
) -> User:
    """Create an account.

    - An admin creates any account; a manager creates staff of their own store only.
    - Anonymous callers only when settings.ZHILIAN_OPEN_REGISTRATION is on: the account is
      staff, inactive (a manager activates it) and names its store.
    Role and store violations are 400 errors on those fields.
    """
    errors: dict[str, list[str]] = {}
    anonymous = actor is None or not actor.is_authenticated
    if anonymous:
        if not settings.ZHILIAN_OPEN_REGISTRATION:
            raise Forbidden(_("Registration is closed; ask a manager for an account."), code="registration_closed")
        if role != Role.STAFF:
            errors["role"] = [_("Self-registered accounts are staff.")]
        if store is None:
            errors["store"] = [_("Name the store you work at.")]
        if not password:
            errors["password"] = [_("This field is required.")]
        is_active = False
    else:
        if not roles.can(actor, roles.ADD, "accounts.user"):
            raise Forbidden(_("You may not create accounts."))
        if role not in roles.grantable_roles(actor):
            errors["role"] = [_("You may not grant the role %(role)s.") % {"role": role}]
        if not roles.is_admin(actor):
            store = store or actor.store
            if store is None or store.pk != actor.store_id:
                errors["store"] = [_("You may only create accounts for your own store.")]
        if role != Role.ADMIN and store is None:
            errors["store"] = [_("Managers and staff belong to a store.")]
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        full_name=full_name,
        phone=phone,
        role=role,
        store=store,
        is_active=is_active,
    )
    if password and (password_errors := _password_errors(password, user)):
        errors["password"] = password_errors
    if errors:
        raise InvalidInput(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()  # an admin-made account without a password: set one later
    _save_user(user)
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **changes: Any) -> User:
    """Edit an account within the actor's rights.

    Profile fields (username, email, full name, phone) of oneself or of an account the actor
    may change. Role, store and active flag: never one's own unless admin; a manager sets them
    on staff of the own store only and grants only grantable roles. A password set here (by
    someone else) is a reset; one's own password changes through user_change_password.
    """
    if not roles.can_on_object(actor, roles.CHANGE, user):
        raise Forbidden(_("You may not edit this account."))
    errors: dict[str, list[str]] = {}
    is_self = actor.pk == user.pk
    admin = roles.is_admin(actor)
    control = {f: changes[f] for f in CONTROL_FIELDS if f in changes}
    if is_self and not admin:
        for field, value in control.items():
            current = user.store if field == "store" else getattr(user, field)
            if value != current:
                errors[field] = [_("You cannot change your own %(field)s.") % {"field": field}]
    elif not admin:
        if "role" in control and control["role"] not in roles.grantable_roles(actor):
            errors["role"] = [_("You may not grant the role %(role)s.") % {"role": control["role"]}]
        if "store" in control and (control["store"] is None or control["store"].pk != actor.store_id):
            errors["store"] = [_("You may only assign your own store.")]
    if admin and is_self:
        # An admin cannot lock themselves out (another admin can do it).
        if control.get("role", user.role) != Role.ADMIN:
            errors["role"] = [_("You cannot take the admin role from yourself.")]
        if control.get("is_active", True) is False:
            errors["is_active"] = [_("You cannot deactivate yourself.")]

    password = changes.get("password")
    if password:
        if is_self:
            errors["password"] = [_("Change your own password with /api/v1/auth/password/change/.")]
        elif password_errors := _password_errors(password, user):
            errors["password"] = password_errors
    if errors:
        raise InvalidInput(errors)

    locked = User.objects.select_for_update().get(pk=user.pk)
    fields = []
    for field in (*PROFILE_FIELDS, *CONTROL_FIELDS):
        if field in changes:
            value = changes[field]
            if field == "email":
                value = User.objects.normalize_email(value)
            setattr(locked, field, value)
            fields.append(field)
    if password:
        locked.set_password(password)
        fields.append("password")
    if not fields:
        return locked
    fields.append("updated_at")
    _save_user(locked, update_fields=[("store" if f == "store" else f) for f in fields])
    if password or changes.get("is_active") is False:
        revoke_user_tokens(user=locked)
    return locked
