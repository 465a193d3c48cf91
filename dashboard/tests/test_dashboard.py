"""GET /api/v1/kpis/dashboard/ and dashboard_summary (docs/api.md)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboard.selectors import dashboard_summary
from inventory.tests.factories import InventoryItemFactory
from kpis.events import record_payload
from kpis.models import KPIRecord
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from kpis.tests.helpers import local, order
from notifications.models import Notification
from orders.models import Order
from reservations.tests.factories import ReservationFactory
from scheduling.models import Schedule
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.testing.queries import assert_constant_queries

URL = "/api/v1/kpis/dashboard/"
DAY = dt.date(2026, 11, 20)
D = Decimal
S = Order.Status


@pytest.fixture
def board(actors):
    store = actors.store
    a12 = TableFactory(store=store, number="A12")
    a1, a2 = TableFactory(store=store, number="A1"), TableFactory(store=store, number="A2")
    order(store, local(DAY, 11, 30), 200_00, id="O-3", status=S.PREPARING, table=a12, guest_count=3)
    order(store, local(DAY, 11), 100_00, id="O-1", status=S.PENDING, customer_name="Li Lei")
    order(store, local(DAY, 12), 300_00, id="O-4", status=S.COMPLETED, guest_count=4)
    order(store, local(DAY, 13), 999_00, id="O-5", status=S.CANCELLED)
    order(store, local(DAY - dt.timedelta(days=2), 12), 50_00, status=S.COMPLETED)
    order(store, local(DAY - dt.timedelta(days=20), 12), 70_00, status=S.COMPLETED)  # outside the 14 days
    order(actors.other_store, local(DAY, 12), 800_00, status=S.COMPLETED)

    ReservationFactory(store=store, reservation_date=DAY, reservation_time=dt.time(19), id="R-2", tables=[a2, a1],
                       party_size=8, customer_name="Han Meimei")  # fmt: skip
    ReservationFactory(store=store, reservation_date=DAY, reservation_time=dt.time(12), id="R-1")
    ReservationFactory(store=store, reservation_date=DAY + dt.timedelta(days=1))

    schedule = ScheduleFactory(store=store, schedule_date=DAY)
    ShiftFactory(schedule=schedule, employee=EmployeeFactory(store=store, id="EMP001", name="Wang"),
                 start_time=dt.time(9), end_time=dt.time(15))  # fmt: skip

    InventoryItemFactory(store=store, id="INV1", name="Pork", current_quantity=D("0"))
    InventoryItemFactory(store=store, id="INV2", name="Rice", current_quantity=D("4"))  # min 10: critical
    InventoryItemFactory(store=store, id="INV3", name="Salt", current_quantity=D("40"))  # normal
    InventoryItemFactory(store=store, id="INV4", name="Old", current_quantity=D("0"), is_active=False)

    kpi = KPIFactory(id="KPI_REV", name="Revenue")
    KPIRecordFactory(kpi=kpi, store=store, record_date=DAY, value=D("600"), status="off_track", trend="increasing")
    KPIRecordFactory(kpi=kpi, store=store, record_date=DAY - dt.timedelta(days=1))

    Notification.objects.create(recipient=actors.manager, kind="system", title="a")
    Notification.objects.create(recipient=actors.manager, kind="system", title="b", read_at=timezone.now())
    Notification.objects.create(recipient=actors.staff, kind="system", title="c")
    return store


def test_dashboard_contents(actors, client_for, board):
    response = client_for(actors.manager).get(URL, {"date": "2026-11-20"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store"] == {"id": "STORE001", "name": actors.store.name}
    assert body["date"] == "2026-11-20"
    assert body["figures"] == {
        "revenue_cents": 600_00,
        "order_count": 3,
        "average_check_cents": 200_00,
        "guest_count": 8,
        "open_order_count": 2,
    }
    (kpi,) = body["kpis"]
    assert kpi["kpi"] == "KPI_REV" and kpi["name"] == "Revenue" and kpi["value"] == "600.0000"
    assert kpi["status"] == "off_track" and kpi["trend"] == "increasing" and kpi["target_value"] == "10000.0000"
    assert len(body["revenue_14d"]) == 14
    assert body["revenue_14d"][0] == {"date": "2026-11-07", "revenue_cents": 0, "order_count": 0}
    assert body["revenue_14d"][-1] == {"date": "2026-11-20", "revenue_cents": 600_00, "order_count": 3}
    assert body["revenue_14d"][-3] == {"date": "2026-11-18", "revenue_cents": 50_00, "order_count": 1}
    assert body["orders_by_status"] == {
        "pending": 1, "confirmed": 0, "preparing": 1, "ready": 0, "served": 0, "completed": 1, "cancelled": 1,
    }  # fmt: skip
    assert [o["id"] for o in body["open_orders"]] == ["O-1", "O-3"]  # oldest first
    first, second = body["open_orders"]
    assert first["table"] is None and first["customer_name"] == "Li Lei" and first["total_cents"] == 100_00
    assert second["table"] == "A12" and second["status"] == "preparing" and second["order_type"] == "dine_in"
    assert second["order_time"].startswith("2026-11-20T11:30:00")
    assert [r["id"] for r in body["reservations"]] == ["R-1", "R-2"]
    assert body["reservations"][1] == {
        "id": "R-2", "customer_name": "Han Meimei", "party_size": 8, "reservation_time": "19:00:00",
        "status": "pending", "reservation_type": "regular", "tables": ["A1", "A2"],
    }  # fmt: skip
    (shift,) = body["shifts"]
    assert shift["employee"] == "EMP001" and shift["employee_name"] == "Wang"
    assert shift["start_time"] == "09:00:00" and shift["end_time"] == "15:00:00" and shift["is_confirmed"] is False
    assert [(i["id"], i["status"]) for i in body["low_stock"]] == [("INV2", "critical"), ("INV1", "out_of_stock")]
    assert body["low_stock"][0]["current_quantity"] == "4.000"
    assert body["unread_notifications"] == 1


def test_staff_see_only_published_shifts(actors, client_for, board):
    client = client_for(actors.staff)
    body = client.get(URL, {"date": "2026-11-20"}).json()
    assert body["shifts"] == []
    assert body["unread_notifications"] == 1
    Schedule.objects.filter(store=board).update(is_published=True, published_at=timezone.now())
    assert len(client.get(URL, {"date": "2026-11-20"}).json()["shifts"]) == 1


def test_dashboard_store_rules(actors, client_for, board):
    admin = client_for(actors.admin)
    response = admin.get(URL)
    assert response.status_code == 400 and "store" in response.json()
    assert admin.get(URL, {"store": "STORE002"}).json()["store"]["id"] == "STORE002"
    assert client_for(actors.manager).get(URL, {"store": "STORE002"}).status_code == 404
    assert client_for(actors.staff).get(URL, {"store": "STORE002"}).status_code == 404
    assert client_for(actors.manager).get(URL, {"store": "NOPE"}).status_code == 404
    assert client_for(actors.manager).get(URL, {"date": "2026-02-30"}).status_code == 400
    body = client_for(actors.other_staff).get(URL).json()
    assert body["store"]["id"] == "STORE002"
    assert body["date"] == timezone.localdate().isoformat()  # today by default


def test_anonymous_is_refused(anon_client, db):
    assert anon_client.get(URL).status_code == 401


def test_dashboard_query_count_is_constant(actors, client_for, board):
    store = actors.store
    client = client_for(actors.manager)
    counter = iter(range(1000))

    def make_rows(n):
        for _ in range(n):
            i = next(counter)
            table = TableFactory(store=store, number=f"Q{i}")
            order(store, local(DAY, 10, i % 60), 10_00, table=table, status=S.CONFIRMED)
            order(store, local(DAY - dt.timedelta(days=i % 13), 9), 10_00, status=S.COMPLETED)
            ReservationFactory(store=store, reservation_date=DAY, reservation_time=dt.time(20), tables=[table])
            ShiftFactory(schedule=Schedule.objects.get(store=store, schedule_date=DAY))
            InventoryItemFactory(store=store, current_quantity=D("1"))
            KPIRecordFactory(store=store, record_date=DAY)
            Notification.objects.create(recipient=actors.manager, kind="system", title="n")

    few, many = assert_constant_queries(make_rows, lambda: client.get(URL, {"date": "2026-11-20"}))
    assert len(many.json()["open_orders"]) == 52
    assert len(many.json()["reservations"]) == 52


def test_summary_service_bounds_queries(actors, board, django_assert_max_num_queries):
    # The 14 days with the day's totals and statuses, KPIs, open orders, reservations with their
    # tables, shifts, low stock, unread notifications: one query each; the food cost panel (the
    # day's dish sales, recipes and unit costs, the latest actual food cost) and the dish ranking.
    with django_assert_max_num_queries(12):
        summary = dashboard_summary(store=board, day=DAY, user=actors.manager)
    assert summary["figures"]["order_count"] == 3


def test_kpi_entries_have_the_shape_of_the_kpi_updated_event(actors, client_for, board):
    """The page merges `kpi.updated` records into the dashboard's KPI list: one shape for both."""
    body = client_for(actors.manager).get(URL, {"date": "2026-11-20"}).json()
    record = KPIRecord.objects.select_related("kpi").get(store=board, record_date=DAY)
    assert body["kpis"] == [record_payload(record)]


# --- the response built from rows equals the declared serializers ------------------------------------


def instance_summary(*, store, day: dt.date, user) -> dict:
    """The summary as model instances, the way DashboardSerializer renders it (the selector before
    it built the response from rows)."""
    from django.db.models import Count, Q, Sum

    from dashboard.selectors import (
        DASHBOARD_DAYS,
        DASHBOARD_OPEN_ORDERS,
        LOW_STATUSES,
        OPEN_EXCLUDED,
        _dish_ranking,
        _food_cost,
    )
    from inventory.models import InventoryItem
    from orders.selectors import NOT_CANCELLED, daily_order_figures
    from reservations.models import Reservation
    from scheduling.models import Shift
    from zhilian.dates import days_between, local_day_bounds

    lo, hi = local_day_bounds(day)
    day_orders = Order.objects.filter(store=store, order_time__gte=lo, order_time__lt=hi)
    totals = day_orders.order_by().aggregate(
        revenue_cents=Sum("total_cents", filter=NOT_CANCELLED, default=0),
        order_count=Count("pk", filter=NOT_CANCELLED),
        guest_count=Sum("guest_count", filter=NOT_CANCELLED, default=0),
        open_order_count=Count("pk", filter=~Q(status__in=OPEN_EXCLUDED)),
        **{f"status_{s}": Count("pk", filter=Q(status=s)) for s in Order.Status.values},
    )
    first = day - dt.timedelta(days=DASHBOARD_DAYS - 1)
    daily = {row["day"]: row for row in daily_order_figures([store.pk], first, day)}
    count, revenue = totals["order_count"], int(totals["revenue_cents"])
    return {
        "store": store,
        "date": day,
        "figures": {
            "revenue_cents": revenue,
            "order_count": count,
            "average_check_cents": int((D(revenue) / count).quantize(D(1), "ROUND_HALF_UP")) if count else 0,
            "guest_count": int(totals["guest_count"]),
            "open_order_count": totals["open_order_count"],
        },
        "kpis": list(
            KPIRecord.objects.filter(store=store, record_date=day, kpi__is_active=True)
            .select_related("kpi")
            .order_by("kpi__category", "kpi_id")
        ),
        "revenue_14d": [
            {
                "date": d,
                "revenue_cents": int(daily[d]["revenue_cents"]) if d in daily else 0,
                "order_count": daily[d]["order_count"] if d in daily else 0,
            }
            for d in days_between(first, day)
        ],
        "orders_by_status": {s: totals[f"status_{s}"] for s in Order.Status.values},
        "open_orders": list(
            day_orders.exclude(status__in=OPEN_EXCLUDED)
            .select_related("table")
            .order_by("order_time", "pk")[:DASHBOARD_OPEN_ORDERS]
        ),
        "reservations": list(
            Reservation.objects.filter(store=store, reservation_date=day)
            .prefetch_related("tables")
            .order_by("reservation_time", "pk")
        ),
        "shifts": list(
            Shift.objects.for_user(user)
            .filter(schedule__store=store, schedule__schedule_date=day)
            .select_related("employee")
            .order_by("start_time", "employee_id")
        ),
        "low_stock": list(
            InventoryItem.objects.filter(store=store, is_active=True, status__in=LOW_STATUSES).order_by(
                "status", "name"
            )
        ),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        # Plain values already (dashboard/tests/test_food_cost_panel.py checks them by hand).
        "food_cost": _food_cost(store, day, revenue),
        "dish_ranking": _dish_ranking(store, day),
        "pace": None,  # the guard's days are never today (dashboard/tests/test_pace.py)
    }


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_summary_from_rows_renders_as_the_declared_serializer(actors, board, zone):
    from rest_framework.renderers import JSONRenderer

    from dashboard.serializers import DashboardSerializer

    # Null KPI decimals, an inactive KPI, a reservation without tables and a day with nothing at all.
    KPIRecordFactory(kpi=KPIFactory(id="KPI_Z", category="aaa"), store=board, record_date=DAY, target_value=None,
                     achievement_rate=None, change_rate=None)  # fmt: skip
    KPIRecordFactory(kpi=KPIFactory(id="KPI_OFF", is_active=False), store=board, record_date=DAY)
    ReservationFactory(store=board, reservation_date=DAY, reservation_time=dt.time(19), id="R-3")
    banquet = [TableFactory(store=board, number=f"B{n}") for n in (9, 1, 7, 3, 5)]
    ReservationFactory(store=board, reservation_date=DAY, reservation_time=dt.time(18), id="R-4", tables=banquet)
    with timezone.override(zone):
        for user in (actors.manager, actors.staff, actors.admin):
            for day in (DAY, DAY - dt.timedelta(days=2), DAY + dt.timedelta(days=40)):
                fast = dashboard_summary(store=board, day=day, user=user)
                declared = DashboardSerializer(instance_summary(store=board, day=day, user=user)).data
                assert JSONRenderer().render(fast) == JSONRenderer().render(declared), (zone, user, day)
