"""`python -m bench`: one run measuring the API, the admin and the KPI jobs at chain scale.

Steps: check the database (seed it at chain scale if it is short of orders), start the production
HTTP server (gunicorn.conf.py: WSGI in threads) on a free local port, then measure:

- hot reads: latency (p50/p95) of one client, throughput of several, and the floor (the same JSON
  built by one SQL statement through psycopg) beside each;
- writes: order creation with 4 items plus a stock usage, with several clients;
- the admin order changelist (filtered by store and day; search by phone; unfiltered);
- KPI computation: one store-day, and a full year for all stores;
- beside the FastAPI + SQLAlchemy async peer when it is present (bench/peer.py): the same order
  reads, JSON checked field by field, interleaved rounds.

The table is printed and written to bench/results/latest.md; raw figures to bench/results/latest.json
(ignored by git).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import machine, peer
from bench.floor import Floor
from bench.load import BenchError, Throughput, check, latency, throughput, time_sync
from bench.server import BENCH_SECRET_KEY, ROOT, Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/zhilian_bench"
PASSWORD = "zhilian-demo-2026"

# The goals, in milliseconds (the goals against the peer are in bench/peer.py).
GOAL_READ_P50_MS = 50.0
GOAL_ORDER_LIST_RATIO = 4.0
GOAL_ADMIN_MS = 300.0
GOAL_ADMIN_MANAGER_DAY_MS = 50.0  # a manager's changelist of one day, the page they open most
GOAL_KPI_DAY_MS = 200.0


@dataclass
class Row:
    """One line of the result table."""

    name: str
    p50_ms: float | None = None
    p95_ms: float | None = None
    floor_p50_ms: float | None = None
    rate: float | None = None  # per second with several clients
    rate_unit: str = "req/s"
    goal: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.p50_ms is None or not self.floor_p50_ms:
            return None
        return self.p50_ms / self.floor_p50_ms


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    p.add_argument("--min-orders", type=int, default=1_000_000, help="seed when the database holds fewer orders")
    p.add_argument("--stores", type=int, default=30, help="stores to seed when seeding (default 30)")
    p.add_argument("--days", type=int, default=365, help="days of history to seed when seeding (default 365)")
    p.add_argument("--no-seed", action="store_true", help="never seed; measure whatever the database holds")
    p.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput (default 8)")
    p.add_argument("--seconds", type=float, default=5.0, help="duration of each throughput run (default 5)")
    p.add_argument("--requests", type=int, default=60, help="sequential requests per latency figure (default 60)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY, default 2)")
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""), help="REDIS_URL for the server")
    p.add_argument("--skip-kpi-year", action="store_true", help="skip the full-year KPI computation")
    p.add_argument("--out", default=str(RESULTS / "latest.md"), help="markdown report path")
    p.add_argument("--store", default="STORE001", help="the store whose data the reads fetch")
    p.add_argument(
        "--day", type=dt.date.fromisoformat, default=None, help="the day the reads fetch (default: its latest full day)"
    )
    p.add_argument("--peer-dir", default=os.environ.get("PEER_DIR"), help="the FastAPI peer (default ../shared/peer)")
    p.add_argument("--peer-python", default=None, help="a Python with the peer's requirements (or PEER_PYTHON)")
    p.add_argument("--peer-rounds", type=int, default=5, help="interleaved rounds against the peer (default 5)")
    p.add_argument("--no-peer", action="store_true", help="skip the comparison with the peer")
    return p.parse_args(argv)


# --- setup ---------------------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhilian.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdef")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.db import connection

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark needs PostgreSQL: set --database-url / BENCH_DATABASE_URL.")


def ensure_database(args: argparse.Namespace) -> dict:
    """Migrate; seed at chain scale when the database holds fewer than --min-orders orders."""
    from django.core.management import call_command

    from orders.models import Order

    call_command("migrate", interactive=False, verbosity=0)
    # DEBUG=false serves hashed static files from the manifest, as the Docker image does.
    call_command("collectstatic", interactive=False, verbosity=0)
    seeded: dict = {}
    count = Order.objects.count()
    if count < args.min_orders and not args.no_seed:
        print(f"The database holds {count:,} orders (< {args.min_orders:,}): seeding {args.stores} stores x "
              f"{args.days} days first (this takes minutes).", flush=True)  # fmt: skip
        from zhilian.seed.runner import SeedOptions, run_seed

        result = run_seed(
            SeedOptions(stores=args.stores, days=args.days, end_date=dt.date.today() - dt.timedelta(days=1)),
            log=lambda msg: print("  " + msg, flush=True),
        )
        seeded = {
            "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "stores": args.stores,
            "days": args.days,
            "rows": result.rows_written,
            "orders": result.created.get("orders.Order", 0),
            "order_items": result.created.get("orders.OrderItem", 0),
            "seconds": round(result.elapsed, 1),
            "rows_per_second": round(result.rows_per_second),
            "phases": {k: round(v, 1) for k, v in result.phases.items()},
        }
        # What an operator does after a bulk load: set the visibility map (index-only scans) and
        # fresh statistics, instead of autovacuum doing it in the middle of the measurements.
        from django.db import connection

        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        seeded["vacuum_seconds"] = round(time.perf_counter() - t, 1)
        print(f"  VACUUM (ANALYZE) after the load: {seeded['vacuum_seconds']:.0f} s", flush=True)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "seed.json").write_text(json.dumps(seeded, indent=2))
    elif (RESULTS / "seed.json").exists():
        seeded = json.loads((RESULTS / "seed.json").read_text())
        seeded["from_earlier_run"] = True
    return seeded


@dataclass
class Sample:
    store: str
    day: dt.date
    lo: dt.datetime
    hi: dt.datetime
    order_id: str
    phone: str
    user_id: str
    stores: list[str]
    usage_items: dict[str, str]  # store -> inventory item with the most stock


def pick_sample(store_id: str, day: dt.date | None = None) -> Sample:
    """The day before the store's latest day of orders before today: a full service (the seed's
    last day stops at its "now"), and stable across reruns (the bench's own writes land on today)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from accounts.models import User
    from inventory.models import InventoryItem
    from orders.models import Order
    from stores.models import Store

    if day is None:
        today = timezone.localdate()
        since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=30), dt.time.min))
        before = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        days = (
            Order.objects.filter(store_id=store_id, order_time__gte=since, order_time__lt=before)
            .annotate(day=TruncDate("order_time", tzinfo=timezone.get_current_timezone()))
            .order_by()
            .values("day")
            .annotate(n=Count("pk"))
        )
        full = sorted(row["day"] for row in days if row["n"] >= 20)
        if not full:
            last = Order.objects.filter(store_id=store_id).order_by("-order_time").first()
            if last is None:
                raise SystemExit(f"{store_id} has no orders; seed first.")
            full = [timezone.localtime(last.order_time).date()]
        day = full[-2] if len(full) > 1 else full[-1]
    lo = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    orders = Order.objects.filter(store_id=store_id, order_time__gte=lo, order_time__lt=hi).exclude(customer_phone="")
    order = orders.order_by("-order_time").first()
    stores = list(Store.objects.order_by("pk").values_list("pk", flat=True))
    usage_items = {}
    for sid in stores:
        item = InventoryItem.objects.filter(store_id=sid, is_active=True).order_by("-current_quantity").first()
        if item is not None:
            usage_items[sid] = item.pk
    manager = User.objects.get(username=f"manager{store_id[len('STORE') :]}")
    return Sample(store_id, day, lo, hi, order.pk, order.customer_phone, str(manager.pk), stores, usage_items)


def database_facts(floor: Floor) -> dict:
    conn = floor.conn
    version = conn.execute("SHOW server_version").fetchone()[0]
    orders = conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]
    items = conn.execute("SELECT count(*) FROM orders_orderitem").fetchone()[0]
    stores = conn.execute("SELECT count(*) FROM stores_store").fetchone()[0]
    size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    shared = conn.execute("SHOW shared_buffers").fetchone()[0]
    return {
        "postgresql": version,
        "orders": orders,
        "order_items": items,
        "stores": stores,
        "size": size,
        "shared_buffers": shared,
    }


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


async def measure_writes(base: str, s: Sample, args: argparse.Namespace) -> Row:
    """Each client is the manager of its own store (a chain's POS terminals), logged in once."""
    stores = [st for st in s.stores if st in s.usage_items][: args.clients] or [s.store]
    clients, client_store = [], []
    for i in range(args.clients):
        store = stores[i % len(stores)]
        clients.append(await jwt_client(base, f"manager{store[len('STORE') :]}"))
        client_store.append(store)

    async def create(client: httpx.AsyncClient, i: int) -> None:
        store = client_store[clients.index(client)]
        items = [
            {"item_code": f"B{k}", "item_name": f"Bench dish {k}", "quantity": 1 + k % 2, "unit_price_cents": 1800 + k}
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

    try:
        one = await latency(clients[0], create, n=max(10, args.requests // 3), warmup=2)
        many: Throughput = await throughput(clients, create, seconds=args.seconds)
    finally:
        for c in clients:
            await c.aclose()
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
    connection.close()
    return rows


# --- report --------------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.1f}"


def fmt_row(r: Row) -> str:
    ratio = f"{r.ratio:.1f}x" if r.ratio is not None else ""
    rate = f"{r.rate:,.1f} {r.rate_unit}" if r.rate is not None else ""
    met = "" if r.met is None else ("yes" if r.met else "NO")
    return (
        f"{r.name:<52} p50 {ms(r.p50_ms):>9}  p95 {ms(r.p95_ms):>9}  floor {ms(r.floor_p50_ms):>7}  "
        f"{ratio:>6}  {rate:>22}  {met}"
    )


def markdown(
    rows: list[Row], facts: dict, seeded: dict, args: argparse.Namespace, s: Sample, elapsed: float, comparison: dict
) -> str:
    m = machine.describe()
    lines = [
        "# Zhilian OS benchmark: latest run",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; whole run {elapsed:.0f} s",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory']} memory; {m['os']}; Python {m['python']}",
        f"- PostgreSQL {facts['postgresql']} (shared_buffers {facts['shared_buffers']}), same machine; "
        f"database {facts['size']}",
        f"- data: {facts['orders']:,} orders, {facts['order_items']:,} order items, {facts['stores']} stores",
        f"- server: gunicorn.conf.py (WSGI, gthread), {args.workers} workers, DEBUG=false, psycopg pool"
        + (", Redis cache/channel layer" if args.redis_url else ", no Redis (local-memory cache)"),
        f"- load: httpx.AsyncClient + asyncio.gather on the same machine; latency = {args.requests} sequential "
        f"requests of one client; throughput = {args.clients} clients for {args.seconds:.0f} s each",
        f"- sample: store {s.store}, day {s.day.isoformat()} (reads and admin filters)",
    ]
    if seeded:
        when = " (an earlier run on this machine)" if seeded.get("from_earlier_run") else ""
        lines.append(
            f"- seed{when}: `manage.py seed --stores {seeded['stores']} --days {seeded['days']}` wrote "
            f"{seeded['rows']:,} rows ({seeded['orders']:,} orders, {seeded['order_items']:,} items) in "
            f"{seeded['seconds']:.0f} s = **{seeded['rows_per_second']:,} rows/s**"
            + (f"; then VACUUM (ANALYZE) {seeded['vacuum_seconds']:.0f} s" if "vacuum_seconds" in seeded else "")
        )
    lines += [
        "",
        "Times in milliseconds. *floor* = the same rows turned into the same JSON by one plain SQL statement "
        "through psycopg (json_build_object/json_agg, no ORM, no HTTP); *x floor* = app p50 / floor p50.",
        "",
        "| measurement | p50 | p95 | floor p50 | x floor | throughput | goal | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r.ratio:.1f}" if r.ratio is not None else ""
        rate = f"{r.rate:,.1f} {r.rate_unit}" if r.rate is not None else ""
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        name = r.name + (f" ({r.note})" if r.note else "")
        lines.append(
            f"| {name} | {ms(r.p50_ms)} | {ms(r.p95_ms)} | {ms(r.floor_p50_ms)} | {ratio} | {rate} | {r.goal} | {met} |"
        )
    reads = [r for r in rows if "bytes" in r.extra]
    if reads:
        lines += [
            "",
            f"Under load ({args.clients} clients), per request:",
            "",
            "| read | p50 | p95 | response bytes | floor bytes |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for r in reads:
            e = r.extra
            lines.append(
                f"| {r.name} | {ms(e['concurrent_p50_ms'])} | {ms(e['concurrent_p95_ms'])} | "
                f"{e['bytes']:,} | {e['floor_bytes'] or 0:,} |"
            )
    missed = []
    for r in rows:
        if r.met is not False:
            continue
        parts = []
        limit = (
            GOAL_ADMIN_MANAGER_DAY_MS
            if "manager" in r.name
            else GOAL_ADMIN_MS
            if r.name.startswith("admin")
            else GOAL_KPI_DAY_MS
            if "KPI" in r.name
            else GOAL_READ_P50_MS
        )
        if r.p50_ms is not None and r.p50_ms >= limit:
            parts.append(f"p50 {ms(r.p50_ms)} ms against {limit:.0f} ms ({r.p50_ms / limit - 1:+.0%})")
        if r.floor_p50_ms and "<= " in r.goal and r.ratio is not None and r.ratio > GOAL_ORDER_LIST_RATIO:
            parts.append(
                f"{r.ratio:.1f}x its floor against {GOAL_ORDER_LIST_RATIO:.0f}x "
                f"({ms(r.p50_ms)} ms against a floor of {ms(r.floor_p50_ms)} ms; "
                f"{GOAL_ORDER_LIST_RATIO:.0f}x would be {ms(r.floor_p50_ms * GOAL_ORDER_LIST_RATIO)} ms)"
            )
        missed.append(f"- {r.name}: " + "; ".join(parts))
    lines += ["", "Goals missed in this run:" if missed else "Every goal was met in this run.", *missed]
    lines += ["", "## Beside the FastAPI + SQLAlchemy async peer", ""]
    if "skipped" in comparison:
        lines.append(f"Not run: {comparison['skipped']}")
    else:
        lines += [comparison["table"].strip(), "", "Goals against the peer:", "", *peer.verdicts(comparison)]
    notes_path = Path(__file__).resolve().parent / "NOTES.md"
    if notes_path.exists():
        lines += ["", notes_path.read_text().strip()]
    return "\n".join(lines) + "\n"


# --- main ----------------------------------------------------------------------------------------


async def measure_http(base: str, s: Sample, floor: Floor, args: argparse.Namespace) -> list[Row]:
    rows = await measure_reads(base, s, floor, args)
    rows += await measure_admin(base, s, args)
    rows.append(await measure_writes(base, s, args))
    return rows


def compare_with_peer(server, s: Sample, args: argparse.Namespace) -> dict:
    """The peer beside our server, or why it is not there (``{"skipped": reason}``)."""
    if args.no_peer:
        return {"skipped": "--no-peer"}
    found = peer.find_peer(args.peer_dir, args.peer_python)
    if isinstance(found, str):
        print(found, flush=True)
        return {"skipped": found}
    with peer.PeerServer(found, args.database_url, BENCH_SECRET_KEY, args.workers) as peer_server:
        print(
            f"peer (uvicorn, {args.workers} workers) on {peer_server.base_url}; log {peer_server.log.name}", flush=True
        )
        return peer.compare(
            found,
            django_url=server.base_url,
            django_pid=server.proc.pid,
            peer_server=peer_server,
            store=s.store,
            day=s.day,
            user=f"manager{s.store[len('STORE') :]}",
            rounds=args.peer_rounds,
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    seeded = ensure_database(args)
    s = pick_sample(args.store, args.day)
    connection.close()
    floor = Floor(args.database_url, settings.TIME_ZONE)
    facts = database_facts(floor)
    print(f"{facts['orders']:,} orders, {facts['order_items']:,} items on PostgreSQL {facts['postgresql']}; "
          f"sample {s.store} {s.day}", flush=True)  # fmt: skip
    server = Server(args.database_url, workers=args.workers, redis_url=args.redis_url)
    try:
        with server:
            print(f"gunicorn ({args.workers} WSGI workers) on {server.base_url}; log {server.log.name}", flush=True)
            rows = asyncio.run(measure_http(server.base_url, s, floor, args))
            comparison = compare_with_peer(server, s, args)
        rows += measure_kpis(s, args)
    finally:
        floor.close()
    elapsed = time.perf_counter() - started
    report = markdown(rows, facts, seeded, args, s, elapsed, comparison)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    raw = {"facts": facts, "seed": seeded, "rows": [r.__dict__ | {"ratio": r.ratio} for r in rows], "peer": comparison}
    (RESULTS / "latest.json").write_text(json.dumps(raw, indent=2, default=str))
    print()
    print(report)
    print(f"written to {out} in {elapsed:.0f} s")
    return 0
