"""The authorization matrix's data for the domain actions (transitions, reports, generate, ...):
per action, how to call it and the status each actor gets. The tests are in
test_authorization_matrix.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from attendance.models import BreakPeriod, TimeEntry
from attendance.tests.factories import TimesheetFactory
from inventory import services as inventory_services
from inventory.tests.factories import InventoryItemFactory, StockCountFactory
from menu.tests.factories import DishFactory
from notifications.tests.factories import NotificationFactory
from orders.tests.factories import OrderFactory

# A resource suite comes in as a module: a Test* class imported by name would be collected again.
from reservations.tests import test_api as reservations_api
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from waitlist.tests.factories import WaitlistTicketFactory
from zhilian.tests.authorization_resources import ACTORS

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


def _own_pending_leave(actors):
    from scheduling.tests.factories import LeaveRequestFactory
    from stores.models import Employee

    employee = Employee.objects.filter(user=actors.staff).first() or EmployeeFactory(
        store=actors.store, user=actors.staff
    )
    return LeaveRequestFactory(employee=employee, start_date=TOMORROW, end_date=TOMORROW)


def _notification(actors):
    return NotificationFactory(recipient=actors.manager)


def _low_stock_item(actors):
    return InventoryItemFactory(store=actors.store)  # no stock: out of stock


def _counted_sheet(actors):
    item = InventoryItemFactory(store=actors.store)
    count = inventory_services.stock_count_open(store=actors.store, user=actors.manager)
    inventory_services.stock_count_record(
        count=count, quantities=[{"item": item.pk, "counted_quantity": "0"}], user=None
    )
    return count


def _two_closed_counts(actors):
    StockCountFactory(store=actors.store, count_date=TOMORROW - dt.timedelta(days=30))
    return StockCountFactory(store=actors.store, count_date=TOMORROW - dt.timedelta(days=1))


def _table_for_availability(actors):
    return TableFactory(store=actors.store, capacity=4)


def _employees_for_every_actor(actors):
    """Each store user's employee record (the admin has none: the `me` clock answers 409)."""
    employees = {
        name: EmployeeFactory(store=user.store, user=user) for name, user in actors.all().items() if name != "admin"
    }
    return employees["staff"]


def _clocked_in(actors, on_break=False):
    worker = _employees_for_every_actor(actors)
    start = timezone.now() - dt.timedelta(hours=2)
    for employee in worker.store.employees.model.objects.exclude(user=None):
        entry = TimeEntry.objects.create(
            store=employee.store, employee=employee, business_date=timezone.localdate(start), clock_in_at=start
        )
        if on_break:
            BreakPeriod.objects.create(entry=entry, started_at=start + dt.timedelta(hours=1))
    return worker


def _worker_of_store(actors):
    return EmployeeFactory(store=actors.store)


def _draft_timesheet(actors):
    return TimesheetFactory(employee=EmployeeFactory(store=actors.store), week_start=dt.date(2026, 11, 16))


def _open_shift(actors, *, pending=False):
    from scheduling.services import open_shift_claim
    from scheduling.tests.exchange_resources import OpenShiftResource

    _employees_for_every_actor(actors)
    open_shift = OpenShiftResource().make(actors.store, requires_approval=pending)
    if pending:
        open_shift_claim(actor=actors.manager, open_shift=open_shift, employee=EmployeeFactory(store=actors.store))
    return open_shift


def _swap(actors, *, accepted=False, own=False):
    from scheduling.services import swap_request_accept
    from scheduling.tests.exchange_resources import ShiftSwapResource

    staff = _employees_for_every_actor(actors)
    swap = ShiftSwapResource().make(actors.store)
    if own:
        swap.requested_by = staff
        swap.shift.employee = staff
        swap.shift.save(update_fields=["employee"])
        swap.save(update_fields=["requested_by"])
    if accepted:
        swap_request_accept(actor=actors.manager, swap_request=swap, employee=EmployeeFactory(store=actors.store))
    return swap


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


MY_CLOCK = {"admin": {409}, "manager": {200}, "staff": {200}, "other_manager": {200}, "other_staff": {200}}
STORE_MANAGERS_ONLY = {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {404}, "other_staff": {403}}

# The signed-in user's own employee record acts (the admin has none: 409).
OWN_EMPLOYEE = {"admin": {409}, "manager": {200}, "staff": {200}, "other_manager": {404}, "other_staff": {404}}

READERS_OF_KPIS = {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {200}, "other_staff": {403}}


def _kpi():
    from kpis.tests.factories import KPIFactory

    return KPIFactory()


def _only_own_chain_rows(actor, response):
    """A manager's chain report holds their own store's row only."""
    own = {"manager": "STORE001", "other_manager": "STORE002"}.get(actor)
    if own is not None:
        assert {row["store"] for row in response.json()["stores"]} <= {own}


ACTION_CASES = [
    ActionCase(
        "open shifts claimable",
        "get",
        lambda a, o: "/api/v1/open-shifts/claimable/",
        {"admin": {409}, "manager": {200}, "staff": {200}, "other_manager": {200}, "other_staff": {200}},
        make=_open_shift,
        template=("/api/v1/open-shifts/claimable/", "GET"),
    ),
    ActionCase(
        "open shift claim",
        "post",
        lambda a, o: f"/api/v1/open-shifts/{o.pk}/claim/",
        OWN_EMPLOYEE,
        make=_open_shift,
        template=("/api/v1/open-shifts/{id}/claim/", "POST"),
    ),
    *(
        ActionCase(
            f"open shift {name}",
            "post",
            lambda a, o, name=name: f"/api/v1/open-shifts/{o.pk}/{name}/",
            STORE_MANAGERS_ONLY,
            make=lambda a, name=name: _open_shift(a, pending=name != "cancel"),
            template=(f"/api/v1/open-shifts/{{id}}/{name}/", "POST"),
        )
        for name in ("approve", "reject", "cancel")
    ),
    ActionCase(
        "shift swap accept",
        "post",
        lambda a, o: f"/api/v1/shift-swaps/{o.pk}/accept/",
        OWN_EMPLOYEE,
        make=_swap,
        template=("/api/v1/shift-swaps/{id}/accept/", "POST"),
    ),
    *(
        ActionCase(
            f"shift swap {name}",
            "post",
            lambda a, o, name=name: f"/api/v1/shift-swaps/{o.pk}/{name}/",
            STORE_MANAGERS_ONLY,
            make=lambda a, name=name: _swap(a, accepted=name == "approve"),
            template=(f"/api/v1/shift-swaps/{{id}}/{name}/", "POST"),
        )
        for name in ("approve", "reject")
    ),
    ActionCase(
        "shift swap cancel",
        "post",
        lambda a, o: f"/api/v1/shift-swaps/{o.pk}/cancel/",
        {"admin": {200}, "manager": {200}, "staff": {200}, "other_manager": {404}, "other_staff": {404}},
        make=lambda a: _swap(a, own=True),
        template=("/api/v1/shift-swaps/{id}/cancel/", "POST"),
    ),
    ActionCase(
        "scheduled vs actual per employee",
        "get",
        lambda a, o: (
            f"/api/v1/time-entries/scheduled-vs-actual/?store=STORE001&date_from={TOMORROW}&date_to={TOMORROW}"
        ),
        STORE_MANAGERS_ONLY,
        template=("/api/v1/time-entries/scheduled-vs-actual/", "GET"),
    ),
    ActionCase(
        "my clock status",
        "get",
        lambda a, o: "/api/v1/attendance/me/",
        MY_CLOCK,
        make=lambda actors: _employees_for_every_actor(actors),
        template=("/api/v1/attendance/me/", "GET"),
    ),
    ActionCase(
        "my clock-in",
        "post",
        lambda a, o: "/api/v1/attendance/me/clock-in/",
        MY_CLOCK,
        make=lambda actors: _employees_for_every_actor(actors),
        template=("/api/v1/attendance/me/clock-in/", "POST"),
    ),
    ActionCase(
        "my break start",
        "post",
        lambda a, o: "/api/v1/attendance/me/break-start/",
        MY_CLOCK,
        make=_clocked_in,
        template=("/api/v1/attendance/me/break-start/", "POST"),
    ),
    ActionCase(
        "my break end",
        "post",
        lambda a, o: "/api/v1/attendance/me/break-end/",
        MY_CLOCK,
        make=lambda actors: _clocked_in(actors, on_break=True),
        template=("/api/v1/attendance/me/break-end/", "POST"),
    ),
    ActionCase(
        "my clock-out",
        "post",
        lambda a, o: "/api/v1/attendance/me/clock-out/",
        MY_CLOCK,
        make=_clocked_in,
        template=("/api/v1/attendance/me/clock-out/", "POST"),
    ),
    ActionCase(
        "punch for an employee",
        "post",
        lambda a, o: "/api/v1/time-entries/punch/",
        # Another store's employee is not a valid choice for another store's manager: 400.
        {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {400}, "other_staff": {403}},
        make=_worker_of_store,
        body=lambda a, o: {"employee": o.pk, "kind": "clock_in", "reason": "The tablet is down"},
        template=("/api/v1/time-entries/punch/", "POST"),
    ),
    ActionCase(
        "shift actuals",
        "get",
        lambda a, o: f"/api/v1/time-entries/actuals/?store=STORE001&date_from={TOMORROW}&date_to={TOMORROW}",
        STORE_MANAGERS_ONLY,
        template=("/api/v1/time-entries/actuals/", "GET"),
    ),
    ActionCase(
        "scheduled vs actual",
        "get",
        lambda a, o: f"/api/v1/time-entries/comparison/?store=STORE001&date_from={TOMORROW}&date_to={TOMORROW}",
        STORE_MANAGERS_ONLY,
        template=("/api/v1/time-entries/comparison/", "GET"),
    ),
    ActionCase(
        "timesheet approve",
        "post",
        lambda a, o: f"/api/v1/timesheets/{o.pk}/approve/",
        STORE_MANAGERS_ONLY,
        make=_draft_timesheet,
        template=("/api/v1/timesheets/{id}/approve/", "POST"),
    ),
    ActionCase(
        "timesheet export",
        "get",
        lambda a, o: "/api/v1/timesheets/export/?store=STORE001&week_start=2026-11-16",
        STORE_MANAGERS_ONLY,
        template=("/api/v1/timesheets/export/", "GET"),
    ),
    ActionCase(
        "dish sold out",
        "post",
        lambda a, o: f"/api/v1/dishes/{o.pk}/sold-out/",
        # The dish is the chain's; the store is the one named (another store's manager: 404).
        {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {404}, "other_staff": {403}},
        make=lambda actors: DishFactory(),
        body=lambda a, o: {"store": "STORE001"},
        template=("/api/v1/dishes/{id}/sold-out/", "POST"),
    ),
    # The photo is the dish's (chain menu: admins). A JSON body is no photo: an admin passes the
    # permission and gets 415 (the upload is multipart, menu/tests/test_dish_photo.py).
    ActionCase(
        "dish photo upload",
        "put",
        lambda a, o: f"/api/v1/dishes/{o.pk}/photo/",
        {"admin": {415}, "manager": {403}, "staff": {403}, "other_manager": {403}, "other_staff": {403}},
        make=lambda actors: DishFactory(),
        body=lambda a, o: {"photo": "x"},
        template=("/api/v1/dishes/{id}/photo/", "PUT"),
    ),
    ActionCase(
        "dish photo removal",
        "delete",
        lambda a, o: f"/api/v1/dishes/{o.pk}/photo/",
        {"admin": {200}, "manager": {403}, "staff": {403}, "other_manager": {403}, "other_staff": {403}},
        make=lambda actors: DishFactory(),
        template=("/api/v1/dishes/{id}/photo/", "DELETE"),
    ),
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
        "floor",
        "get",
        lambda a, o: "/api/v1/floor/?store=STORE001",
        OWN_STORE_ONLY,
        make=_table_for_availability,
        template=("/api/v1/floor/", "GET"),
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
        "schedule budget",
        "get",
        lambda a, o: f"/api/v1/schedules/{o.pk}/budget/",
        {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {404}, "other_staff": {403}},
        make=_draft_schedule,
        template=("/api/v1/schedules/{id}/budget/", "GET"),
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
        "stock count lines",
        "patch",
        lambda a, o: f"/api/v1/stock-counts/{o.pk}/lines/",
        OWN_STORE_ONLY,
        make=_counted_sheet,
        body=lambda a, o: [{"item": o.lines.get().item_id, "counted_quantity": "1.5"}],
        template=("/api/v1/stock-counts/{id}/lines/", "PATCH"),
    ),
    ActionCase(
        "stock count close",
        "post",
        lambda a, o: f"/api/v1/stock-counts/{o.pk}/close/",
        {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {404}, "other_staff": {403}},
        make=_counted_sheet,
        template=("/api/v1/stock-counts/{id}/close/", "POST"),
    ),
    ActionCase(
        "stock count variance",
        "get",
        lambda a, o: f"/api/v1/stock-counts/{o.pk}/variance/",
        OWN_STORE_ONLY,
        make=_two_closed_counts,
        template=("/api/v1/stock-counts/{id}/variance/", "GET"),
    ),
    ActionCase(
        "menu engineering report",
        "get",
        lambda a, o: "/api/v1/reports/menu-engineering/?store=STORE001",
        # Margins are the managers': staff 403; another store's manager 404.
        {"admin": {200}, "manager": {200}, "staff": {403}, "other_manager": {404}, "other_staff": {403}},
        template=("/api/v1/reports/menu-engineering/", "GET"),
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
    # The walk-in waitlist: everyone of the store takes numbers and moves them; another store's
    # tickets and store are 404; the guest's position page needs no sign-in.
    ActionCase(
        "waitlist tickets",
        "get",
        lambda a, o: "/api/v1/waitlist/tickets/?store=STORE001",
        {actor: {200} for actor in ACTORS[1:]},
        make=lambda actors: WaitlistTicketFactory(store=actors.store),
        template=("/api/v1/waitlist/tickets/", "GET"),
        check=_only_own_store_rows,
    ),
    ActionCase(
        "waitlist take a number",
        "post",
        lambda a, o: "/api/v1/waitlist/tickets/",
        {"admin": {201}, "manager": {201}, "staff": {201}, "other_manager": {404}, "other_staff": {404}},
        body=lambda a, o: {"store": "STORE001", "party_size": 2},
        template=("/api/v1/waitlist/tickets/", "POST"),
    ),
    ActionCase(
        "waitlist ticket",
        "get",
        lambda a, o: f"/api/v1/waitlist/tickets/{o.pk}/",
        OWN_STORE_ONLY,
        make=lambda actors: WaitlistTicketFactory(store=actors.store),
        template=("/api/v1/waitlist/tickets/{id}/", "GET"),
    ),
    *[
        ActionCase(
            f"waitlist {move}",
            "post",
            lambda a, o, move=move: f"/api/v1/waitlist/tickets/{o.pk}/{move}/",
            OWN_STORE_ONLY,
            make=lambda actors: WaitlistTicketFactory(store=actors.store, status="called"),
            template=(f"/api/v1/waitlist/tickets/{{id}}/{move}/", "POST"),
        )
        for move in ("call", "seat", "skip", "cancel")
    ],
    ActionCase(
        "waitlist board",
        "get",
        lambda a, o: "/api/v1/waitlist/tickets/board/?store=STORE001",
        OWN_STORE_ONLY,
        template=("/api/v1/waitlist/tickets/board/", "GET"),
    ),
    ActionCase(
        "waitlist position (public)",
        "get",
        lambda a, o: f"/api/v1/waitlist/position/{o.token}/",
        {actor: {200} for actor in ACTORS},
        make=lambda actors: WaitlistTicketFactory(store=actors.store),
        template=("/api/v1/waitlist/position/{token}/", "GET"),
    ),
    # Time off: the request made is the staff member's own, pending.
    *(
        ActionCase(
            f"leave {verb}",
            "post",
            lambda a, o, verb=verb: f"/api/v1/leave-requests/{o.pk}/{verb}/",
            STORE_MANAGERS_ONLY if verb != "cancel" else OWN_STORE_ONLY,
            make=_own_pending_leave,
            template=(f"/api/v1/leave-requests/{{id}}/{verb}/", "POST"),
        )
        for verb in ("approve", "deny", "cancel")
    ),
    # The chain report (kpis.chain) and digests: whoever reads KPI records, scoped to their stores.
    ActionCase(
        "chain report",
        "get",
        lambda a, o: "/api/v1/reports/chain/?period=week",
        READERS_OF_KPIS,
        template=("/api/v1/reports/chain/", "GET"),
        check=lambda actor, response: _only_own_chain_rows(actor, response),
    ),
    ActionCase(
        "chain report export",
        "get",
        lambda a, o: "/api/v1/reports/chain/export/?period=month&file_type=csv",
        READERS_OF_KPIS,
        template=("/api/v1/reports/chain/export/", "GET"),
    ),
    ActionCase(
        "chain report chart",
        "get",
        # The KPI is chain-wide (not another store's object): made with the URL.
        lambda a, o: f"/api/v1/reports/chain/chart/?period=week&kpi={_kpi().pk}",
        READERS_OF_KPIS,
        template=("/api/v1/reports/chain/chart/", "GET"),
    ),
    ActionCase(
        "my digest subscription",
        "get",
        lambda a, o: "/api/v1/digests/subscription/",
        READERS_OF_KPIS,
        template=("/api/v1/digests/subscription/", "GET"),
    ),
    ActionCase(
        "my digest subscription set",
        "put",
        lambda a, o: "/api/v1/digests/subscription/",
        READERS_OF_KPIS,
        body=lambda a, o: {"frequency": "weekly"},
        template=("/api/v1/digests/subscription/", "PUT"),
    ),
]

# --- the HQ roles ----------------------------------------------------------------------------
# An area manager answers as the manager of a store of their region (area_manager: STORE001's
# region; other_area_manager: STORE002's), except where the answer is about the person rather
# than the store: they have no employee record (their own time clock: 409, like an admin's) and
# the manager's notification is not theirs. Finance reads: every report and list 200, every
# write 403 (or 404 where the object is someone else's, as for everyone).
PERSONAL = {
    # Claiming and accepting shifts needs an employee record, which area managers have not.
    "open shifts claimable": {409},
    "open shift claim": {409},
    "shift swap accept": {409},
    "my clock status": {409},
    "my clock-in": {409},
    "my break start": {409},
    "my break end": {409},
    "my clock-out": {409},
    "notification read": {404},
}
EMPLOYEE_ACTS = {"open shift claim", "shift swap accept"}
FINANCE = {
    "my clock status": {403},
    "my clock-in": {403},
    "my break start": {403},
    "my break end": {403},
    "my clock-out": {403},
    "punch for an employee": {403},
    "shift actuals": {200},
    "scheduled vs actual": {200},
    "timesheet approve": {403},
    "timesheet export": {200},
    "dish sold out": {403},
    "dish photo upload": {403},
    "dish photo removal": {403},
    "order transition": {403},
    "reservation transition": {403},
    "reservation availability": {200},
    "schedule generate": {403},
    "schedule publish": {403},
    "schedule budget": {200},
    "shift confirm": {403},
    "inventory low stock": {200},
    "inventory reorder suggestions": {200},
    "inventory waste analysis": {200},
    "stock count lines": {403},
    "stock count close": {403},
    "stock count variance": {200},
    "menu engineering report": {200},
    "kpi compute": {403},
    "kpi dashboard": {200},
    "notification read": {404},
    "notification read all": {200},
    "notification unread count": {200},
    "floor": {200},
    "waitlist tickets": {200},
    "waitlist take a number": {403},
    "waitlist ticket": {200},
    **{f"waitlist {move}": {403} for move in ("call", "seat", "skip", "cancel")},
    "waitlist board": {200},
    "waitlist position (public)": {200},
    **{f"leave {verb}": {403} for verb in ("approve", "deny", "cancel")},
    "open shifts claimable": {403},
    "open shift claim": {403},
    **{f"open shift {name}": {403} for name in ("approve", "reject", "cancel")},
    "shift swap accept": {403},
    **{f"shift swap {name}": {403} for name in ("approve", "reject")},
    "shift swap cancel": {403},
    "scheduled vs actual per employee": {200},
    "chain report": {200},
    "chain report export": {200},
    "chain report chart": {200},
    "my digest subscription": {200},
    "my digest subscription set": {200},
}
for _case in ACTION_CASES:
    _case.expected = {
        **_case.expected,
        "area_manager": PERSONAL.get(_case.name, _case.expected["manager"]),
        # Another region's object is not found before anything is asked of the user.
        "other_area_manager": _case.expected["other_manager"]
        if _case.name in EMPLOYEE_ACTS
        else PERSONAL.get(_case.name, _case.expected["other_manager"]),
        "finance": FINANCE[_case.name],
    }
