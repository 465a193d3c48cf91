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

This module parses the arguments, prepares the database and runs the steps; the sample is in
sample.py, the measurements in measure.py, the result rows and goals in rows.py, the report in
report.py.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from bench import peer
from bench.floor import Floor
from bench.measure import measure_http, measure_kpis
from bench.report import markdown
from bench.sample import Sample, database_facts, pick_sample
from bench.server import BENCH_SECRET_KEY, ROOT, Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/zhilian_bench"


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
    # The chain menu and its recipes, which orders from dish codes need (idempotent: what exists stays).
    from zhilian.seed.menu import align_ingredient_keys, ensure_menu

    ensure_menu()
    align_ingredient_keys()
    # The bench sells the same dishes for minutes: its stores sell through a stock-out, as a
    # busy kitchen does (the deduction is written either way; only the refusal is skipped).
    from stores.models import Store

    Store.objects.update(allow_negative_stock=True)
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


# --- main ----------------------------------------------------------------------------------------


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
