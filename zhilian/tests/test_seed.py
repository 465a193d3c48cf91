"""`manage.py seed`: deterministic, idempotent, internally consistent demo data with working logins."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Sum
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import User
from accounts.usernames import validate_username
from inventory.models import InventoryItem, InventoryTransaction
from kpis.models import KPIRecord
from orders.models import Order, OrderItem
from reservations.models import Reservation, ReservationTable
from scheduling.models import Schedule, Shift
from stores.models import Employee, Store, Table
from stores.tests.factories import StoreFactory
from zhilian.models import DailySequence
from zhilian.roles import Role
from zhilian.seed.runner import DEFAULT_PASSWORD, MODELS

END = "2026-11-20"
END_DATE = dt.date(2026, 11, 20)
ARGS = ("--stores=2", "--days=3", f"--end-date={END}")

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed", *ARGS, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in MODELS}


def snapshot() -> dict:
    """What must come out identical for the same seed (IDs, money, stock, bookings)."""
    ledger = defaultdict(Decimal)
    for item_id, qty in InventoryTransaction.objects.values_list("item_id", "quantity"):
        ledger[item_id] += qty
    return {
        "stores": list(Store.objects.order_by("pk").values_list("pk", "code", "name", "seats")),
        "employees": list(Employee.objects.order_by("pk").values_list("pk", "name", "position", "hourly_wage_cents")),
        "tables": sorted(Table.objects.values_list("store_id", "number", "capacity", "room_name")),
        "orders": list(
            Order.objects.order_by("pk").values_list(
                "pk", "status", "total_cents", "discount_cents", "order_time", "created_at", "updated_at"
            )
        ),
        "items": sorted(OrderItem.objects.values_list("id", "order_id", "item_code", "quantity", "subtotal_cents")),
        "inventory": sorted(InventoryItem.objects.values_list("pk", "current_quantity", "status", "min_quantity")),
        "ledger": sorted(ledger.items()),
        "reservations": list(
            Reservation.objects.order_by("pk").values_list("pk", "status", "party_size", "starts_at", "deposit_cents")
        ),
        "reservation_tables": sorted(
            ReservationTable.objects.values_list("reservation_id", "table__number").order_by()
        ),
        "sequences": sorted(DailySequence.objects.values_list("scope", "day", "last_value")),
    }


@pytest.mark.parametrize(
    ("stores", "days"),
    [(2, 3), (1, 17)],  # the longer history also gets the seed's own shifts before the service's window
    ids=["2-stores-3-days", "1-store-17-days"],
)
def test_seed_builds_consistent_demo_data(stores, days):
    out = io.StringIO()
    call_command("seed", f"--stores={stores}", f"--days={days}", f"--end-date={END}", stdout=out)
    output = out.getvalue()
    c = counts()
    for label in ("stores.Store", "orders.Order", "orders.OrderItem", "inventory.InventoryTransaction",
                  "scheduling.Shift", "reservations.Reservation", "kpis.KPIRecord"):  # fmt: skip
        assert c[label] > 0, label
    assert c["stores.Store"] == stores
    # Every demo store belongs to its site's region (East China 华东 ...), one row per region.
    regions = dict(Store.objects.values_list("pk", "region__code"))
    assert regions["STORE001"] == "east-china" and None not in regions.values()
    assert "orders.Order" in output and "rows written in" in output

    # Orders: totals from the items, IDs as orders.services makes them, timestamps in workflow order.
    sums = dict(OrderItem.objects.values("order_id").annotate(s=Sum("subtotal_cents")).values_list("order_id", "s"))
    id_re = re.compile(r"^(STORE\d{3})-(\d{8})-(\d{4})$")
    highest: dict[tuple[str, dt.date], int] = defaultdict(int)
    statuses = set()
    for order in Order.objects.all():
        assert order.subtotal_cents == sums[order.pk]
        assert order.created_at == order.order_time <= order.updated_at  # history keeps its own times
        assert order.total_cents == order.subtotal_cents - order.discount_cents >= 0
        m = id_re.match(order.pk)
        assert m and m.group(1) == order.store_id
        day = timezone.localdate(order.order_time)
        assert m.group(2) == f"{day:%Y%m%d}"
        highest[(order.store_id, day)] = max(highest[(order.store_id, day)], int(m.group(3)))
        stamps = [order.order_time, order.confirmed_at, order.preparing_at, order.ready_at, order.served_at,
                  order.completed_at]  # fmt: skip
        reached = [s for s in stamps if s is not None]
        assert stamps[: len(reached)] == reached, f"{order.pk}: a later step stamped without an earlier one"
        assert reached == sorted(reached), order.pk
        statuses.add(order.status)
        if order.status == Order.Status.COMPLETED:
            assert order.completed_at is not None
        if order.status == Order.Status.CANCELLED:
            assert order.cancelled_at and order.cancel_reason and order.completed_at is None
            assert order.cancelled_at >= reached[-1]
        else:
            assert order.cancelled_at is None
        if order.order_type == Order.Type.DINE_IN:
            assert order.table_id and order.waiter_id and order.guest_count >= 1
        else:
            assert order.sales_channel in ("pos", "mini_program", "phone", "app", "meituan", "eleme")
        if order.order_time.date() < END_DATE - dt.timedelta(days=1):
            assert order.status in (Order.Status.COMPLETED, Order.Status.CANCELLED)
    assert {"completed", "cancelled"} <= statuses
    assert statuses & {"pending", "confirmed", "preparing", "ready", "served"}, "today has open orders"
    # Later API orders continue each day's sequence.
    for (store_id, day), number in highest.items():
        seq = DailySequence.objects.get(scope=f"order:{store_id}", day=day)
        assert seq.last_value >= number

    # Inventory: the ledger adds up, row by row, never below zero; status matches the quantity.
    for item in InventoryItem.objects.all():
        rows = list(item.transactions.order_by("transaction_time", "created_at"))
        assert rows, item.pk
        running = Decimal("0")
        for row in rows:
            assert row.quantity_before == running, (item.pk, row.pk)
            assert row.quantity_after == row.quantity_before + row.quantity >= 0
            assert row.total_cost_cents == int((abs(row.quantity) * row.unit_cost_cents).to_integral_value()) or (
                abs(row.total_cost_cents - abs(row.quantity) * row.unit_cost_cents) <= 1
            )
            if row.transaction_type == InventoryTransaction.Type.WASTE:
                assert row.waste_reason
            running = row.quantity_after
            assert row.created_at == row.transaction_time
        assert item.current_quantity == running == sum((r.quantity for r in rows), Decimal("0"))
        assert item.status == InventoryItem.status_for(item.current_quantity, item.min_quantity)
        assert item.max_quantity >= item.min_quantity
    assert not InventoryTransaction.objects.exclude(performed_by__store=F("store")).exists()
    assert not Reservation.objects.filter(created_by__isnull=False).exclude(created_by__store=F("store")).exists()
    assert InventoryItem.objects.exclude(status=InventoryItem.Status.NORMAL).exists()
    assert InventoryTransaction.objects.filter(transaction_type="purchase").exists()
    assert InventoryTransaction.objects.filter(transaction_type="usage").exists()

    # Reservations: tables fit, never two non-cancelled bookings of a table overlapping.
    by_table = defaultdict(list)
    r_highest: dict[tuple[str, dt.date], int] = defaultdict(int)
    for res in Reservation.objects.prefetch_related("tables"):
        tables = list(res.tables.all())
        assert tables and all(t.store_id == res.store_id for t in tables)
        assert sum(t.capacity for t in tables) >= res.party_size
        assert (res.starts_at, res.ends_at) == Reservation.bounds(
            res.reservation_date, res.reservation_time, res.duration_minutes
        )
        m = re.match(r"^(STORE\d{3})-R(\d{8})-(\d{4})$", res.pk)
        assert m and m.group(2) == f"{res.reservation_date:%Y%m%d}"
        key = (res.store_id, res.reservation_date)
        r_highest[key] = max(r_highest[key], int(m.group(3)))
        if res.reservation_type == Reservation.Type.BANQUET:
            assert res.banquet_details["menu"] and res.estimated_budget_cents >= res.deposit_cents
        if res.status in Reservation.ACTIVE_STATUSES:
            for t in tables:
                by_table[t.pk].append((res.starts_at, res.ends_at, res.pk))
    for spans in by_table.values():
        spans.sort()
        for (_s1, e1, a), (s2, _e2, b) in zip(spans, spans[1:]):
            assert s2 >= e1, f"{a} and {b} overlap"
    for (store_id, day), number in r_highest.items():
        assert DailySequence.objects.get(scope=f"reservation:{store_id}", day=day).last_value >= number
    assert Reservation.objects.filter(reservation_date__gt=END_DATE, status__in=["pending", "confirmed"]).exists()

    # Shifts: one employee never in two places at once, only in their own store, within the weekly cap.
    by_employee = defaultdict(list)
    week_hours = defaultdict(float)
    caps = {}
    for shift in Shift.objects.select_related("schedule", "employee"):
        employee = shift.employee
        assert employee.store_id == shift.schedule.store_id
        assert (shift.starts_at, shift.ends_at) == Shift.bounds(
            shift.schedule.schedule_date, shift.start_time, shift.end_time
        )
        by_employee[employee.pk].append((shift.starts_at, shift.ends_at))
        week_hours[(employee.pk, shift.schedule.schedule_date.isocalendar()[:2])] += shift.hours
        caps[employee.pk] = employee.max_hours_per_week or 44
        assert shift.schedule.schedule_date.strftime("%a").lower() not in employee.preferences.get("days_off", [])
        if shift.ends_at <= timezone.make_aware(dt.datetime(2026, 11, 20, 19, 30)):
            assert shift.is_completed and shift.schedule.is_published
    for spans in by_employee.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:]):
            assert s2 >= e1
    for (employee_id, _week), hours in week_hours.items():
        assert hours <= caps[employee_id] + 1e-6
    first_day = END_DATE - dt.timedelta(days=days - 1)
    assert set(Schedule.objects.values_list("schedule_date", flat=True)) >= {
        first_day + dt.timedelta(days=i) for i in range(days)
    }, "every seeded day has a schedule (labor cost KPIs)"
    assert Schedule.objects.filter(schedule_date__lt=END_DATE, is_published=False).count() == 0
    assert Schedule.objects.filter(schedule_date__gt=END_DATE + dt.timedelta(days=3), is_published=False).exists()

    # People: every non-admin has a store; the store's manager is its demo manager with an employee row.
    # Store users belong to a store; the HQ logins (admin, area managers, finance) to none.
    assert (
        not User.objects.exclude(role__in=[Role.ADMIN, Role.AREA_MANAGER, Role.FINANCE])
        .filter(store__isnull=True)
        .exists()
    )
    for store in Store.objects.select_related("manager"):
        number = store.pk[-3:]
        assert store.manager.username == f"manager{number}"
        assert Employee.objects.get(user=store.manager).position == "manager"
        assert Employee.objects.get(user__username=f"staff{number}").store_id == store.pk
    assert KPIRecord.objects.filter(record_date=END_DATE).values("store").distinct().count() == stores
    assert KPIRecord.objects.filter(record_date=first_day).exists()


def test_printed_logins_authenticate():
    output = seed()
    logins = re.findall(r"^\s+(admin|manager\d{3}|staff\d{3})\s+(\S+)\s+(admin|manager|staff)", output, re.M)
    assert {u for u, _p, _r in logins} == {"admin", "manager001", "staff001", "manager002", "staff002"}
    assert {p for _u, p, _r in logins} == {DEFAULT_PASSWORD}
    for username, password, role in logins:
        # Logins need a request: the lockout (django-axes) counts per client.
        user = authenticate(RequestFactory().post("/"), username=username, password=password)
        assert user is not None and user.role == role
        validate_username(username)  # the seed's names follow the one username rule
    assert authenticate(RequestFactory().post("/"), username="manager001", password="wrong") is None
    # One hash, reused: every demo account shares it (bcrypt ran once).
    assert User.objects.values("password").distinct().count() == 1


def test_second_run_adds_nothing():
    seed()
    first = counts()
    output = seed()
    assert counts() == first
    assert "Already present (left unchanged): STORE001, STORE002" in output
    assert "password unchanged" in output


def test_more_stores_later_adds_only_the_new_ones():
    seed()
    before = Order.objects.filter(store_id="STORE001").count()
    call_command("seed", "--stores=3", "--days=3", f"--end-date={END}", "--quiet")
    assert Store.objects.count() == 3
    assert Order.objects.filter(store_id="STORE001").count() == before
    assert Order.objects.filter(store_id="STORE003").exists()
    assert User.objects.filter(username="manager003", store_id="STORE003").exists()


def test_same_seed_same_data_and_reset_regenerates():
    seed("--quiet")
    first = snapshot()
    seed("--reset", "--quiet")
    assert snapshot() == first
    seed("--reset", "--quiet", "--seed=7")
    assert snapshot()["orders"] != first["orders"]


@pytest.mark.postgres_only
def test_copy_and_bulk_create_paths_write_the_same_rows():
    seed("--quiet")
    copied = snapshot()
    seed("--reset", "--quiet", "--no-copy")
    assert snapshot() == copied


def test_reset_keeps_data_that_was_not_seeded():
    other = StoreFactory(id="MYSTORE", code="X01")
    User.objects.create_user("someone", email="someone@example.com", password="x-Strong-pass-1", store=other)
    seed("--quiet")
    seed("--reset", "--quiet")
    assert Store.objects.filter(pk="MYSTORE").exists()
    assert User.objects.filter(username="someone").exists()
    assert Store.objects.count() == 3


def test_api_orders_continue_the_seeded_sequence():
    from orders.services import order_create

    seed("--quiet")
    store = Store.objects.get(pk="STORE001")
    last = DailySequence.objects.get(scope="order:STORE001", day=END_DATE).last_value
    when = timezone.make_aware(dt.datetime(2026, 11, 20, 19, 45))
    order = order_create(
        store=store,
        items=[
            {
                "is_open_item": True,
                "item_code": "H001",
                "item_name": "宫保鸡丁 Kung Pao Chicken",
                "quantity": 1,
                "unit_price_cents": 4800,
            }
        ],
        order_time=when,
    )
    assert order.pk == f"STORE001-20261120-{last + 1:04d}"


@pytest.mark.parametrize(
    "args",
    [("--end-date=2026-13-01",), ("--stores=0",), ("--days=0",), ("--password=",)],
)
def test_bad_options_are_refused(args):
    with pytest.raises(CommandError):
        call_command("seed", "--quiet", *args)


def test_quiet_prints_nothing():
    out = io.StringIO()
    call_command("seed", *ARGS, "--quiet", stdout=out)
    assert out.getvalue() == ""
    assert connection.vendor in ("sqlite", "postgresql")
    assert Order.objects.values("store").annotate(n=Count("id")).count() == 2


def test_seed_prints_an_area_manager_per_region_and_finance_who_see_what_they_should():
    from stores.models import Store

    output = seed()
    logins = dict(re.findall(r"^\s+(area_\w+|finance)\s+\S+\s+(area_manager @ [\w-]+|finance @ chain)$", output, re.M))
    regions = sorted(set(Store.objects.values_list("region__code", flat=True)))
    assert logins == {
        **{f"area_{code.split('-')[0]}": f"area_manager @ {code}" for code in regions},
        "finance": "finance @ chain",
    }
    for code in regions:
        area = authenticate(
            RequestFactory().post("/"), username=f"area_{code.split('-')[0]}", password=DEFAULT_PASSWORD
        )
        assert area is not None and area.store_id is None
        assert set(Store.objects.for_user(area)) == set(Store.objects.filter(region__code=code))
    finance = authenticate(RequestFactory().post("/"), username="finance", password=DEFAULT_PASSWORD)
    assert finance.role == "finance" and Store.objects.for_user(finance).count() == Store.objects.count()
    # Idempotent: a second run leaves them as they are.
    again = seed()
    assert User.objects.filter(role__in=["area_manager", "finance"]).count() == len(logins)
    assert "finance" in again


def test_seeded_waitlist_week_goes_through_the_services_and_feeds_the_kpis():
    from auditlog.models import LogEntry

    from waitlist.models import WaitlistTicket

    seed()
    tickets = WaitlistTicket.objects.filter(store_id="STORE001")
    assert tickets.count() > 10
    assert set(tickets.values_list("business_date", flat=True)) == {END_DATE - dt.timedelta(days=n) for n in range(3)}
    statuses = set(tickets.values_list("status", flat=True))
    assert {"seated", "cancelled"} <= statuses
    for ticket in tickets.filter(status="seated"):
        assert ticket.issued_at <= ticket.called_at <= ticket.seated_at and ticket.table_id
        assert ticket.created_by.username == "staff001"
    # Each number was taken by the service: its audit entry and its counter.
    assert LogEntry.objects.filter(additional_data__event="waitlist.issue").count() == WaitlistTicket.objects.count()
    seated = KPIRecord.objects.get(store_id="STORE001", kpi_id="KPI_WALK_INS_SEATED", record_date=END_DATE)
    assert seated.value == tickets.filter(business_date=END_DATE, status="seated").count()
    assert KPIRecord.objects.filter(kpi_id="KPI_AVERAGE_WAIT", value__gt=0).exists()
