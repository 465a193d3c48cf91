"""`manage.py seed`: realistic demo data for a Chinese restaurant chain (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhilian.dates import command_day
from zhilian.seed.reset import SeedError
from zhilian.seed.runner import DEFAULT_PASSWORD, SeedOptions, SeedResult, run_seed

SCALES = {
    "demo": {"stores": 3, "days": 30},
    "chain": {"stores": 30, "days": 365},
}


class Command(BaseCommand):
    help = (
        "Seed demo stores (tables, staff, demo logins) with order, stock, schedule, reservation and KPI "
        "history. Idempotent: existing stores are left as they are; --reset regenerates them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="demo",
            help="preset size: demo = 3 stores x 30 days; chain = 30 stores x 365 days (over a million orders, "
            "the benchmark's data set). --stores/--days override it.",
        )
        parser.add_argument("--stores", type=int, default=None, help="number of stores STORE001.. (default 3)")
        parser.add_argument("--days", type=int, default=None, help="days of history up to the end date (default 30)")
        parser.add_argument("--seed", type=int, default=42, help="random seed: same seed, same data (default 42)")
        parser.add_argument("--reset", action="store_true", help="delete seeded stores and demo users first")
        parser.add_argument(
            "--end-date", type=command_day, default=None, help="last history day, YYYY-MM-DD (default today)"
        )
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the demo logins")
        parser.add_argument("--quiet", action="store_true", help="print nothing")
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="on PostgreSQL, insert with executemany instead of COPY (same rows; slower)",
        )

    def handle(self, *args, **opts) -> None:
        preset = SCALES[opts["scale"]]
        opts["stores"] = preset["stores"] if opts["stores"] is None else opts["stores"]
        opts["days"] = preset["days"] if opts["days"] is None else opts["days"]
        if not 1 <= opts["stores"] <= 999:
            raise CommandError("--stores must be between 1 and 999.")
        if not 1 <= opts["days"] <= 3660:
            raise CommandError("--days must be between 1 and 3660.")
        if not opts["password"]:
            raise CommandError("--password must not be empty.")
        quiet = opts["quiet"]
        options = SeedOptions(
            stores=opts["stores"],
            days=opts["days"],
            seed=opts["seed"],
            reset=opts["reset"],
            end_date=opts["end_date"],
            password=opts["password"],
            use_copy=False if opts["no_copy"] else None,
        )
        try:
            result = run_seed(options, log=None if quiet or opts["verbosity"] < 1 else self.stdout.write)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if not quiet and opts["verbosity"] >= 1:
            self.summary(result, detail=opts["verbosity"] >= 2)

    def summary(self, r: SeedResult, *, detail: bool = False) -> None:
        out = self.stdout.write
        if r.created_stores:
            out(f"Seeded stores: {', '.join(r.created_stores)}")
        if r.skipped_stores:
            out(f"Already present (left unchanged): {', '.join(r.skipped_stores)}")
        out("")
        out(f"{'model':<36}{'created':>10}{'total':>10}")
        for label, total in r.after.items():
            out(f"{label:<36}{r.created[label]:>10}{total:>10}")
        reset = r.phases.get("reset")
        spent = f"{r.elapsed:.1f}s" + (f" (reset {reset:.1f}s)" if reset else "")
        out(f"\n{r.rows_written} rows written in {spent}: {r.rows_per_second:,.0f} rows/s")
        if detail and r.phases:
            out("phases: " + ", ".join(f"{k} {v:.1f}s" for k, v in r.phases.items()))
        if r.services:
            out("services: " + ", ".join(f"{k} ({v})" for k, v in r.services.items()))
        if r.schedule_gaps:
            out(f"schedule generation reported {r.schedule_gaps} unfilled position slots (see generation_report)")
        out("\nDemo logins (username / password):")
        for login in r.logins:
            where = f" @ {login.store_id or login.scope}" if login.store_id or login.scope else ""
            password = login.password if login.password is not None else "(existing account, password unchanged)"
            out(f"  {login.username:<14} {password:<28} {login.role}{where}")
