"""Passwords, and creating and editing accounts within the actor's rights (zhilian.roles).

Every change records who made it in the audit trail, inside the change's transaction; a password
itself never reaches the trail, only that it was changed or reset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.auth import TokenPair, _issue_tokens, revoke_user_tokens
from stores.models import Region, Store
from zhilian import roles
from zhilian.audit import CREATE, audit_record
from zhilian.errors import Forbidden, InvalidInput
from zhilian.models import in_store_scope
from zhilian.roles import Role


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
    audit_record(actor=user, instance=locked, event="user.password_change")
    return _issue_tokens(locked)


# --- users -------------------------------------------------------------------------------------

PROFILE_FIELDS = ("username", "email", "full_name", "phone")
CONTROL_FIELDS = ("role", "store", "is_active")
HQ_ROLES = (Role.AREA_MANAGER, Role.FINANCE)


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
    managed_regions: Iterable[Region] | None = None,
) -> User:
    """Create an account: an admin any account (an area manager with their regions), a manager
    staff of their own store only, an area manager staff of their regions' stores.

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
        if store is None or not in_store_scope(actor, store.pk):
            errors["store"] = [_("You may only create accounts for your own store.")]
    if role in HQ_ROLES and store is not None:
        errors["store"] = [_("Area managers and finance belong to no single store.")]
    elif role not in roles.STORELESS_ROLES and store is None:
        errors["store"] = [_("Managers and staff belong to a store.")]
    if managed_regions and not roles.is_admin(actor):
        errors["managed_regions"] = [_("Only admins assign regions.")]
    elif managed_regions and role != Role.AREA_MANAGER:
        errors["managed_regions"] = [_("Only area managers have regions.")]
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
    regions = sorted(r.code for r in managed_regions or ())
    if managed_regions:
        user.managed_regions.set(managed_regions)
    audit_record(
        actor=actor,
        instance=user,
        event="user.create",
        action=CREATE,
        changes={
            "role": (None, user.role),
            "store": (None, user.store_id),
            "is_active": (None, user.is_active),
            **({"managed_regions": (None, regions)} if regions else {}),
        },
    )
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
        if "store" in control and (control["store"] is None or not in_store_scope(actor, control["store"].pk)):
            errors["store"] = [_("You may only assign your own store.")]
    regions = changes.get("managed_regions")
    if regions is not None and not admin:
        errors["managed_regions"] = [_("Only admins assign regions.")]
    elif regions and control.get("role", user.role) != Role.AREA_MANAGER:
        errors["managed_regions"] = [_("Only area managers have regions.")]
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
    # The store by id: reading `locked.store` would cost a query.
    before = {f: locked.store_id if f == "store" else getattr(locked, f) for f in (*PROFILE_FIELDS, *CONTROL_FIELDS)}
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
    region_change = _set_regions(locked, regions)
    if not fields and not region_change:
        return locked
    if fields:
        fields.append("updated_at")
        _save_user(locked, update_fields=[("store" if f == "store" else f) for f in fields])
    if locked.role != Role.AREA_MANAGER and before["role"] == Role.AREA_MANAGER and regions is None:
        # No longer an area manager: the regions go with the role.
        region_change = _set_regions(locked, []) or region_change
    if password or changes.get("is_active") is False:
        revoke_user_tokens(user=locked)
    after = {f: locked.store_id if f == "store" else getattr(locked, f) for f in before}
    audit_record(
        actor=actor,
        instance=locked,
        event="user.update",
        changes={
            **{f: (old, after[f]) for f, old in before.items() if old != after[f]},
            **({"managed_regions": region_change} if region_change else {}),
        },
        password_reset=bool(password),
    )
    return locked


def _set_regions(user: User, regions: Iterable[Region] | None) -> tuple[list[str], list[str]] | None:
    """Give an area manager exactly these regions; (before, after) codes when that changed."""
    if regions is None:
        return None
    before = sorted(user.managed_regions.values_list("code", flat=True))
    regions = list(regions)
    after = sorted(r.code for r in regions)
    if before == after:
        return None
    user.managed_regions.set(regions)
    return before, after


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
