"""Who may do what: the role matrix (docs/architecture.md, "Roles"), the one place that says it.

The API permission class, the Django admin (through ``User.has_perm``) and the object-level
rules all read this module. Store visibility (which rows a user sees at all) is the other half
and lives in ``StoreScopedQuerySet.for_user``; this module decides it for admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")
    # HQ roles without a store of their own: an area manager (区域经理) runs the stores of their
    # regions with a manager's rights; finance (财务) reads the whole chain and changes nothing.
    AREA_MANAGER = "area_manager", _("Area manager")
    FINANCE = "finance", _("Finance")


VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
# Lift an account's login lockout early (accounts.services.user_unlock_login).
UNLOCK_LOGIN = "unlock_login"
# Sell a menu dish at another price than the store's menu (orders from dish codes, menu.services).
OVERRIDE_PRICE = "override_price"
# Mark a dish sold out (估清) in a store for a day.
SOLD_OUT = "sold_out"
# Stock counts: enter counted quantities on an open sheet; close a count into the ledger.
COUNT_RECORD = "record"
COUNT_CLOSE = "close"
# Read the menu engineering report of a store (sales, recipe costs and margins per dish).
MENU_ENGINEERING = "menu_engineering"
# Import rows from a CSV/XLSX file in the admin (zhilian/admin/imports.py); exporting needs VIEW only.
IMPORT = "import"
CRUD = frozenset({VIEW, ADD, CHANGE, DELETE})
READ = frozenset({VIEW})

ADMIN, MANAGER, STAFF = Role.ADMIN, Role.MANAGER, Role.STAFF
AREA_MANAGER, FINANCE = Role.AREA_MANAGER, Role.FINANCE

# Ledger rows are written per type; `record_<type>` names what a role may record.
LEDGER_ALL = frozenset(
    {VIEW, "record_purchase", "record_usage", "record_waste", "record_adjustment", "record_transfer"}
)

# resource (app_label.model_name) -> role -> actions
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "accounts.user": {
        ADMIN: CRUD | {"set_role", UNLOCK_LOGIN},
        MANAGER: frozenset({VIEW, ADD, CHANGE, UNLOCK_LOGIN}),
        STAFF: frozenset({VIEW, CHANGE}),
    },
    # Regions group stores (华东, 华南, …); HQ draws them.
    "stores.region": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    "stores.store": {ADMIN: CRUD, MANAGER: frozenset({VIEW, CHANGE}), STAFF: READ},
    "stores.table": {ADMIN: CRUD | {IMPORT}, MANAGER: frozenset({VIEW, ADD, CHANGE, IMPORT}), STAFF: READ},
    "stores.employee": {ADMIN: CRUD | {IMPORT}, MANAGER: CRUD | {IMPORT}, STAFF: READ},
    # override_price: sell a menu dish at another price than the store's menu says.
    "orders.order": {
        ADMIN: CRUD | {"transition", OVERRIDE_PRICE},
        MANAGER: CRUD | {"transition", OVERRIDE_PRICE},
        STAFF: frozenset({VIEW, ADD, "transition"}),
    },
    "orders.orderitem": {ADMIN: CRUD, MANAGER: CRUD, STAFF: frozenset({VIEW, ADD})},
    "inventory.inventoryitem": {ADMIN: CRUD | {IMPORT}, MANAGER: CRUD | {IMPORT}, STAFF: READ},
    # Stock counts (盘点): managers open (add) and close them; staff record counted quantities
    # (record) on an open sheet. A count is never deleted: it is history.
    "inventory.stockcount": {
        ADMIN: frozenset({VIEW, ADD, CHANGE, COUNT_RECORD, COUNT_CLOSE}),
        MANAGER: frozenset({VIEW, ADD, CHANGE, COUNT_RECORD, COUNT_CLOSE}),
        STAFF: frozenset({VIEW, COUNT_RECORD}),
    },
    "inventory.stockcountline": {
        ADMIN: frozenset({VIEW, CHANGE}),
        MANAGER: frozenset({VIEW, CHANGE}),
        STAFF: frozenset({VIEW, CHANGE}),
    },
    "inventory.inventorytransaction": {
        ADMIN: LEDGER_ALL | {ADD},
        MANAGER: LEDGER_ALL | {ADD},
        STAFF: frozenset({VIEW, ADD, "record_usage", "record_waste"}),
    },
    # budget: the labor budget of a schedule's week (sales forecast, labor cost and %): managers'.
    "scheduling.schedule": {
        ADMIN: CRUD | {"generate", "publish", "budget"},
        MANAGER: CRUD | {"generate", "publish", "budget"},
        STAFF: READ,
    },
    "scheduling.shift": {
        ADMIN: CRUD | {"confirm"},
        MANAGER: CRUD | {"confirm"},
        STAFF: frozenset({VIEW, "confirm"}),
    },
    # Time off (scheduling.services.leave): staff ask for their own leave and cancel it while it is
    # pending (they see only their own); managers ask for anyone of the store, decide, cancel.
    "scheduling.leaverequest": {
        ADMIN: CRUD | {"decide", "cancel"},
        MANAGER: CRUD | {"decide", "cancel"},
        STAFF: frozenset({VIEW, ADD, "cancel"}),
    },
    # When each employee can work per weekday (staff read their own).
    "scheduling.availability": {ADMIN: CRUD, MANAGER: CRUD, STAFF: READ},
    # Open shifts: managers post, approve or reject claims and cancel; staff claim (first wins).
    "scheduling.openshift": {
        ADMIN: frozenset({VIEW, ADD, "claim", "approve", "reject", "cancel"}),
        MANAGER: frozenset({VIEW, ADD, "claim", "approve", "reject", "cancel"}),
        STAFF: frozenset({VIEW, "claim"}),
    },
    # Swaps and drops: staff offer their own shifts (add), accept a colleague's, withdraw their own
    # offer (cancel); managers approve or reject.
    "scheduling.shiftswaprequest": {
        ADMIN: frozenset({VIEW, ADD, "accept", "approve", "reject", "cancel"}),
        MANAGER: frozenset({VIEW, ADD, "accept", "approve", "reject", "cancel"}),
        STAFF: frozenset({VIEW, ADD, "accept", "cancel"}),
    },
    "reservations.reservation": {
        ADMIN: CRUD | {"transition"},
        MANAGER: CRUD | {"transition"},
        STAFF: frozenset({VIEW, ADD, "transition"}),
    },
    # The chain menu is HQ's (admins); a store's overrides and 估清 (sold_out) its manager's.
    "menu.menucategory": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    # menu_engineering: the margins report of a store's dishes (managers: their own store).
    "menu.dish": {ADMIN: CRUD | {MENU_ENGINEERING, IMPORT}, MANAGER: READ | {MENU_ENGINEERING}, STAFF: READ},
    "menu.dishmodifier": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    "menu.recipeline": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    "menu.setmealcomponent": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    "menu.storedishoverride": {
        ADMIN: CRUD | {SOLD_OUT, IMPORT},
        MANAGER: CRUD | {SOLD_OUT, IMPORT},
        STAFF: READ,
    },
    # Attendance: staff punch for themselves (punch) and read their own entries and timesheets;
    # managers punch for anyone of their store (punch_for_others, with a reason), correct entries
    # (add, change), and approve and export the weekly timesheets.
    "attendance.timeentry": {
        ADMIN: frozenset({VIEW, ADD, CHANGE, "punch", "punch_for_others", "actuals"}),
        MANAGER: frozenset({VIEW, ADD, CHANGE, "punch", "punch_for_others", "actuals"}),
        STAFF: frozenset({VIEW, "punch"}),
    },
    "attendance.breakperiod": {ADMIN: READ, MANAGER: READ, STAFF: READ},
    "attendance.timesheet": {
        ADMIN: frozenset({VIEW, ADD, "approve", "export"}),
        MANAGER: frozenset({VIEW, ADD, "approve", "export"}),
        STAFF: READ,
    },
    "attendance.publicholiday": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    "kpis.kpi": {ADMIN: CRUD, MANAGER: READ, STAFF: READ},
    "kpis.kpirecord": {
        ADMIN: CRUD | {"compute", "dashboard"},
        MANAGER: frozenset({VIEW, "compute", "dashboard"}),
        STAFF: frozenset({"dashboard"}),
    },
    "notifications.notification": {
        ADMIN: frozenset({VIEW, CHANGE, DELETE}),
        MANAGER: frozenset({VIEW, CHANGE, DELETE}),
        STAFF: frozenset({VIEW, CHANGE, DELETE}),
    },
    # The walk-in waitlist (排队取号): a kiosk signs in as a staff account of its store to issue
    # numbers; everyone on the floor calls, seats, skips and cancels. Tickets are history: no delete.
    "waitlist.waitlistticket": {
        ADMIN: frozenset({VIEW, ADD, "transition"}),
        MANAGER: frozenset({VIEW, ADD, "transition"}),
        STAFF: frozenset({VIEW, ADD, "transition"}),
    },
    # simplejwt's token tables (admin pages read-only): admins audit issued/revoked tokens.
    "token_blacklist.outstandingtoken": {ADMIN: READ},
    "token_blacklist.blacklistedtoken": {ADMIN: READ},
    # django-axes' login lockout records (admin pages): admins audit failures; deleting an
    # attempt row lifts the lock it holds.
    "axes.accessattempt": {ADMIN: frozenset({VIEW, DELETE})},
    "axes.accessfailurelog": {ADMIN: READ},
    # The audit trail (zhilian.audit, django-auditlog's table): written by services only.
    "auditlog.logentry": {ADMIN: READ},
    # Celery beat's schedule (django-celery-beat's admin, zhilian/jobs.py): the chain's background
    # jobs and when they run are HQ's; managers do not see them.
    "django_celery_beat.periodictask": {ADMIN: CRUD},
    "django_celery_beat.crontabschedule": {ADMIN: CRUD},
    "django_celery_beat.intervalschedule": {ADMIN: CRUD},
    "django_celery_beat.solarschedule": {ADMIN: CRUD},
    "django_celery_beat.clockedschedule": {ADMIN: CRUD},
    # Digests (digests app): who reads store KPIs subscribes for themselves (admins for anyone);
    # the log of digests sent is the job's.
    "digests.digestsubscription": {ADMIN: CRUD, MANAGER: frozenset({VIEW, ADD, CHANGE})},
    "digests.digestlog": {ADMIN: READ, MANAGER: READ},
}

# The two HQ roles, derived from the table above so that it stays the one place to read:
# - an area manager has exactly a manager's rights (on the stores of their regions: scoping,
#   zhilian.models.store_scope);
# - finance has the read actions admins have (VIEW and the reports, exports and the dashboard),
#   never a write; not the security and job tables; their own notifications and digest
#   subscription like everyone.
FINANCE_READS = frozenset({VIEW, "actuals", "export", "budget", MENU_ENGINEERING, "dashboard"})
_HQ_ONLY_PREFIXES = ("token_blacklist.", "axes.", "auditlog.", "django_celery_beat.")
for _resource, _by_role in PERMISSIONS.items():
    if MANAGER in _by_role:
        _by_role[AREA_MANAGER] = _by_role[MANAGER]
    if _resource == "notifications.notification":
        _by_role[FINANCE] = _by_role[STAFF]  # their own inbox: read, mark read, dismiss
    elif _resource == "digests.digestsubscription":
        _by_role[FINANCE] = _by_role[MANAGER]  # their own digest subscription, like their inbox
    elif not _resource.startswith(_HQ_ONLY_PREFIXES):
        _by_role[FINANCE] = _by_role[ADMIN] & FINANCE_READS

# Roles that may enter the Django admin (finance: read-only, as the matrix says).
ADMIN_SITE_ROLES = frozenset({ADMIN, MANAGER, AREA_MANAGER, FINANCE})
# Roles that belong to no single store (HQ): they see several stores and pick one.
STORELESS_ROLES = frozenset({ADMIN, AREA_MANAGER, FINANCE})
# Roles whose rights are a manager's (one store, or the stores of their regions).
MANAGING_ROLES = frozenset({MANAGER, AREA_MANAGER})


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == ADMIN)


def sees_several_stores(user) -> bool:
    """Admins, area managers and finance: they name (or pick) the store; everyone else has one."""
    return bool(user and user.is_authenticated and user.is_active and user.role in STORELESS_ROLES)


def can(user: User, action: str, resource: str) -> bool:
    """May this user perform `action` on records of `resource` (at all, before scoping)?"""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return action in PERMISSIONS.get(resource, {}).get(user.role, frozenset())


def can_on_object(user: User, action: str, obj) -> bool:
    """Object-level rules that go beyond store scoping (which `for_user` already applied)."""
    resource = obj._meta.label_lower
    if not can(user, action, resource):
        return False
    if is_admin(user):
        return True
    if resource == "accounts.user" and action == UNLOCK_LOGIN:
        # Managers unlock the staff of their store (not themselves: whoever is guessing their
        # password would get new tries); area managers those of their regions' stores.
        return _manages_staff(user, obj)
    if resource == "accounts.user" and action in (CHANGE, DELETE):
        if obj.pk == user.pk:
            return True
        # Managers edit the staff of their store, never other managers or admins.
        return _manages_staff(user, obj)
    if resource == "scheduling.shift" and action == "confirm" and user.role == STAFF:
        return obj.employee.user_id == user.pk
    return True


def _manages_staff(user: User, obj) -> bool:
    from zhilian.models import in_store_scope

    if user.role not in MANAGING_ROLES or obj.role != STAFF or not obj.store_id:
        return False
    return in_store_scope(user, obj.store_id)


def grantable_roles(user: User) -> list[str]:
    """Roles this user may give to an account they create or edit."""
    if is_admin(user):
        return [r.value for r in Role]
    if user.role in MANAGING_ROLES:
        return [STAFF.value]
    return []


def may_enter_admin(user) -> bool:
    return bool(user and user.is_active and user.role in ADMIN_SITE_ROLES)


def has_module(user: User, app_label: str) -> bool:
    return any(
        can(user, VIEW, resource) or can(user, ADD, resource)
        for resource in PERMISSIONS
        if resource.split(".")[0] == app_label
    )
