"""Guards for what the chain-scale benchmark (bench/) found: query counts and plan shapes
(docs/architecture.md, "Data volume and indexes").

No test here measures time. They hold the properties that made the hot paths fast, so a later change
cannot silently undo them: constant query counts, the indexes behind the hot filters, the estimated
count of huge unfiltered changelists, and the hand-written serializer output staying equal to the
declared fields.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from inventory.tests.factories import InventoryItemFactory
from orders.models import Order
from orders.serializers import OrderLineSerializer, OrderSerializer
from orders.tests.factories import OrderFactory
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.admin import EstimatedCountPaginator
from zhilian.testing.queries import assert_constant_queries, count_queries

DAY = dt.date(2026, 11, 20)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(hour, minute)))


def four_lines(n: int) -> list[tuple[str, str, int, int]]:
    return [(f"D{n}{k}", f"Dish {k}", 1 + k % 3, 1200 + 100 * k) for k in range(4)]


def make_orders(store, count: int, *, start: int = 0):
    table = TableFactory(store=store)
    waiter = EmployeeFactory(store=store)
    for n in range(start, start + count):
        OrderFactory(
            store=store,
            table=table if n % 2 else None,
            waiter=waiter if n % 3 else None,
            order_time=at(11, 0) + dt.timedelta(minutes=5 * n),
            items=four_lines(n),
        )


def rendered(data) -> object:
    return json.loads(JSONRenderer().render(data))


# --- query counts independent of the page size ------------------------------------------------------


@pytest.mark.django_db
def test_order_list_of_a_store_day_runs_the_same_queries_for_5_and_50_orders(store, manager, client_for):
    client = client_for(manager)
    made = {"n": 0}

    def make_rows(n: int) -> None:
        make_orders(store, n, start=made["n"])
        made["n"] += n

    def fetch():
        response = client.get("/api/v1/orders/", {"store": store.pk, "date": DAY.isoformat(), "page_size": 50})
        assert response.status_code == 200
        return response

    few, many = assert_constant_queries(make_rows, fetch)
    assert few.json()["count"] == 5 and many.json()["count"] == 50
    assert all(len(order["items"]) == 4 for order in many.json()["results"])


@pytest.mark.django_db
def test_order_list_needs_at_most_four_queries_and_leaves_unshown_columns(store, manager, client_for):
    # user (JWT), count, page, items: the table and the waiter are joined, the items prefetched.
    make_orders(store, 12)
    client = client_for(manager)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/orders/", {"store": store.pk, "date": DAY.isoformat(), "page_size": 50})
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 4
    selected = " ".join(q["sql"].split(" FROM ")[0] for q in ctx.captured_queries)
    # Decoding these (JSON, timestamps) for every row of a page was a third of the list's time.
    for column in ('"stores_employee"."skills"', '"stores_employee"."preferences"', '"orders_orderitem"."created_at"'):
        assert column not in selected


@pytest.mark.django_db
def test_inventory_and_reservation_lists_run_constant_queries(store, manager, client_for):
    client = client_for(manager)
    table = TableFactory(store=store, capacity=8)

    def make_items(n: int) -> None:
        start = InventoryItemFactory._meta.model.objects.count()
        for k in range(n):
            InventoryItemFactory(store=store, name=f"Item {start + k}")

    assert_constant_queries(make_items, lambda: client.get("/api/v1/inventory-items/", {"store": store.pk}))

    day = timezone.localdate() + dt.timedelta(days=3)

    def make_reservations(n: int) -> None:
        for _ in range(n):
            reservation = ReservationFactory(store=store, reservation_date=day)
            reservation.tables.add(table)

    assert_constant_queries(
        make_reservations,
        lambda: client.get("/api/v1/reservations/", {"store": store.pk, "date": day.isoformat()}),
    )


@pytest.mark.django_db
def test_inventory_and_reservation_lists_read_no_store_row(store, manager, client_for):
    # The lists show the store's id, which their own rows hold: no store columns are read (they
    # were, for every row, through select_related("store")).
    client = client_for(manager)
    table = TableFactory(store=store)
    InventoryItemFactory(store=store)
    ReservationFactory(store=store, reservation_date=DAY, tables=[table])
    for url, params, most in (
        ("/api/v1/inventory-items/", {"store": store.pk}, 3),  # user (JWT), count, page
        ("/api/v1/reservations/", {"store": store.pk, "date": DAY.isoformat()}, 4),  # ... and their tables
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).json()["count"] == 1
        assert len(ctx.captured_queries) <= most
        selected = " ".join(q["sql"].split(" FROM ")[0] for q in ctx.captured_queries)
        assert '"stores_store"."name"' not in selected and '"stores_table"."created_at"' not in selected


@pytest.mark.django_db
def test_dashboard_summary_runs_constant_queries(store, manager, client_for):
    client = client_for(manager)
    made = {"n": 0}

    def make_rows(n: int) -> None:
        make_orders(store, n, start=made["n"])
        made["n"] += n

    assert_constant_queries(
        make_rows, lambda: client.get("/api/v1/kpis/dashboard/", {"store": store.pk, "date": DAY.isoformat()})
    )


@pytest.mark.django_db
def test_shift_list_of_a_week_runs_three_queries_and_leaves_unshown_columns(store, manager, client_for):
    # user (the test's JWT), count and page: the schedule and the employee joined, only the shown columns read. Through
    # select_related every shift decoded its schedule's generation report and its employee's
    # skills and preferences (JSON) into model instances nobody showed.
    from scheduling.tests.factories import ScheduleFactory, ShiftFactory

    client = client_for(manager)
    schedules = [ScheduleFactory(store=store, schedule_date=DAY + dt.timedelta(days=n)) for n in range(7)]

    def make_shifts(n: int) -> None:
        for k in range(n):
            ShiftFactory(schedule=schedules[k % 7])

    params = {"store": store.pk, "date_from": DAY.isoformat(), "date_to": (DAY + dt.timedelta(days=6)).isoformat()}
    few, many = assert_constant_queries(make_shifts, lambda: client.get("/api/v1/shifts/", params | {"page_size": 100}))
    assert many.json()["count"] == 50
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/shifts/", params | {"page_size": 100})
    assert len(ctx.captured_queries) == 3
    selected = " ".join(q["sql"].split(" FROM ")[0] for q in ctx.captured_queries)
    for column in ('"generation_report"', '"skills"', '"preferences"', '"hourly_wage_cents"'):
        assert column not in selected


@pytest.mark.django_db
def test_dashboard_summary_needs_twelve_queries(store, manager, client_for):
    # The user (the test's JWT), the store, then one query per part (dashboard.selectors): the 14
    # days' figures and the day's totals are one grouped query, a reservation's tables are joined;
    # the food cost panel's dish sales and latest actual food cost, the dish ranking. (A day with
    # dish sales adds the recipes and the unit costs: dashboard/tests/test_food_cost_panel.py.)
    make_orders(store, 5)
    client = client_for(manager)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/kpis/dashboard/", {"store": store.pk, "date": DAY.isoformat()})
    assert response.status_code == 200
    assert len(ctx.captured_queries) == 12


@pytest.mark.django_db
def test_admin_order_changelist_runs_constant_queries(store, admin_user, client):
    client.force_login(admin_user)
    made = {"n": 0}

    def make_rows(n: int) -> None:
        make_orders(store, n, start=made["n"])
        made["n"] += n

    params = {
        "store__id__exact": store.pk,
        "order_time__year": DAY.year,
        "order_time__month": DAY.month,
        "order_time__day": DAY.day,
    }
    few, many = assert_constant_queries(make_rows, lambda: client.get("/admin/orders/order/", params))
    assert few.status_code == many.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_order_changelist_as_manager_runs_constant_queries(store, manager, client, language):
    """The bench's "one day, as the store's manager" page: its rows load only `list_only_fields`,
    so a field a column or a related __str__ reads and the list leaves out would be a query per
    row (make_orders gives rows with and without table and waiter)."""
    client.force_login(manager)
    client.cookies["django_language"] = language
    made = {"n": 0}

    def make_rows(n: int) -> None:
        make_orders(store, n, start=made["n"])
        made["n"] += n

    params = {"order_time__year": DAY.year, "order_time__month": DAY.month, "order_time__day": DAY.day}
    few, many = assert_constant_queries(make_rows, lambda: client.get("/admin/orders/order/", params))
    assert few.status_code == many.status_code == 200
    assert many.content.count(b'class="action-select"') == 50


# --- hand-written representations stay equal to the declared fields ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_order_representation_equals_the_declared_fields(store, zone):
    make_orders(store, 6)
    with timezone.override(zone):
        _check_order_representations()


def _check_order_representations():
    orders = Order.objects.select_related("table", "waiter").prefetch_related("items")
    statuses = list(Order.Status.values)
    for n, order in enumerate(orders):
        order.status = statuses[n % len(statuses)]
        order.confirmed_at = at(12) if n % 2 else None
        order.metadata = {"n": n, "nested": {"a": [1, 2]}}
        serializer = OrderSerializer(order)
        generic = serializers.ModelSerializer.to_representation(serializer, order)
        assert rendered(serializer.data) == rendered(generic)
        assert list(serializer.data) == list(generic)  # same keys, same order
        for item in order.items.all():
            line = OrderLineSerializer(item)
            assert rendered(line.data) == rendered(serializers.ModelSerializer.to_representation(line, item))


# --- estimated counts on huge unfiltered changelists ---------------------------------------------


@pytest.mark.django_db
def test_paginator_counts_exactly_when_filtered_or_small(store):
    make_orders(store, 3)
    assert EstimatedCountPaginator(Order.objects.filter(store=store).order_by("pk"), 50).count == 3
    assert EstimatedCountPaginator(Order.objects.order_by("pk"), 50).count == 3  # far below the threshold


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_paginator_uses_the_planner_estimate_for_a_huge_result(store, monkeypatch):
    make_orders(store, 3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", 2)
    queries, count = count_queries(lambda: EstimatedCountPaginator(Order.objects.order_by("pk"), 50).count)
    assert count == 3  # the planner's estimate after ANALYZE: no COUNT(*) ran
    assert queries == 1
    # An expected result at or below the threshold is counted exactly (EXPLAIN, then COUNT).
    queries, count = count_queries(lambda: EstimatedCountPaginator(Order.objects.filter(status="x"), 50).count)
    assert (queries, count) == (2, 0)


def test_order_admin_uses_the_estimating_paginator():
    model_admin = site._registry[Order]
    assert model_admin.paginator is EstimatedCountPaginator
    assert model_admin.show_full_result_count is False
    request = RequestFactory().get("/admin/orders/order/")
    assert set(model_admin.get_list_select_related(request)) >= {"store", "table", "waiter"}


# --- plan shapes on PostgreSQL ---------------------------------------------------------------------


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        # With a handful of rows a sequential scan is cheapest; what matters is that an index CAN serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def index_columns(table: str) -> dict[str, list[str]]:
    """index name -> its key columns, in order (expressions appear as their text)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, array_agg(pg_get_indexdef(x.indexrelid, k.n, true) ORDER BY k.n)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            CROSS JOIN LATERAL generate_series(1, x.indnkeyatts) AS k(n)
            WHERE t.relname = %s
            GROUP BY i.relname
            """,
            [table],
        )
        return {name: list(columns) for name, columns in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_store_day_order_query_is_served_by_the_store_time_index(store, other_store):
    # The API's order list of a store and day (and the dashboard, and the admin's store + day
    # changelist) filter store_id = X AND order_time in [day): a (store_id, order_time) index
    # serves it without touching other stores' rows.
    indexes = index_columns("orders_order")
    assert indexes["order_store_time_idx"] == ["store_id", "order_time"]
    # ...and no store-only index beside it: with rows loaded store by store it looked perfectly
    # correlated, and the planner read a store's whole history through it for one day's orders.
    assert ["store_id"] not in indexes.values(), indexes
    make_orders(store, 5)
    make_orders(other_store, 5)
    lo, hi = at(0), at(0) + dt.timedelta(days=1)
    queryset = Order.objects.filter(store=store, order_time__gte=lo, order_time__lt=hi).order_by("-order_time", "-id")
    sql, params = queryset[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        # Tiny tables: keep the planner off the single-column time index, which at scale reads
        # every store's orders of the day; the composite one must then serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert "Index Cond" in plan and "store_id" in plan.split("Index Cond", 1)[1], plan


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_order_search_by_phone_uses_the_trigram_indexes(store):
    make_orders(store, 5)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'orders_order' AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names >= {"order_id_trgm_idx", "order_customer_phone_trgm_idx", "order_customer_name_trgm_idx"}
    # The admin's and the API's search: icontains over id, customer phone and name, OR-ed.
    from django.db.models import Q

    term = "13800001234"
    queryset = Order.objects.filter(
        Q(id__icontains=term) | Q(customer_phone__icontains=term) | Q(customer_name__icontains=term)
    ).order_by()
    # Unordered (as the changelist's count runs it): with tiny tables an ordered LIMIT walks the
    # time index instead, which at scale would read the whole table for a rare phone.
    sql, params = queryset.query.sql_with_params()
    plan = explain(sql, params)
    assert "order_customer_phone_trgm_idx" in plan, plan
    assert "Seq Scan on orders_order" not in plan, plan


# --- the admin's date hierarchy: Django's answers, without full-table scans ------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fetch_at_most", [0, 5000], ids=["probe-periods", "fetch-timestamps"])
def test_cheap_date_hierarchy_answers_as_djangos(store, other_store, admin_user, monkeypatch, fetch_at_most):
    from django.contrib.admin.templatetags import admin_list

    from zhilian.templatetags import zhilian_admin

    monkeypatch.setattr(zhilian_admin, "FETCH_AT_MOST", fetch_at_most)
    moments = [dt.datetime(2025, 12, 31, 23, 30), dt.datetime(2026, 1, 1, 0, 15), dt.datetime(2026, 3, 5, 12)]
    for n, when in enumerate([*moments, dt.datetime.combine(DAY, dt.time(12))]):
        store_of = store if n % 2 else other_store
        OrderFactory(store=store_of, order_time=timezone.make_aware(when), customer_phone=f"1370000{n:04d}")
    model_admin = site._registry[Order]
    cases = [
        {},
        {"order_time__year": "2026"},
        {"order_time__year": "2026", "order_time__month": "1"},
        {"order_time__year": "2026", "order_time__month": "1", "order_time__day": "1"},
        {"store__id__exact": store.pk},
        {"q": "13700000002"},
        {"q": "no such phone"},
    ]
    for params in cases:
        request = RequestFactory().get("/admin/orders/order/", params)
        request.user = admin_user
        cl = model_admin.get_changelist_instance(request)
        assert zhilian_admin.cheap_date_hierarchy(cl) == admin_list.date_hierarchy(cl), params


@pytest.mark.django_db
@pytest.mark.django_db
def test_cheap_date_hierarchy_of_a_day_asks_nothing(store, manager):
    """A day's page shows the day and a link back to its month: no query (Django's asks none either)."""
    from zhilian.templatetags import zhilian_admin

    make_orders(store, 3)
    day = {"order_time__year": DAY.year, "order_time__month": DAY.month, "order_time__day": DAY.day}
    request = RequestFactory().get("/admin/orders/order/", day)
    request.user = manager
    cl = site._registry[Order].get_changelist_instance(request)
    queries, hierarchy = count_queries(lambda: zhilian_admin.cheap_date_hierarchy(cl))
    assert queries == 0
    assert len(hierarchy["choices"]) == 1


def test_order_changelist_renders_the_cheap_date_hierarchy(store, admin_user, client):
    client.force_login(admin_user)
    make_orders(store, 2)
    response = client.get("/admin/orders/order/")
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert names[0] == "admin/orders/order/change_list.html"
    assert "admin/date_hierarchy.html" in names


@pytest.mark.django_db
def test_reserved_table_representation_equals_its_serializer(store):
    from reservations.serializers import ReservedTableField, ReservedTableSerializer
    from stores.models import Table

    for table in (TableFactory(store=store), TableFactory(store=store, room_name="牡丹厅 Peony")):
        fast = ReservedTableField(queryset=Table.objects.all()).to_representation(table)
        assert rendered(fast) == rendered(ReservedTableSerializer(table).data)
        assert list(fast) == list(ReservedTableSerializer(table).data)


# --- the chain-scale data set ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), (3, 30)),
        (("--scale", "chain"), (30, 365)),  # the benchmark's data set: over a million orders
        (("--scale", "chain", "--stores", "2"), (2, 365)),
        (("--days", "7"), (3, 7)),
    ],
)
def test_seed_scale_presets(monkeypatch, args, expected):
    from django.core.management import call_command

    from zhilian.management.commands import seed

    seen = {}

    def fake_run_seed(options, log=None):
        seen["size"] = (options.stores, options.days)
        raise seed.SeedError("stop here")

    monkeypatch.setattr(seed, "run_seed", fake_run_seed)
    with pytest.raises(seed.CommandError):
        call_command("seed", *args, "--quiet")
    assert seen["size"] == expected
