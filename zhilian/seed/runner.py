"""Orchestrate a seed run: reset, demo users, per-store history, schedules and KPIs, summary.

Idempotent: a store that exists already is left alone (its history is generated only once);
users and KPI definitions are get-or-create. `--reset` removes the seeded stores with all their
rows (and the demo users) first.

Each store is planned in memory (premises, sales, stock, bookings, rosters: no database access)
in a worker thread while the previous one is written (store_writer), which also runs the domain's
services over it.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from kpis.models import KPI, KPIRecord
from kpis.services import kpi_ensure_defaults
from menu.models import Dish, MenuCategory, RecipeLine
from notifications.models import Notification
from orders.models import Order, OrderItem
from reservations.models import Reservation, ReservationTable
from scheduling.models import Schedule, Shift
from stores.models import Employee, Region, Store, Table
from waitlist.models import WaitlistTicket
from zhilian.models import DailySequence
from zhilian.seed import bookings, premises, rosters, sales, stock
from zhilian.seed.logins import Login, ensure_admin, ensure_hq_users, ensure_store_users, user_uuid
from zhilian.seed.menu import align_ingredient_keys, ensure_menu
from zhilian.seed.plan import StorePlan
from zhilian.seed.reset import reset_demo_data
from zhilian.seed.store_writer import write_store
from zhilian.seed.writers import Writer

DEFAULT_PASSWORD = "zhilian-demo-2026"
PAST_SCHEDULE_DAYS = 14
FUTURE_SCHEDULE_DAYS = 7

# Every model the seed writes, for the summary (in a readable order).
MODELS = (
    Store, Table, Employee, User, Order, OrderItem, InventoryItem, InventoryTransaction, StockCount, StockCountLine,
    MenuCategory, Dish, RecipeLine,
    Schedule, Shift, Reservation, ReservationTable, KPI, KPIRecord, Notification, DailySequence, WaitlistTicket,
)  # fmt: skip


@dataclass
class SeedOptions:
    stores: int = 3
    days: int = 30
    seed: int = 42
    reset: bool = False
    end_date: dt.date | None = None
    password: str = DEFAULT_PASSWORD
    future_days: int = 14
    use_copy: bool | None = None  # None: COPY on PostgreSQL


@dataclass
class SeedResult:
    created_stores: list[str] = field(default_factory=list)
    skipped_stores: list[str] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    schedule_gaps: int = 0
    reset_deleted: int = 0

    @property
    def created(self) -> dict[str, int]:
        return {k: self.after.get(k, 0) - self.before.get(k, 0) for k in self.after}

    @property
    def rows_written(self) -> int:
        return sum(max(0, v) for v in self.created.values())

    @property
    def rows_per_second(self) -> float:
        seconds = self.elapsed - self.phases.get("reset", 0.0)
        return self.rows_written / seconds if seconds > 0 else 0.0


def count_rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in MODELS}


class Seeder:
    def __init__(self, options: SeedOptions, log: Callable[[str], None] | None = None):
        self.o = options
        self.log = log or (lambda msg: None)
        self.tz = timezone.get_current_timezone()
        today = timezone.localdate()
        self.end_date = options.end_date or today
        if self.end_date == today:
            self.now = timezone.localtime()
        else:
            # A fixed calendar (tests, demos of another day): "now" is that day's dinner rush.
            self.now = dt.datetime.combine(self.end_date, dt.time(19, 30), tzinfo=self.tz)
        self.writer = Writer(use_copy=options.use_copy)
        self._hash: str | None = None
        self.result = SeedResult()
        # Dish code -> id of the menu (ensure_menu), for the seeded order lines.
        self.dish_ids: dict[str, uuid.UUID] = {}

    # --- helpers ------------------------------------------------------------------------------

    def password_hash(self) -> str:
        # bcrypt is deliberately slow: hash the demo password once and reuse it for every account.
        if self._hash is None:
            self._hash = make_password(self.o.password)
        return self._hash

    def phase(self, name: str, started: float) -> None:
        self.result.phases[name] = self.result.phases.get(name, 0.0) + time.perf_counter() - started

    def store_ids(self) -> list[str]:
        return [f"STORE{n:03d}" for n in range(1, self.o.stores + 1)]

    def region_id(self, name: str) -> int:
        """The region a demo site belongs to ("East China 华东" -> code east-china), made once."""
        code = slugify(name)[:40]
        region, _ = Region.objects.get_or_create(code=code, defaults={"name": name})
        return region.pk

    def store_users(self, store_id: str, plan: StorePlan | None = None) -> dict[str, User]:
        return ensure_store_users(
            store_id, password=self.o.password, password_hash=self.password_hash, logins=self.result.logins, plan=plan
        )

    def window_days(self) -> tuple[list[dt.date], list[dt.date]]:
        """(older history days, the service window: the last 14 days and the next 7)."""
        past = min(PAST_SCHEDULE_DAYS, self.o.days)
        first = self.end_date - dt.timedelta(days=self.o.days - 1)
        window_start = self.end_date - dt.timedelta(days=past - 1)
        history = [first + dt.timedelta(days=i) for i in range((window_start - first).days)]
        window = [window_start + dt.timedelta(days=i) for i in range(past + FUTURE_SCHEDULE_DAYS)]
        return history, window

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> SeedResult:
        started = time.perf_counter()
        r = self.result
        if self.o.reset:
            t = time.perf_counter()
            r.reset_deleted = reset_demo_data()
            self.phase("reset", t)
            self.log(f"reset: deleted {r.reset_deleted} rows of seeded stores and demo users")
        r.before = count_rows()
        kpi_ensure_defaults()
        r.services["kpi_ensure_defaults"] = "called"
        self.dish_ids = ensure_menu()
        r.services["menu"] = "dish_create, recipe_line_create"
        if aligned := align_ingredient_keys():
            r.services["inventory_item_update"] = f"{aligned} items given their ingredient key"
        r.logins.append(ensure_admin(password=self.o.password, password_hash=self.password_hash))
        existing = set(Store.objects.filter(pk__in=self.store_ids()).values_list("pk", flat=True))
        todo = []
        for number in range(1, self.o.stores + 1):
            store_id = f"STORE{number:03d}"
            if store_id in existing:
                r.skipped_stores.append(store_id)
                self.store_users(store_id)
            else:
                todo.append(number)
        self.seed_stores(todo)
        # HQ logins once the stores (and so their regions) exist.
        r.logins.extend(ensure_hq_users(self.store_ids(), password=self.o.password, password_hash=self.password_hash))
        if todo and connection.vendor == "postgresql":
            # Fresh planner statistics, so the API's first queries on the new rows get good plans.
            t = time.perf_counter()
            with connection.cursor() as cursor:
                for model in MODELS:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            self.phase("analyze", t)
        r.after = count_rows()
        r.elapsed = time.perf_counter() - started
        return r

    def plan_store(self, number: int) -> StorePlan:
        """Generate one store entirely in memory (no database access: runs in a worker thread)."""
        started = time.perf_counter()
        o = self.o
        plan = StorePlan(
            number=number, seed=o.seed, end_date=self.end_date, days=o.days, now=self.now, tz=self.tz,
            future_days=o.future_days,
        )  # fmt: skip
        premises.build_store(plan)
        premises.build_employees(plan)
        sales.build_orders(plan)
        premises.set_targets(plan, self.end_date)
        manager_id, staff_id = user_uuid(f"manager{number:03d}"), user_uuid(f"staff{number:03d}")
        stock.build_inventory(plan, manager_user_id=manager_id, staff_user_id=staff_id)
        bookings.build_reservations(plan, bounds=Reservation.bounds, manager_user_id=manager_id, staff_user_id=staff_id)
        # The service generates the recent window once the rows are written (store_writer); the
        # older history is staffed here with the same demand model and assignment, in bulk.
        history, _window = self.window_days()
        rosters.build_schedules(plan, history, manager_user_id=manager_id)
        plan.seconds = time.perf_counter() - started
        return plan

    def seed_stores(self, numbers: list[int]) -> None:
        """Generate store n+1 in a worker thread while store n is written (the GIL is released
        while the database works, so generation and writing overlap on two cores)."""
        if not numbers:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-plan") as pool:
            future = pool.submit(self.plan_store, numbers[0])
            for i in range(len(numbers)):
                t = time.perf_counter()
                plan = future.result()
                self.phase("wait for generation", t)
                self.result.phases["generate (background)"] = (
                    self.result.phases.get("generate (background)", 0.0) + plan.seconds
                )
                future = pool.submit(self.plan_store, numbers[i + 1]) if i + 1 < len(numbers) else None
                t = time.perf_counter()
                write_store(self, plan)
                self.result.created_stores.append(plan.store_id)
                self.log(f"{plan.store_id}: seeded in {time.perf_counter() - t:.1f}s")


def run_seed(options: SeedOptions, log: Callable[[str], None] | None = None) -> SeedResult:
    return Seeder(options, log).run()
