"""Demo logins: the chain admin, each store's manager### and staff###, an area manager per region
of the seeded stores (area_east, area_north, …) and finance (get-or-create)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User
from accounts.usernames import clean_username
from stores.models import Employee, Region, Store
from zhilian.roles import Role
from zhilian.seed import catalog as cat
from zhilian.seed.plan import StorePlan

USER_NAMESPACE = uuid.UUID("6f1c8c1e-52a4-4d47-9a4b-5a8f3d2f7e10")


@dataclass
class Login:
    username: str
    password: str | None  # None: the account existed; its password was left as it was
    role: str
    store_id: str | None
    # Where a login without a store works: an area manager's regions, "chain" for finance.
    scope: str | None = None


def user_uuid(username: str) -> uuid.UUID:
    return uuid.uuid5(USER_NAMESPACE, username)


def demo_email(username: str) -> str:
    return f"{username}@{cat.DEMO_EMAIL_DOMAIN}"


def ensure_admin(*, password: str, password_hash: Callable[[], str]) -> Login:
    if User.objects.filter(username="admin").exists():
        return Login("admin", None, Role.ADMIN, None)
    User.objects.create(
        id=user_uuid("admin"),
        username=clean_username("admin"),
        email=demo_email("admin"),
        full_name="总部管理员 Chain Admin",
        role=Role.ADMIN,
        password=password_hash(),
    )
    return Login("admin", password, Role.ADMIN, None)


def ensure_store_users(
    store_id: str,
    *,
    password: str,
    password_hash: Callable[[], str],
    logins: list[Login],
    plan: StorePlan | None = None,
) -> dict[str, User]:
    """manager### and staff### for the store (get-or-create), linked to its manager and a waiter.

    Appends a Login per account to `logins`; with a `plan` (a store being seeded) the accounts are
    linked to the plan's employees before they are written."""
    number = store_id[len("STORE") :]
    # Bulk-created without full_clean, so the usernames go through the one rule here.
    wanted = {clean_username(f"manager{number}"): Role.MANAGER, clean_username(f"staff{number}"): Role.STAFF}
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    created = []
    for username, role in wanted.items():
        if username in users:
            logins.append(Login(username, None, role, store_id))
            continue
        employee = None
        if plan is not None:
            position = "manager" if role == Role.MANAGER else "waiter"
            employee = next(e for e in plan.employees if e["position"] == position)
        user = User(
            id=user_uuid(username),
            username=username,
            email=demo_email(username),
            full_name=employee["name"] if employee else username,
            phone=employee["phone"] if employee else "",
            role=role,
            store_id=store_id,
            password=password_hash(),
        )
        created.append(user)
        users[username] = user
        if employee is not None:
            employee["user_id"] = user.id
            employee["email"] = user.email
        logins.append(Login(username, password, role, store_id))
    if created:
        User.objects.bulk_create(created)
        if plan is None:
            _relink(store_id, created)
            manager = users[f"manager{number}"]
            Store.objects.filter(pk=store_id, manager__isnull=True).update(manager=manager)
    return users


def _relink(store_id: str, created: list[User]) -> None:
    """An existing store whose demo login was removed: relink it where the slot is free."""
    for user in created:
        position = "manager" if user.role == Role.MANAGER else "waiter"
        employee = (
            Employee.objects.filter(store_id=store_id, position=position, user__isnull=True).order_by("pk").first()
        )
        if employee is not None and not Employee.objects.filter(user=user).exists():
            employee.user = user
            employee.save(update_fields=["user", "updated_at"])


def ensure_hq_users(store_ids: list[str], *, password: str, password_hash: Callable[[], str]) -> list[Login]:
    """area_<region> for each region of the seeded stores (its area manager: east-china ->
    area_east) and `finance` (reads the chain), get-or-create; an existing area manager keeps
    their regions and is given their own region back if it was taken away."""
    regions = Region.objects.filter(stores__pk__in=store_ids).distinct().order_by("code")
    wanted = [(clean_username(f"area_{region.code.split('-')[0]}"), Role.AREA_MANAGER, region) for region in regions]
    wanted.append((clean_username("finance"), Role.FINANCE, None))
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    logins = []
    for username, role, region in wanted:
        user = existing.get(username)
        made = user is None
        if made:
            user = User.objects.create(
                id=user_uuid(username),
                username=username,
                email=demo_email(username),
                full_name=f"{region.name} 区域经理" if region else "财务 Finance",
                role=role,
                password=password_hash(),
            )
        if region is not None and user.role == Role.AREA_MANAGER:
            user.managed_regions.add(region)
        scope = region.code if region is not None else "chain"
        logins.append(Login(username, password if made else None, role, None, scope))
    return logins
