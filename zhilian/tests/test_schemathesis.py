"""Property-based API test: schemathesis against the live OpenAPI schema (DESIGN §6).

The schema is fetched from the running app in-process (`/api/schema/` through the WSGI handler),
and every operation is called with generated requests (valid and invalid ones) under a real JWT,
as an admin and as a store manager. No request may get a 5xx, and every documented response must
match the schema (body and content type).

The calls go through the real WSGI handler in the test's own thread, so they use the test
database. The tests are transactional (autocommit, as in production): under the `db` fixture's
wrapping transaction a database error that the exception handler turns into a 4xx would leave a
PostgreSQL transaction aborted and fail every later request of the run, which never happens in
production.

Ids of the seeded rows are fed into the path parameters half of the time, so detail, update,
delete and action endpoints are reached with real objects, not only with random ids (404s).
Counts of operations and examples are printed in the terminal summary (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from inventory.services import stock_record_purchase
from inventory.tests.factories import InventoryItemFactory
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from notifications.tests.factories import NotificationFactory
from orders.tests.factories import OrderFactory
from reservations.tests.factories import ReservationFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, StoreFactory, TableFactory
from zhilian.wsgi import application

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# Filled by the `seeded` fixture; read by the path-parameter hook while cases are generated.
KNOWN_IDS: dict[str, str] = {}
# What ran, for the terminal summary: examples per (actor, operation).
STATS: Counter = Counter()

schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    application,
    config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": True}}}),
)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half of the cases address a seeded object of the resource (random ids alone only ever 404)."""
    if "id" not in path_parameters:
        return st.just(path_parameters)
    resource = context.operation.path.split("/{id}")[0].rsplit("/", 1)[-1]
    known = KNOWN_IDS.get(resource)
    if known is None:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, "id": known}])


@pytest.fixture
def seeded(transactional_db):
    """A store with tables, staff, an order, stock, a schedule, a reservation and KPI records."""
    store = StoreFactory(id="STORE001", code="SH01")
    StoreFactory(id="STORE002", code="BJ01")
    admin = AdminFactory(username="st_admin")
    manager = ManagerFactory(username="st_manager", store=store)
    staff_user = UserFactory(username="st_staff", store=store)
    table = TableFactory(store=store, number="A1", capacity=4)
    TableFactory(store=store, number="A2", capacity=6)
    employee = EmployeeFactory(id="EMP001", store=store, user=staff_user)
    order = OrderFactory(store=store, table=table, waiter=employee)
    item = InventoryItemFactory(id="INV001", store=store, name="Pork belly")
    purchase = stock_record_purchase(item=item, quantity="40", user=manager)
    kpi = KPIFactory(id="KPI_REVENUE", name="Revenue")
    record = KPIRecordFactory(kpi=kpi, store=store, record_date=timezone.localdate() - dt.timedelta(days=1))
    shift = ShiftFactory(schedule=ScheduleFactory(store=store, schedule_date=timezone.localdate()), employee=employee)
    reservation = ReservationFactory(store=store, tables=[table])
    notification = NotificationFactory(recipient=admin, store=store)
    KNOWN_IDS.clear()
    KNOWN_IDS.update(
        {
            "stores": store.pk,
            "tables": str(table.pk),
            "employees": employee.pk,
            "users": str(staff_user.pk),
            "orders": order.pk,
            "order-items": str(order.items.first().pk),
            "inventory-items": item.pk,
            "inventory-transactions": str(purchase.pk),
            "kpis": kpi.pk,
            "records": str(record.pk),
            "schedules": str(shift.schedule_id),
            "shifts": str(shift.pk),
            "reservations": reservation.pk,
            "notifications": str(notification.pk),
        }
    )
    yield {"admin": admin, "manager": manager}
    KNOWN_IDS.clear()


@pytest.fixture
def wsgi_calls():
    """Keep the connection across the in-process requests, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


@schema.parametrize()
@HYPOTHESIS
def test_api_as_admin(case, seeded, wsgi_calls):
    STATS["admin", case.operation.label] += 1
    case.call_and_validate(headers=bearer(seeded["admin"]), checks=CHECKS)
