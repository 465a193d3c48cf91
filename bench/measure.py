"""The measurements: the API over HTTP (reads beside their floor, writes), the admin changelists
and the KPI jobs, each as rows of the result table with its goal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import time

import httpx

from bench.floor import Floor
from bench.load import BenchError, Throughput, check, latency, throughput, time_sync
from bench.rows import (
    GOAL_ADMIN_MANAGER_DAY_MS,
    GOAL_ADMIN_MS,
    GOAL_CHAIN_REPORT_MS,
    GOAL_KPI_DAY_MS,
    GOAL_MENU_WRITE_SHARE,
    GOAL_ORDER_LIST_RATIO,
    GOAL_READ_P50_MS,
    GOAL_VARIANCE_MS,
    Row,
    fmt_row,
)
from bench.sample import Sample

PASSWORD = "zhilian-demo-2026"

# --- HTTP ------------------------------------------------------------------------------------------


# gunicorn closes a keep-alive connection idle for `keepalive` (5 s, gunicorn.conf.py); a client
# that reused one just then would see its request cut (httpx does not retry a POST). Clients that
# wait their turn (the write clients during the one-client latency run) drop idle connections first.
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)


def http_client(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=60, limits=CLIENT_LIMITS)


async def jwt_client(base: str, username: str) -> httpx.AsyncClient:
    client = http_client(base)
    r = check(await client.post("/api/v1/auth/login/", json={"username": username, "password": PASSWORD}))
    client.headers["Authorization"] = f"Bearer {r.json()['access']}"
    return client


async def session_client(base: str, username: str) -> httpx.AsyncClient:
    client = http_client(base)
    page = check(await client.get("/admin/login/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = await client.post(
        "/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/admin/"},
        headers={"Referer": f"{base}/admin/login/"},
    )
    if r.status_code != 302 or "sessionid" not in client.cookies:
        raise BenchError(f"admin login as {username} failed: {r.status_code}")
    return client


def get(url: str, params: dict | None = None, *, expect: str | None = None):
    async def call(client: httpx.AsyncClient, _i: int) -> int:
        r = check(await client.get(url, params=params))
        if expect is not None and expect not in r.text:
            raise BenchError(f"{url} {params}: the response lacks {expect!r}")
        return len(r.content)

    return call


async def measure_reads(base: str, s: Sample, floor: Floor, args: argparse.Namespace) -> list[Row]:
    day = s.day.isoformat()
    reads = [
        (
            "order list (1 store, 1 day, items, page_size=50)",
            get("/api/v1/orders/", {"store": s.store, "date": day, "page_size": 50}),
            "order_list",
            {"store": s.store, "lo": s.lo, "hi": s.hi, "limit": 50},
        ),
        ("order detail", get(f"/api/v1/orders/{s.order_id}/"), "order_detail", {"store": s.store, "order": s.order_id}),
        (
            "inventory items of a store",
            get("/api/v1/inventory-items/", {"store": s.store, "page_size": 50}),
            "inventory_list",
            {"store": s.store, "limit": 50},
        ),
        (
            "reservations of a day",
            get("/api/v1/reservations/", {"store": s.store, "date": day, "page_size": 50}),
            "reservation_list",
            {"store": s.store, "day": s.day, "limit": 50},
        ),
        (
            "dashboard summary",
            get("/api/v1/kpis/dashboard/", {"store": s.store, "date": day}),
            "dashboard",
            {
                "store": s.store,
                "day": s.day,
                "lo": s.lo,
                "hi": s.hi,
                "lo14": s.lo - dt.timedelta(days=13),
                "tz": os.environ.get("TIME_ZONE", "Asia/Shanghai"),
                "user": s.user_id,
            },
        ),
    ]
    week = {"store": s.store, "date_from": (s.day - dt.timedelta(days=6)).isoformat(), "date_to": day}
    one_day = {"store": s.store, "date_from": day, "date_to": day}
    reads += [  # no floor: their JSON is measured, not rebuilt in SQL
        ("KPI records of a store-day", get("/api/v1/kpis/records/", one_day), None, {}),
        ("shifts of a week", get("/api/v1/shifts/", week | {"page_size": 100}), None, {}),
        ("notifications: unread count", get("/api/v1/notifications/unread-count/"), None, {}),
    ]  # fmt: skip
    username = f"manager{s.store[len('STORE') :]}"
    clients = [await jwt_client(base, username) for _ in range(args.clients)]
    rows = []
    try:
        # What any request costs before the app does anything: HTTP and the WSGI server.
        live = get("/health/live")
        one = await latency(clients[0], live, n=args.requests)
        many = await throughput(clients, live, seconds=min(args.seconds, 3))
        baseline = "HTTP baseline: GET /health/live (no DB, no DRF)"
        rows.append(Row(baseline, one.p50_ms, one.p95_ms, rate=many.per_second))
        print(fmt_row(rows[-1]), flush=True)
        for name, call, floor_name, floor_params in reads:
            one = await latency(clients[0], call, n=args.requests)
            many = await throughput(clients, call, seconds=args.seconds)
            size = await call(clients[0], 0)
            floor_timing = floor_size = None
            if floor_name:
                floor_timing = time_sync(lambda _i, q=floor_name, p=floor_params: floor.fetch(q, p), n=args.requests)
                floor_size = len(floor.fetch(floor_name, floor_params).encode())
            row = Row(
                name,
                one.p50_ms,
                one.p95_ms,
                floor_timing.p50_ms if floor_timing else None,
                many.per_second,
                goal=f"p50 < {GOAL_READ_P50_MS:.0f} ms",
                met=one.p50_ms < GOAL_READ_P50_MS,
                extra={
                    "bytes": size,
                    "floor_bytes": floor_size,
                    "floor_p95_ms": floor_timing.p95_ms if floor_timing else None,
                    "concurrent_p50_ms": many.timing.p50_ms,
                    "concurrent_p95_ms": many.timing.p95_ms,
                    "requests": many.requests,
                },
            )
            if floor_name == "order_list":
                ratio_ok = row.ratio is not None and row.ratio <= GOAL_ORDER_LIST_RATIO
                row.goal += f"; <= {GOAL_ORDER_LIST_RATIO:.0f}x floor"
                row.met = row.met and ratio_ok
            rows.append(row)
            print(fmt_row(row), flush=True)
    finally:
        for c in clients:
            await c.aclose()
    return rows


async def manager_clients(base: str, stores: list[str], count: int) -> tuple[list, list[str]]:
    """`count` API clients, each logged in once as the manager of a store (round robin over
    `stores`), and the store of each."""
    client_store = [stores[i % len(stores)] for i in range(count)]
    clients = [await jwt_client(base, f"manager{store[len('STORE') :]}") for store in client_store]
    return clients, client_store


async def timed_writes(clients: list, create, args: argparse.Namespace) -> tuple:
    """The write `create` for one client (latency), then for all of them at once (throughput)."""
    try:
        one = await latency(clients[0], create, n=max(10, args.requests // 3), warmup=2)
        many: Throughput = await throughput(clients, create, seconds=args.seconds)
    finally:
        for c in clients:
            await c.aclose()
    return one, many


async def measure_writes(base: str, s: Sample, args: argparse.Namespace) -> Row:
    """Each client is the manager of its own store (a chain's POS terminals), logged in once."""
    stores = [st for st in s.stores if st in s.usage_items][: args.clients] or [s.store]
    clients, client_store = await manager_clients(base, stores, args.clients)

    async def create(client: httpx.AsyncClient, i: int) -> None:
        store = client_store[clients.index(client)]
        items = [
            {
                "is_open_item": True,
                "item_code": f"B{k}",
                "item_name": f"Bench dish {k}",
                "quantity": 1 + k % 2,
                "unit_price_cents": 1800 + k,
            }
            for k in range(4)
        ]
        body = {
            "store": store,
            "order_type": "takeaway",
            "sales_channel": "app",
            "customer_phone": f"1390000{i % 10000:04d}",
            "items": items,
        }
        check(await client.post("/api/v1/orders/", json=body), 201)
        usage = {"item": s.usage_items[store], "transaction_type": "usage", "quantity": "0.001", "notes": "bench"}
        check(await client.post("/api/v1/inventory-transactions/", json=usage), 201)

    one, many = await timed_writes(clients, create, args)
    row = Row(
        "write: order with 4 items + stock usage",
        one.p50_ms,
        one.p95_ms,
        rate=many.per_second,
        rate_unit="orders/s",
        note=f"{len(stores)} stores, one manager login per client",
        extra={"concurrent_p50_ms": many.timing.p50_ms, "concurrent_p95_ms": many.timing.p95_ms,
               "orders": many.requests},
    )  # fmt: skip
    print(fmt_row(row), flush=True)
    return row


async def measure_menu_writes(base: str, s: Sample, args: argparse.Namespace) -> Row | None:
    """Orders of dishes from the menu taken to the kitchen as a counter POS sends them: created from
    dish codes (name and price from the store's menu) with `send_to_kitchen`, which confirms the
    order and moves it to preparing in the same transaction, deducting the recipes' ingredients
    from stock (issue 12). One request per order, like the order + usage write's two."""
    if len(s.menu_dishes) < 4:
        print("write from the menu: skipped (fewer than 4 dishes whose ingredients every store keeps)", flush=True)
        return None
    stores = s.stores[: args.clients]
    clients, client_store = await manager_clients(base, stores, args.clients)

    async def create(client: httpx.AsyncClient, i: int) -> None:
        items = [{"item_code": code, "quantity": 1 + k % 2} for k, code in enumerate(s.menu_dishes)]
        body = {
            "store": client_store[clients.index(client)],
            "order_type": "takeaway",
            "send_to_kitchen": True,
            "items": items,
        }
        order = check(await client.post("/api/v1/orders/", json=body), 201).json()
        assert order["status"] == "preparing", order["status"]

    one, many = await timed_writes(clients, create, args)
    row = Row(
        "write: order of 4 dishes from the menu sent to the kitchen (recipe stock deducted)",
        one.p50_ms,
        one.p95_ms,
        rate=many.per_second,
        rate_unit="orders/s",
        note=f"{len(stores)} stores selling through stock-outs; one request per order",
        extra={"concurrent_p50_ms": many.timing.p50_ms, "concurrent_p95_ms": many.timing.p95_ms,
               "orders": many.requests, "dishes": s.menu_dishes},
    )  # fmt: skip
    print(fmt_row(row), flush=True)
    return row


async def measure_admin(base: str, s: Sample, args: argparse.Namespace) -> list[Row]:
    client = await session_client(base, "admin")
    n = max(10, args.requests // 3)
    url = "/admin/orders/order/"
    pages = [
        (
            "admin: order changelist, store + day",
            {
                "store__id__exact": s.store,
                "order_time__year": s.day.year,
                "order_time__month": s.day.month,
                "order_time__day": s.day.day,
            },
            s.order_id,
        ),
        ("admin: order search by customer phone", {"q": s.phone}, s.phone),
        ("admin: order changelist, unfiltered", {}, "result_list"),
        ("admin: order changelist, one store", {"store__id__exact": s.store}, s.store),
    ]
    rows = []
    try:
        for name, params, expect in pages:
            call = get(url, params, expect=expect)
            one = await latency(client, call, n=n, warmup=2)
            goal, met = f"p50 < {GOAL_ADMIN_MS:.0f} ms", one.p50_ms < GOAL_ADMIN_MS
            row = Row(name, one.p50_ms, one.p95_ms, goal=goal, met=met)
            rows.append(row)
            print(fmt_row(row), flush=True)
    finally:
        await client.aclose()
    manager = await session_client(base, f"manager{s.store[len('STORE') :]}")
    try:
        day = {"order_time__year": s.day.year, "order_time__month": s.day.month, "order_time__day": s.day.day}
        one = await latency(manager, get(url, day, expect=s.order_id), n=n, warmup=2)
        goal = f"p50 < {GOAL_ADMIN_MANAGER_DAY_MS:.0f} ms"
        row = Row("admin: order changelist, one day, as the store's manager", one.p50_ms, one.p95_ms, goal=goal)
        row.met = one.p50_ms < GOAL_ADMIN_MANAGER_DAY_MS
        rows.append(row)
        print(fmt_row(row), flush=True)
    finally:
        await manager.aclose()
    return rows


def measure_kpis(s: Sample, args: argparse.Namespace) -> list[Row]:
    from django.db import connection

    from kpis.services import kpi_compute, kpi_compute_day
    from stores.models import Store

    store = Store.objects.get(pk=s.store)
    one = time_sync(lambda _i: kpi_compute_day(store=store, day=s.day, notify=False), n=max(10, args.requests // 3))
    rows = [
        Row(
            "KPIs: one store-day (kpi_compute_day)",
            one.p50_ms,
            one.p95_ms,
            goal=f"p50 < {GOAL_KPI_DAY_MS:.0f} ms",
            met=one.p50_ms < GOAL_KPI_DAY_MS,
        )
    ]
    print(fmt_row(rows[0]), flush=True)
    rows += measure_food_cost_reports(s, args)
    if not args.skip_kpi_year:
        stores = list(Store.objects.order_by("pk"))
        start = s.day - dt.timedelta(days=364)
        t = time.perf_counter()
        written = kpi_compute(stores=stores, start=start, end=s.day, notify=False)
        seconds = time.perf_counter() - t
        store_days = len(stores) * 365
        row = Row(
            f"KPIs: full year, all {len(stores)} stores (kpi_compute)",
            seconds * 1000,
            rate=store_days / seconds,
            rate_unit="store-days/s",
            note=f"{written:,} records upserted",
        )
        rows.append(row)
        print(fmt_row(row), flush=True)
    rows += measure_chain_report(s, args)
    connection.close()
    return rows


def measure_chain_report(s: Sample, args: argparse.Namespace) -> list[Row]:
    """The chain report as an admin sees it (every store, every active KPI) over the sample day's
    month and over the whole year to it (with the year before as the previous period), and the
    chart of daily revenue per store over that year: in process, no HTTP (issue 14). Needs the
    year's KPI records (the full-year computation above, or an earlier run's)."""
    from accounts.models import User
    from kpis.chain.chart import kpi_series
    from kpis.chain.report import CUSTOM, MONTH, chain_report, period_of
    from kpis.metrics import KPI_REVENUE
    from kpis.models import KPI, KPIRecord

    admin = User.objects.filter(role="admin", is_active=True).order_by("pk").first()
    if admin is None or not KPIRecord.objects.filter(record_date__lte=s.day).exists():
        print("chain report: skipped (no admin or no KPI records)", flush=True)
        return []
    n = max(5, args.requests // 6)
    month = period_of(MONTH, day=s.day)
    year = period_of(CUSTOM, start=s.day - dt.timedelta(days=364), end=s.day)
    stores = len(chain_report(user=admin, period=month)["stores"])
    rows = []
    for label, period in ((f"a month, {stores} stores", month), (f"365 days, {stores} stores", year)):
        timing = time_sync(lambda _i, period=period: chain_report(user=admin, period=period), n=n)
        rows.append(
            Row(
                f"chain report: {label} (kpis.chain.report)",
                timing.p50_ms,
                timing.p95_ms,
                goal=f"p50 < {GOAL_CHAIN_REPORT_MS:.0f} ms",
                met=timing.p50_ms < GOAL_CHAIN_REPORT_MS,
                note="in process, no HTTP; 3 queries",
            )
        )
    revenue = KPI.objects.filter(pk=KPI_REVENUE).first()
    if revenue is not None:
        timing = time_sync(lambda _i: kpi_series(user=admin, kpi=revenue, period=year), n=n)
        rows.append(
            Row(
                f"chain chart: daily revenue of {stores} stores over 365 days, by week (kpis.chain.chart)",
                timing.p50_ms,
                timing.p95_ms,
                goal=f"p50 < {GOAL_CHAIN_REPORT_MS:.0f} ms",
                met=timing.p50_ms < GOAL_CHAIN_REPORT_MS,
                note="in process, no HTTP",
            )
        )
    for row in rows:
        print(fmt_row(row), flush=True)
    return rows


def measure_food_cost_reports(s: Sample, args: argparse.Namespace) -> list[Row]:
    """The variance report of a store-month (between the sample store's last two month-start
    counts) and the menu engineering report of the same month, in process (issue 12)."""
    from inventory.models import StockCount
    from inventory.reports import stock_variance
    from menu.reports import menu_engineering
    from stores.models import Store

    # A store-month: the store's latest closed count and the latest one at least four weeks before it.
    counts = StockCount.objects.filter(store_id=s.store, status=StockCount.Status.CLOSED).order_by("-count_date")
    closing = counts.first()
    opening = closing and counts.filter(count_date__lte=closing.count_date - dt.timedelta(days=28)).first()
    if opening is None:
        print("food cost reports: skipped (the sample store has no two closed counts a month apart)", flush=True)
        return []
    n = max(5, args.requests // 6)
    variance = time_sync(lambda _i: stock_variance(opening=opening, closing=closing), n=n)
    days = (closing.count_date - opening.count_date).days
    rows = [
        Row(
            f"variance report: one store, {days} days between counts (inventory.reports.stock_variance)",
            variance.p50_ms,
            variance.p95_ms,
            goal=f"p50 < {GOAL_VARIANCE_MS:.0f} ms",
            met=variance.p50_ms < GOAL_VARIANCE_MS,
            note="in process, no HTTP",
        )
    ]
    store = Store.objects.get(pk=s.store)
    start = opening.count_date + dt.timedelta(days=1)
    engineering = time_sync(lambda _i: menu_engineering(store=store, start=start, end=closing.count_date), n=n)
    rows.append(
        Row(
            f"menu engineering: one store, {days} days (menu.reports.menu_engineering)",
            engineering.p50_ms,
            engineering.p95_ms,
            note="in process, no HTTP",
        )
    )
    for row in rows:
        print(fmt_row(row), flush=True)
    return rows


async def measure_http(base: str, s: Sample, floor: Floor, args: argparse.Namespace) -> list[Row]:
    rows = await measure_reads(base, s, floor, args)
    rows += await measure_admin(base, s, args)
    write_row = await measure_writes(base, s, args)
    rows.append(write_row)
    if menu_row := await measure_menu_writes(base, s, args):
        menu_row.goal = f"≥ {GOAL_MENU_WRITE_SHARE:.0%} of the order + usage write's throughput"
        if write_row.rate and menu_row.rate is not None:
            menu_row.met = menu_row.rate >= GOAL_MENU_WRITE_SHARE * write_row.rate
            menu_row.note += f"; {menu_row.rate / write_row.rate:.0%} of the order + usage write"
        rows.append(menu_row)
    return rows
