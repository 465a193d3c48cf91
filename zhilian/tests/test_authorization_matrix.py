"""The authorization matrix of docs/architecture.md ("Roles"), generated over every endpoint × method × actor.

The expected outcome of each case is derived here from a literal copy of that table (not
from zhilian.roles, which it checks), plus the rule that another store's objects answer 404:

- a method the endpoint does not offer: 405, for everyone;
- anonymous: 401;
- an action the role lacks: 403 (the same for every object, so it reveals nothing);
- an object the actor may not see: 404; creating into a store the actor may not see: 400;
- otherwise success (a delete may answer 409 when history protects the row).

A last test asserts that every operation in the OpenAPI schema is covered by a case here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

# The resource suites come in as modules: a Test* class imported by name would be collected (and
# run) here a second time.
from accounts.tests import test_users_api as users_api
from inventory.tests import test_api_items as inventory_items_api
from inventory.tests import test_api_ledger as inventory_ledger_api
from inventory.tests.factories import InventoryItemFactory
from kpis.tests import test_api as kpis_api
from notifications.tests.factories import NotificationFactory
from orders.tests import test_api_resources as orders_api
from orders.tests.factories import OrderFactory
from reservations.tests import test_api as reservations_api
from scheduling.models import Schedule
from scheduling.tests import test_api as scheduling_api
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests import test_api as stores_api
from stores.tests.factories import EmployeeFactory, TableFactory

ACTORS = ("anonymous", "admin", "manager", "staff", "other_manager", "other_staff")
ROLE = {"admin": "admin", "manager": "manager", "staff": "staff", "other_manager": "manager", "other_staff": "staff"}
HOME = {
    "admin": None,
    "manager": "STORE001",
    "staff": "STORE001",
    "other_manager": "STORE002",
    "other_staff": "STORE002",
}

# docs/architecture.md ("Roles") per endpoint, letter per operation: L list, R retrieve, C create,
# U update, D delete.
ROLE_TABLE = {
    "users": {"admin": "LRCUD", "manager": "LRCU", "staff": "LRU"},
    "stores": {"admin": "LRCUD", "manager": "LRU", "staff": "LR"},
    "tables": {"admin": "LRCUD", "manager": "LRCU", "staff": "LR"},
    "employees": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR"},
    "orders": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LRC"},
    "order-items": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LRC"},
    "inventory-items": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR"},
    "inventory-transactions": {"admin": "LRC", "manager": "LRC", "staff": "LRC"},
    "schedules": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR"},
    "shifts": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LR"},
    "reservations": {"admin": "LRCUD", "manager": "LRCUD", "staff": "LRC"},
    "kpis": {"admin": "LRCUD", "manager": "LR", "staff": "LR"},
    "kpis/records": {"admin": "LR", "manager": "LR", "staff": ""},
    "notifications": {"admin": "LRUD", "manager": "LRUD", "staff": "LRUD"},
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


def _notification_for_manager(actors):
    return NotificationFactory(recipient=actors.manager)


RESOURCES = [
    Resource(
        "users",
        users_api.TestUserResource,
        make_object=_staff_user_of_store,
        visible_to=frozenset({"admin", "manager"}),
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
    Resource(
        "notifications", None, absent="CU", make_object=_notification_for_manager, visible_to=frozenset({"manager"})
    ),
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
        return {201} if HOME[actor] in (None, "STORE001") or resource.name == "kpis" else {400}
    sees = actor in resource.visible_to if resource.visible_to is not None else HOME[actor] in (None, "STORE001")
    if not sees:
        return {404}
    # A PUT with a partial body may be refused as incomplete; the permission outcome is what counts.
    return {"R": {200}, "U": {200}, "P": {200, 400}, "D": {204, 409}}[op]


def client_as(actors, actor: str) -> APIClient:
    client = APIClient()
    if actor != "anonymous":
        user = actors.admin if actor == "admin" else getattr(actors, actor)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


RESOURCE_CASES = [
    pytest.param(resource, op, actor, id=f"{resource.name}-{op}-{actor}")
    for resource in RESOURCES
    for op in OPERATIONS
    for actor in ACTORS
]


@pytest.mark.parametrize(("resource", "op", "actor"), RESOURCE_CASES)
def test_resource_matrix(resource, op, actor, actors):
    method, detail = OPERATIONS[op]
    base = f"/api/v1/{resource.name}/"
    obj = resource.make(actors) if detail else None
    url = f"{base}{obj.pk}/" if detail else base
    body = None
    if op == "C" and not resource.absent.count("C") and resource.suite is not None:
        body = resource.payload(actors)
    elif op in "UP" and "U" not in resource.absent and resource.suite is not None:
        body = resource.update(obj)
    response = getattr(client_as(actors, actor), method)(url, body, format="json")
    expected = expected_status(resource, op, actor)
    assert response.status_code in expected, (
        f"{method.upper()} {url} as {actor}: {response.status_code}, expected {sorted(expected)}: "
        f"{response.content[:300]!r}"
    )
    if response.status_code in (401, 403, 404, 405):
        assert "code" in response.json(), "errors keep a stable code"
    if response.status_code == 404 and obj is not None:
        # Nothing of the hidden object leaks in the answer.
        assert str(obj.pk) not in response.content.decode()


# --- domain actions --------------------------------------------------------------------------

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _order(actors):
    return OrderFactory(store=actors.store)


def _reservation(actors):
    return reservations_api.TestReservationResource().make(actors.store)


def _published_shift_of_staff(actors):
    schedule = ScheduleFactory(
        store=actors.store, schedule_date=TOMORROW, is_published=True, published_at=timezone.now()
    )
    employee = EmployeeFactory(store=actors.store, user=actors.staff)
    return ShiftFactory(schedule=schedule, employee=employee)


def _draft_schedule(actors):
    schedule = ScheduleFactory(store=actors.store, schedule_date=TOMORROW)
    ShiftFactory(schedule=schedule)
    return schedule


def _notification(actors):
    return NotificationFactory(recipient=actors.manager)


def _low_stock_item(actors):
    return InventoryItemFactory(store=actors.store)  # no stock: out of stock


def _table_for_availability(actors):
    return TableFactory(store=actors.store, capacity=4)


OWN_STORE_ONLY = {"admin": {200}, "manager": {200}, "staff": {200}, "other_manager": {404}, "other_staff": {404}}
MANAGERS_OF_STORE = {
    "admin": {200, 201},
    "manager": {200, 201},
    "staff": {403},
    "other_manager": {400, 404},
    "other_staff": {403},
}


@dataclass
class ActionCase:
    name: str
    method: str
    url: object  # (actors, obj) -> str
    expected: dict
    make: object = None
    body: object = None  # (actors, obj) -> dict
    template: tuple[str, str] = ("", "")
    check: object = None  # (actor, response) -> None: what the body must (not) show


def _only_own_store_rows(actor, response):
    """A list filtered on a store the actor cannot see is empty, not an error."""
    if actor.startswith("other_"):
        assert response.json()["results"] == []


ACTION_CASES = [
    ActionCase(
        "order transition",
        "post",
        lambda a, o: f"/api/v1/orders/{o.pk}/transition/",
        OWN_STORE_ONLY,
        make=_order,
        body=lambda a, o: {"status": "confirmed"},
        template=("/api/v1/orders/{id}/transition/", "POST"),
    ),
    ActionCase(
        "reservation transition",
        "post",
        lambda a, o: f"/api/v1/reservations/{o.pk}/transition/",
        OWN_STORE_ONLY,
        make=_reservation,
        body=lambda a, o: {"status": "confirmed"},
        template=("/api/v1/reservations/{id}/transition/", "POST"),
    ),
    ActionCase(
        "reservation availability",
        "get",
        lambda a, o: (
            f"/api/v1/reservations/availability/?store=STORE001&date={TOMORROW}&time=12:00&party_size=2&duration=90"
        ),
        OWN_STORE_ONLY,
        make=_table_for_availability,
        template=("/api/v1/reservations/availability/", "GET"),
    ),
    ActionCase(
        "schedule generate",
        "post",
        lambda a, o: "/api/v1/schedules/generate/",
        MANAGERS_OF_STORE,
        body=lambda a, o: {"store": "STORE001", "date": str(TOMORROW)},
        template=("/api/v1/schedules/generate/", "POST"),
    ),
    ActionCase(
        "schedule publish",
        "post",
        lambda a, o: f"/api/v1/schedules/{o.pk}/publish/",
        {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {404}, "other_staff": {403}},
        make=_draft_schedule,
        template=("/api/v1/schedules/{id}/publish/", "POST"),
    ),
    ActionCase(
        "shift confirm",
        "post",
        lambda a, o: f"/api/v1/shifts/{o.pk}/confirm/",
        {"admin": {200}, "manager": {200}, "staff": {200}, "other_manager": {404}, "other_staff": {404}},
        make=_published_shift_of_staff,
        template=("/api/v1/shifts/{id}/confirm/", "POST"),
    ),
    ActionCase(
        "inventory low stock",
        "get",
        lambda a, o: "/api/v1/inventory-items/low-stock/?store=STORE001",
        {actor: {200} for actor in ACTORS[1:]},
        make=_low_stock_item,
        check=_only_own_store_rows,
        template=("/api/v1/inventory-items/low-stock/", "GET"),
    ),
    ActionCase(
        "inventory reorder suggestions",
        "get",
        lambda a, o: "/api/v1/inventory-items/reorder-suggestions/?store=STORE001",
        OWN_STORE_ONLY,
        template=("/api/v1/inventory-items/reorder-suggestions/", "GET"),
    ),
    ActionCase(
        "inventory waste analysis",
        "get",
        lambda a, o: "/api/v1/inventory-items/waste-analysis/?store=STORE001",
        OWN_STORE_ONLY,
        template=("/api/v1/inventory-items/waste-analysis/", "GET"),
    ),
    ActionCase(
        "kpi compute",
        "post",
        lambda a, o: "/api/v1/kpis/records/compute/",
        MANAGERS_OF_STORE,
        body=lambda a, o: {"store": "STORE001", "date": str(timezone.localdate() - dt.timedelta(days=1))},
        template=("/api/v1/kpis/records/compute/", "POST"),
    ),
    ActionCase(
        "kpi dashboard",
        "get",
        lambda a, o: "/api/v1/kpis/dashboard/?store=STORE001",
        OWN_STORE_ONLY,
        template=("/api/v1/kpis/dashboard/", "GET"),
    ),
    ActionCase(
        "notification read",
        "post",
        lambda a, o: f"/api/v1/notifications/{o.pk}/read/",
        {"admin": {404}, "manager": {200}, "staff": {404}, "other_manager": {404}, "other_staff": {404}},
        make=_notification,
        template=("/api/v1/notifications/{id}/read/", "POST"),
    ),
    ActionCase(
        "notification read all",
        "post",
        lambda a, o: "/api/v1/notifications/read-all/",
        {actor: {200} for actor in ACTORS[1:]},
        template=("/api/v1/notifications/read-all/", "POST"),
    ),
    ActionCase(
        "notification unread count",
        "get",
        lambda a, o: "/api/v1/notifications/unread-count/",
        {actor: {200} for actor in ACTORS[1:]},
        template=("/api/v1/notifications/unread-count/", "GET"),
    ),
]


@pytest.mark.parametrize(
    ("case", "actor"),
    [pytest.param(case, actor, id=f"{case.name}-{actor}") for case in ACTION_CASES for actor in ACTORS],
)
def test_action_matrix(case, actor, actors):
    obj = case.make(actors) if case.make else None
    url = case.url(actors, obj)
    body = case.body(actors, obj) if case.body else None
    response = getattr(client_as(actors, actor), case.method)(url, body, format="json")
    expected = {401} if actor == "anonymous" else case.expected[actor]
    assert response.status_code in expected, (
        f"{case.method.upper()} {url} as {actor}: {response.status_code}, expected {sorted(expected)}: "
        f"{response.content[:300]!r}"
    )
    if actor.startswith("other_") and obj is not None:
        assert str(obj.pk) not in response.content.decode()
    if case.check is not None and actor != "anonymous":
        case.check(actor, response)


def test_schedule_publish_by_manager_really_publishes(actors):
    """One success case checked beyond its status: the matrix must not pass on a no-op."""
    schedule = _draft_schedule(actors)
    response = client_as(actors, "manager").post(f"/api/v1/schedules/{schedule.pk}/publish/")
    assert response.status_code == 200
    assert Schedule.objects.get(pk=schedule.pk).is_published


def test_every_schema_operation_is_in_the_matrix(db):
    """A new endpoint or method cannot slip in without its row in the matrix."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (path, method.upper())
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete") and not path.startswith("/api/v1/auth/")
    }
    covered = {case.template for case in ACTION_CASES}
    for resource in RESOURCES:
        base = f"/api/v1/{resource.name}/"
        covered |= {
            (base, "GET"),
            (base, "POST"),
            (f"{base}{{id}}/", "GET"),
            (f"{base}{{id}}/", "PUT"),
            (f"{base}{{id}}/", "PATCH"),
            (f"{base}{{id}}/", "DELETE"),
        }
    missing = sorted(operations - covered)
    assert not missing, f"operations without authorization cases: {missing}"
    assert len(operations) >= 80
