"""Accounts: logging in and out, token refresh, passwords, and creating and editing users.

Who may grant which role or touch which account is decided by zhilian.roles; this module applies
it. Refresh-token state lives in simplejwt's blacklist tables (PostgreSQL in production), so every
web worker agrees on which refresh tokens are spent; access tokens that a logout ends are refused
through a short-lived deny list in the cache (accounts.tokens). Failed logins are counted and
locked out by django-axes on every door alike (accounts.lockout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import axes.utils
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
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
from stores.models import Store
from zhilian import roles
from zhilian.errors import DomainError, Forbidden, InvalidInput
from zhilian.roles import Role


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
        return axes.utils.reset(username=lockout.account_key(user))


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
    actor: User,
    username: str,
    email: str,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    role: str = Role.STAFF,
    store: Store | None = None,
    is_active: bool = True,
) -> User:
    """Create an account: an admin any account, a manager staff of their own store only.

    Role and store violations are 400 errors on those fields; so is a taken username or email
    (the actor is trusted with that). Anonymous sign-up is ``user_register``.
    """
    if actor is None or not roles.can(actor, roles.ADD, "accounts.user"):
        raise Forbidden(_("You may not create accounts."))
    errors: dict[str, list[str]] = {}
    if role not in roles.grantable_roles(actor):
        errors["role"] = [_("You may not grant the role %(role)s.") % {"role": role}]
    if not roles.is_admin(actor):
        store = store or actor.store
        if store is None or store.pk != actor.store_id:
            errors["store"] = [_("You may only create accounts for your own store.")]
    if role != Role.ADMIN and store is None:
        errors["store"] = [_("Managers and staff belong to a store.")]
    user = User(
        username=User.normalize_username(username),
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
            elif field == "username":
                value = User.normalize_username(value)
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


def user_register(
    *,
    username: str,
    email: str,
    password: str,
    full_name: str = "",
    phone: str = "",
    role: str = Role.STAFF,
    store: Store | None = None,
) -> User | None:
    """Anonymous sign-up, when settings.ZHILIAN_OPEN_REGISTRATION is on.

    The account is staff of the named store and inactive until a manager activates it. Whether
    the username or email is taken is never told: then nothing is created and None is returned,
    and the caller answers exactly as for a created account (the password is hashed either way).
    Input that is wrong whoever exists (role, store, password, username characters, email
    format) is InvalidInput, field by field.
    """
    if not settings.ZHILIAN_OPEN_REGISTRATION:
        raise Forbidden(_("Registration is closed; ask a manager for an account."), code="registration_closed")
    errors: dict[str, list[str]] = {}
    if role != Role.STAFF:
        errors["role"] = [_("Self-registered accounts are staff.")]
    if store is None:
        errors["store"] = [_("Name the store you work at.")]
    user = User(
        username=User.normalize_username(username),
        email=User.objects.normalize_email(email),
        full_name=full_name,
        phone=phone,
        role=Role.STAFF,
        store=store,
        is_active=False,
    )
    if password_errors := _password_errors(password or "", user):
        errors["password"] = password_errors
    try:
        # No uniqueness checks here: the database's constraints decide, silently, below.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, field_errors in exc.message_dict.items():
            errors.setdefault("non_field_errors" if field == "__all__" else field, []).extend(field_errors)
    if errors:
        raise InvalidInput(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return None
    return user
