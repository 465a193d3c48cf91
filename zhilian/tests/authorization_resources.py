"""The authorization matrix's data for the CRUD endpoints: a literal copy of the role table of
docs/architecture.md ("Roles"), the resources with how to make an object of each, and the
expected status per endpoint × operation × actor. The tests are in test_authorization_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

# The resource suites come in as modules: a Test* class imported by name would be collected (and
# run) here a second time.
from accounts.tests import test_users_api as users_api
from attendance.tests import test_api as attendance_api
from inventory.tests import test_api_counts as stock_counts_api
from inventory.tests import test_api_items as inventory_items_api
from inventory.tests import test_api_ledger as inventory_ledger_api
from kpis.tests import test_api as kpis_api
from menu.tests import test_api as menu_api
from notifications.tests.factories import NotificationFactory
from orders.tests import test_api_resources as orders_api
from reservations.tests import test_api as reservations_api
from scheduling.tests import exchange_resources
from scheduling.tests import test_api as scheduling_api
from scheduling.tests import test_leave_api as leave_api
from stores.tests import test_api as stores_api
from stores.tests import test_regions_api as regions_api

# The HQ roles: `area_manager` runs the region of STORE001, `other_area_manager` the region of
# STORE002 (test_authorization_matrix.py's `actors`), `finance` reads the chain.
ACTORS = (
    "anonymous",
    "admin",
    "manager",
    "staff",
    "other_manager",
    "other_staff",
    "area_manager",
    "other_area_manager",
    "finance",
)
ROLE = {
    "admin": "admin",
    "manager": "manager",
    "staff": "staff",
    "other_manager": "manager",
    "other_staff": "staff",
    "area_manager": "area_manager",
    "other_area_manager": "area_manager",
    "finance": "finance",
}
HOME = {
    "admin": None,
    "manager": "STORE001",
    "staff": "STORE001",
    "other_manager": "STORE002",
    "other_staff": "STORE002",
    "area_manager": "STORE001",
    "other_area_manager": "STORE002",
    "finance": None,
}
# Whose view of the rows an HQ actor has: an area manager sees what the manager of a store of
# their region sees (every store of it), finance what an admin sees (their own inbox aside).
SEES_AS = {"area_manager": "manager", "other_area_manager": "other_manager", "finance": "admin"}

# docs/architecture.md ("Roles") per endpoint, letter per operation: L list, R retrieve, C create,
# U update, D delete.
_A, _F = "area_manager", "finance"
ROLE_TABLE = {
    "users": {"admin": "LRCUD", "manager": "LRCU", "staff": "LRU", _A: "LRCU", _F: "LR"},
    "regions": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    "stores": {"admin": "LRCUD", "manager": "LRU", "staff": "LR", _A: "LRU", _F: "LR"},
    "tables": {"admin": "LRCUD", "manager": "LRCU", "staff": "LR", _A: "LRCU", _F: "LR"},
    "employees": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR", _A: "LRCUD", _F: "LR"},
    "orders": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LRC", _A: "LRCUD", _F: "LR"},
    "order-items": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LRC", _A: "LRCUD", _F: "LR"},
    "inventory-items": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR", _A: "LRCUD", _F: "LR"},
    "inventory-transactions": {"admin": "LRC", "manager": "LRC", "staff": "LRC", _A: "LRC", _F: "LR"},
    "stock-counts": {"admin": "LRCU", "manager": "LRCU", "staff": "LR", _A: "LRCU", _F: "LR"},
    "schedules": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR", _A: "LRCUD", _F: "LR"},
    "shifts": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR", _A: "LRCUD", _F: "LR"},
    "reservations": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LRC", _A: "LRCUD", _F: "LR"},
    "kpis": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    "menu-categories": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    "dishes": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    "dish-modifiers": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    "recipe-lines": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    "store-dish-overrides": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR", _A: "LRCUD", _F: "LR"},
    "kpis/records": {"admin": "LR", "manager": "LR", "staff": "", _A: "LR", _F: "LR"},
    "time-entries": {"admin": "LRCU", "manager": "LRCU", "staff": "LR", _A: "LRCU", _F: "LR"},
    "timesheets": {"admin": "LRC", "manager": "LRC", "staff": "LR", _A: "LRC", _F: "LR"},
    "public-holidays": {"admin": "LRCUD", "manager": "LR", "staff": "LR", _A: "LR", _F: "LR"},
    # Everyone's own inbox: reading, marking read and dismissing are not business writes.
    "notifications": {"admin": "LRUD", "manager": "LRUD", "staff": "LRUD", _A: "LRUD", _F: "LRUD"},
    "leave-requests": {"admin": "LRC", "manager": "LRC", "staff": "LRC", _A: "LRC", _F: "LR"},
    "availability": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR", _A: "LRCUD", _F: "LR"},
    "open-shifts": {"admin": "LRC", "manager": "LRC", "staff": "LR", _A: "LRC", _F: "LR"},
    "shift-swaps": {"admin": "LRC", "manager": "LRC", "staff": "LRC", _A: "LRC", _F: "LR"},
}


@dataclass
class Resource:
    name: str
    suite: type | None = None
    # Operations the endpoint does not offer at all (405 for every signed-in actor).
    absent: str = ""
    # Create payload names the store explicitly (so another store's actor is refused with 400).
    store_in_payload: bool = True
    # Who sees the object made for the case, beyond "admin, or same store".
    visible_to: frozenset[str] | None = None
    make_object: object = None
    extra: dict = field(default_factory=dict)
    # Rows addressed to one person (notifications): seen by that person only, whatever the role.
    personal: bool = False

    def make(self, actors):
        if self.make_object is not None:
            return self.make_object(actors)
        return self.suite().make(actors.store)

    def payload(self, actors):
        body = dict(self.suite().create_payload(actors))
        if self.store_in_payload:
            body["store"] = actors.store.pk
        return body

    def update(self, obj):
        return self.suite().update_payload(obj)


def _staff_user_of_store(actors):
    return users_api.TestUserResource().make(actors.store)


def _open_count(actors):
    from inventory.models import StockCount
    from inventory.services import stock_count_open

    # The store's open count (one per store): the same for every page that needs one.
    existing = StockCount.objects.filter(store=actors.store, status=StockCount.Status.OPEN).first()
    return existing or stock_count_open(store=actors.store, user=actors.manager)


def _notification_for_manager(actors):
    return NotificationFactory(recipient=actors.manager)


RESOURCES = [
    Resource(
        "users",
        users_api.TestUserResource,
        make_object=_staff_user_of_store,
        visible_to=frozenset({"admin", "manager"}),
    ),
    # The chain's map: everyone reads it, admins draw it.
    Resource(
        "regions",
        regions_api.TestRegionResource,
        store_in_payload=False,
        visible_to=frozenset(ACTORS[1:]),
        make_object=lambda actors: regions_api.TestRegionResource().make(None),
    ),
    Resource("stores", stores_api.TestStoreResource, make_object=lambda actors: actors.store, store_in_payload=False),
    Resource("tables", stores_api.TestTableResource),
    Resource("employees", stores_api.TestEmployeeResource),
    Resource("orders", orders_api.TestOrderResource),
    Resource("order-items", orders_api.TestOrderItemResource, store_in_payload=False),
    Resource("inventory-items", inventory_items_api.TestInventoryItemAPI),
    Resource(
        "inventory-transactions", inventory_ledger_api.TestInventoryTransactionAPI, absent="UD", store_in_payload=False
    ),
    # Counts are history: never deleted. The one made for the case is open (an update changes it).
    Resource("stock-counts", stock_counts_api.TestStockCountAPI, absent="D", make_object=_open_count),
    # The schedule made for the case is unpublished: staff do not see drafts.
    Resource("schedules", scheduling_api.TestScheduleResource, visible_to=frozenset({"admin", "manager"})),
    Resource(
        "shifts", scheduling_api.TestShiftResource, store_in_payload=False, visible_to=frozenset({"admin", "manager"})
    ),
    Resource("reservations", reservations_api.TestReservationResource),
    Resource(
        "kpis",
        kpis_api.TestKPIDefinitionsAPI,
        store_in_payload=False,
        visible_to=frozenset({"admin", "manager", "staff", "other_manager", "other_staff"}),
    ),
    Resource("kpis/records", kpis_api.TestKPIRecordsAPI, absent="CUD"),
    # The chain menu: everyone reads it, only admins write it (chain-wide rows: no store).
    *(
        Resource(name, suite, store_in_payload=False, visible_to=frozenset(ACTORS[1:]))
        for name, suite in (
            ("menu-categories", menu_api.TestMenuCategoryResource),
            ("dishes", menu_api.TestDishResource),
            ("dish-modifiers", menu_api.TestDishModifierResource),
            ("recipe-lines", menu_api.TestRecipeLineResource),
        )
    ),
    Resource("store-dish-overrides", menu_api.TestStoreDishOverrideResource),
    # Staff see their own entries and timesheets only; the objects made here are a colleague's.
    Resource(
        "time-entries",
        attendance_api.TestTimeEntryResource,
        absent="D",
        store_in_payload=False,
        visible_to=frozenset({"admin", "manager"}),
    ),
    Resource(
        "timesheets",
        attendance_api.TestTimesheetResource,
        absent="UD",
        store_in_payload=False,
        visible_to=frozenset({"admin", "manager"}),
    ),
    Resource(
        "public-holidays",
        attendance_api.TestPublicHolidayResource,
        store_in_payload=False,
        visible_to=frozenset(ACTORS[1:]),
    ),
    Resource(
        "notifications",
        None,
        absent="CU",
        make_object=_notification_for_manager,
        visible_to=frozenset({"manager"}),
        personal=True,
    ),
    # Staff see their own leave and availability only; the objects made here are a colleague's.
    # A request is never edited or deleted (it moves by its actions).
    Resource(
        "leave-requests",
        leave_api.TestLeaveRequestResource,
        absent="UD",
        store_in_payload=False,
        visible_to=frozenset({"admin", "manager"}),
    ),
    Resource(
        "availability",
        leave_api.TestAvailabilityResource,
        store_in_payload=False,
        visible_to=frozenset({"admin", "manager"}),
    ),
    # Open shifts and swap requests change only through their actions (authorization_actions.py).
    Resource("open-shifts", exchange_resources.OpenShiftResource, absent="UD", store_in_payload=False),
    Resource("shift-swaps", exchange_resources.ShiftSwapResource, absent="UD", store_in_payload=False),
]

OPERATIONS = {
    "L": ("get", False),
    "R": ("get", True),
    "C": ("post", False),
    "U": ("patch", True),
    "P": ("put", True),
    "D": ("delete", True),
}


def expected_status(resource: Resource, op: str, actor: str) -> set[int]:
    letter = "U" if op == "P" else op
    if letter in resource.absent:
        return {405}
    if actor == "anonymous":
        return {401}
    if letter not in ROLE_TABLE[resource.name][ROLE[actor]]:
        return {403}
    if op == "L":
        return {200}
    if op == "C":
        chain_wide = (
            resource.name == "kpis"
            or resource.store_in_payload is False
            and resource.visible_to == frozenset(ACTORS[1:])
        )
        return {201} if HOME[actor] in (None, "STORE001") or chain_wide else {400}
    seen_as = actor if resource.personal else SEES_AS.get(actor, actor)
    sees = seen_as in resource.visible_to if resource.visible_to is not None else HOME[actor] in (None, "STORE001")
    if not sees:
        return {404}
    # A PUT with a partial body may be refused as incomplete; the permission outcome is what counts.
    return {"R": {200}, "U": {200}, "P": {200, 400}, "D": {204, 409}}[op]


def client_as(actors, actor: str) -> APIClient:
    client = APIClient()
    if actor != "anonymous":
        user = getattr(actors, actor)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client
