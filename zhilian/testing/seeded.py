"""One store of every kind of object, for the tests that call every API operation with generated
input (schemathesis, the hostile-input property test).

`seed_every_resource(actor=...)` creates a store with tables, staff, an order, stock, a schedule,
a reservation, KPI records and notifications, and returns a `SeededObjects`: for each resource
(the last path segment of its list URL) the id of a seeded object and of a spare one that DELETE
may remove, and for field and query parameter names the seeded object they may refer to, so that
generated requests get past "object does not exist" into the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from inventory.services import stock_record_purchase
from inventory.tests.factories import InventoryItemFactory
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from notifications.tests.factories import NotificationFactory
from orders.tests.factories import OrderFactory
from reservations.tests.factories import ReservationFactory
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, StoreFactory, TableFactory


@dataclass
class SeededObjects:
    admin: Any
    manager: Any
    known_ids: dict[str, str] = field(default_factory=dict)
    spare_ids: dict[str, str] = field(default_factory=dict)
    references: dict[str, object] = field(default_factory=dict)

    def id_for(self, path: str, method: str) -> str | None:
        """The seeded object a detail path (``/api/v1/orders/{id}/...``) should address."""
        resource = path.split("/{id}")[0].rsplit("/", 1)[-1]
        return (self.spare_ids if method.upper() == "DELETE" else self.known_ids).get(resource)


def seed_every_resource(*, actor_role: str = "admin") -> SeededObjects:
    """Seed the objects; notifications go to the admin or the manager (`actor_role`)."""
    store = StoreFactory(id="STORE001", code="SH01")
    StoreFactory(id="STORE002", code="BJ01")
    admin = AdminFactory(username="st_admin")
    manager = ManagerFactory(username="st_manager", store=store)
    actor = manager if actor_role == "manager" else admin
    staff_user = UserFactory(username="st_staff", store=store)
    table = TableFactory(store=store, number="A1", capacity=4)
    employee = EmployeeFactory(id="EMP001", store=store, user=staff_user)
    order = OrderFactory(
        store=store,
        table=table,
        waiter=employee,
        items=[("D001", "Kung Pao Chicken", 2, 48_00), ("D002", "Mapo Tofu", 1, 32_00)],
    )
    first_line, second_line = order.items.order_by("item_code")
    item = InventoryItemFactory(id="INV001", store=store, name="Pork belly")
    purchase = stock_record_purchase(item=item, quantity="40", user=manager)
    kpi = KPIFactory(id="KPI_REVENUE", name="Revenue")
    record = KPIRecordFactory(kpi=kpi, store=store, record_date=timezone.localdate() - dt.timedelta(days=1))
    schedule = ScheduleFactory(store=store, schedule_date=timezone.localdate() + dt.timedelta(days=1))
    shift = ShiftFactory(schedule=schedule, employee=employee)
    reservation = ReservationFactory(store=store, tables=[table])
    notification = NotificationFactory(recipient=actor, store=store)
    spare_table = TableFactory(store=store, number="Z9", capacity=6)

    seeded = SeededObjects(admin=admin, manager=manager)
    seeded.references.update(
        {
            "store": store.pk,
            "to_store": "STORE002",
            "table": str(table.pk),
            "tables": [str(table.pk)],
            "waiter": employee.pk,
            "employee": employee.pk,
            "order": order.pk,
            "item": item.pk,
            "kpi": kpi.pk,
            "schedule": str(schedule.pk),
            "manager": str(manager.pk),
        }
    )
    seeded.known_ids.update(
        {
            "stores": store.pk,
            "tables": str(table.pk),
            "employees": employee.pk,
            "users": str(staff_user.pk),
            "orders": order.pk,
            "order-items": str(first_line.pk),
            "inventory-items": item.pk,
            "inventory-transactions": str(purchase.pk),
            "kpis": kpi.pk,
            "records": str(record.pk),
            "schedules": str(schedule.pk),
            "shifts": str(shift.pk),
            "reservations": reservation.pk,
            "notifications": str(notification.pk),
        }
    )
    seeded.spare_ids.update(
        {
            "stores": StoreFactory(id="STORE009", code="TMP09").pk,
            "tables": str(spare_table.pk),
            "employees": EmployeeFactory(id="EMP009", store=store).pk,
            "users": str(UserFactory(username="st_spare", store=store).pk),
            "orders": OrderFactory(store=store).pk,
            "order-items": str(second_line.pk),
            "inventory-items": InventoryItemFactory(id="INV009", store=store, name="Spare").pk,
            "kpis": KPIFactory(id="KPI_SPARE", name="Spare").pk,
            "schedules": str(ScheduleFactory(store=store, schedule_date=schedule.schedule_date + dt.timedelta(1)).pk),
            "shifts": str(
                ShiftFactory(
                    schedule=schedule, employee=EmployeeFactory(id="EMP002", store=store), shift_type="evening"
                ).pk
            ),
            "reservations": ReservationFactory(store=store, tables=[spare_table]).pk,
            "notifications": str(NotificationFactory(recipient=actor, store=store).pk),
        }
    )
    # Attendance: a closed entry of the staff member, a draft timesheet, a holiday.
    from attendance.tests.factories import PublicHolidayFactory, TimeEntryFactory, TimesheetFactory

    seeded.known_ids.update(
        {
            "time-entries": str(TimeEntryFactory(employee=employee).pk),
            "timesheets": str(TimesheetFactory(employee=employee).pk),
            "public-holidays": str(PublicHolidayFactory().pk),
        }
    )
    seeded.spare_ids["public-holidays"] = str(PublicHolidayFactory().pk)
    return seeded
