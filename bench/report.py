"""The markdown report of a run: the result table, the database, the goals missed, the peer."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from bench import machine, peer
from bench.rows import (
    GOAL_ADMIN_MANAGER_DAY_MS,
    GOAL_ADMIN_MS,
    GOAL_KPI_DAY_MS,
    GOAL_ORDER_LIST_RATIO,
    GOAL_READ_P50_MS,
    Row,
    ms,
)
from bench.sample import Sample

# --- report --------------------------------------------------------------------------------------


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
