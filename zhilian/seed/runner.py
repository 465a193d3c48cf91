"""Orchestrate a seed run: reset, demo users, per-store history, schedules and KPIs, summary.

Idempotent: a store that exists already is left alone (its history is generated only once);
users and KPI definitions are get-or-create. `--reset` removes the seeded stores with all their
rows (and the demo users) first.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone

from accounts.models import User
from accounts.usernames import clean_username
from inventory.models import InventoryItem, InventoryTransaction
from kpis.models import KPI, KPIRecord
from notifications.models import Notification
from orders.models import Order, OrderItem
from reservations.models import Reservation, ReservationTable
from scheduling.models import Schedule, Shift
from stores.models import Employee, Store, Table
from zhilian.models import DailySequence
from zhilian.roles import Role
from zhilian.seed import catalog as cat
from zhilian.seed import generators as gen
from zhilian.seed.writers import Writer

DEFAULT_PASSWORD = "zhilian-demo-2026"
USER_NAMESPACE = uuid.UUID("6f1c8c1e-52a4-4d47-9a4b-5a8f3d2f7e10")
PAST_SCHEDULE_DAYS = 14
FUTURE_SCHEDULE_DAYS = 7
PUBLISH_AHEAD_DAYS = 2

# Every model the seed writes, for the summary (in a readable order).
MODELS = (
    Store, Table, Employee, User, Order, OrderItem, InventoryItem, InventoryTransaction,
    Schedule, Shift, Reservation, ReservationTable, KPI, KPIRecord, Notification, DailySequence,
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
class Login:
    username: str
    password: str | None  # None: the account existed; its password was left as it was
    role: str
    store_id: str | None


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


def user_uuid(username: str) -> uuid.UUID:
    return uuid.uuid5(USER_NAMESPACE, username)


def demo_email(username: str) -> str:
    return f"{username}@{cat.DEMO_EMAIL_DOMAIN}"


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

    # --- helpers ------------------------------------------------------------------------------

    def password_hash(self) -> str:
        # bcrypt is deliberately slow: hash the demo password once and reuse it for every account.
        if self._hash is None:
            self._hash = make_password(self.o.password)
        return self._hash

    def _phase(self, name: str, started: float) -> None:
        self.result.phases[name] = self.result.phases.get(name, 0.0) + time.perf_counter() - started

    def store_ids(self) -> list[str]:
        return [f"STORE{n:03d}" for n in range(1, self.o.stores + 1)]

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> SeedResult:
        started = time.perf_counter()
        r = self.result
        if self.o.reset:
            t = time.perf_counter()
            r.reset_deleted = reset_demo_data()
            self._phase("reset", t)
            self.log(f"reset: deleted {r.reset_deleted} rows of seeded stores and demo users")
        r.before = count_rows()
        self._ensure_kpis()
        self._ensure_admin()
        existing = set(Store.objects.filter(pk__in=self.store_ids()).values_list("pk", flat=True))
        todo = []
        for number in range(1, self.o.stores + 1):
            store_id = f"STORE{number:03d}"
            if store_id in existing:
                r.skipped_stores.append(store_id)
                self._ensure_store_users(store_id)
            else:
                todo.append(number)
        self._resolve_services()
        self.seed_stores(todo)
        if todo and connection.vendor == "postgresql":
            # Fresh planner statistics, so the API's first queries on the new rows get good plans.
            t = time.perf_counter()
            with connection.cursor() as cursor:
                for model in MODELS:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            self._phase("analyze", t)
        r.after = count_rows()
        r.elapsed = time.perf_counter() - started
        return r

    def _resolve_services(self) -> None:
        """Use the apps' services where they exist (they are the source of truth for the rules)."""
        try:
            from scheduling.services import STAFFING, schedule_generate
        except ImportError:
            self.schedule_generate, self.staffing = None, None
            self.result.services["schedule_generate"] = "missing: seeded equivalent shifts instead"
        else:
            self.schedule_generate, self.staffing = schedule_generate, dict(STAFFING)

    def _ensure_kpis(self) -> None:
        try:
            from kpis.services import kpi_ensure_defaults
        except ImportError:
            self.result.services["kpi_ensure_defaults"] = "missing"
            return
        kpi_ensure_defaults()
        self.result.services["kpi_ensure_defaults"] = "called"

    def _ensure_admin(self) -> None:
        if User.objects.filter(username="admin").exists():
            self.result.logins.append(Login("admin", None, Role.ADMIN, None))
            return
        User.objects.create(
            id=user_uuid("admin"),
            username=clean_username("admin"),
            email=demo_email("admin"),
            full_name="总部管理员 Chain Admin",
            role=Role.ADMIN,
            password=self.password_hash(),
        )
        self.result.logins.append(Login("admin", self.o.password, Role.ADMIN, None))

    def _ensure_store_users(self, store_id: str, plan: gen.StorePlan | None = None) -> dict[str, User]:
        """manager### and staff### for the store (get-or-create), linked to its manager and a waiter."""
        number = store_id[len("STORE") :]
        # Bulk-created without full_clean, so the usernames go through the one rule here.
        wanted = {clean_username(f"manager{number}"): Role.MANAGER, clean_username(f"staff{number}"): Role.STAFF}
        users = {u.username: u for u in User.objects.filter(username__in=wanted)}
        created = []
        for username, role in wanted.items():
            if username in users:
                self.result.logins.append(Login(username, None, role, store_id))
                continue
            employee = None
            if plan is not None:
                position = "manager" if role == Role.MANAGER else "waiter"
                employee = next(e for e in plan.employees if e["position"] == position)
            user = User(
                id=user_uuid(username),
                username=username,
                email=demo_email(username),
                full_name=employee["name"] if employee else username,
                phone=employee["phone"] if employee else "",
                role=role,
                store_id=store_id,
                password=self.password_hash(),
            )
            created.append(user)
            users[username] = user
            if employee is not None:
                employee["user_id"] = user.id
                employee["email"] = user.email
            self.result.logins.append(Login(username, self.o.password, role, store_id))
        if created:
            User.objects.bulk_create(created)
            if plan is None:
                # An existing store whose demo login was removed: relink it where the slot is free.
                for user in created:
                    position = "manager" if user.role == Role.MANAGER else "waiter"
                    employee = (
                        Employee.objects.filter(store_id=store_id, position=position, user__isnull=True)
                        .order_by("pk")
                        .first()
                    )
                    if employee is not None and not Employee.objects.filter(user=user).exists():
                        employee.user = user
                        employee.save(update_fields=["user", "updated_at"])
                manager = users[f"manager{number}"]
                Store.objects.filter(pk=store_id, manager__isnull=True).update(manager=manager)
        return users

    # --- one store ---------------------------------------------------------------------------------

    def _window_days(self) -> tuple[list[dt.date], list[dt.date]]:
        """(older history days, the service window: the last 14 days and the next 7)."""
        past = min(PAST_SCHEDULE_DAYS, self.o.days)
        first = self.end_date - dt.timedelta(days=self.o.days - 1)
        window_start = self.end_date - dt.timedelta(days=past - 1)
        history = [first + dt.timedelta(days=i) for i in range((window_start - first).days)]
        window = [window_start + dt.timedelta(days=i) for i in range(past + FUTURE_SCHEDULE_DAYS)]
        return history, window

    def plan_store(self, number: int) -> gen.StorePlan:
        """Generate one store entirely in memory (no database access: runs in a worker thread)."""
        started = time.perf_counter()
        o = self.o
        plan = gen.StorePlan(
            number=number, seed=o.seed, end_date=self.end_date, days=o.days, now=self.now, tz=self.tz,
            future_days=o.future_days,
        )  # fmt: skip
        gen.build_store(plan)
        gen.build_employees(plan)
        gen.build_orders(plan)
        self._set_targets(plan)
        manager_id, staff_id = user_uuid(f"manager{number:03d}"), user_uuid(f"staff{number:03d}")
        gen.build_inventory(plan, manager_user_id=manager_id, staff_user_id=staff_id)
        gen.build_reservations(plan, bounds=Reservation.bounds, manager_user_id=manager_id, staff_user_id=staff_id)
        history, window = self._window_days()
        # The service covers the recent window; older history gets equivalent shifts built here so
        # labor KPIs cover every seeded day (everything, if the service is missing).
        days = history if self.schedule_generate else history + window
        plan.schedules, plan.shifts = gen.build_shifts(
            plan, days, Shift.bounds, rules=self.staffing, manager_user_id=manager_id
        )
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
                self._phase("wait for generation", t)
                self.result.phases["generate (background)"] = (
                    self.result.phases.get("generate (background)", 0.0) + plan.seconds
                )
                future = pool.submit(self.plan_store, numbers[i + 1]) if i + 1 < len(numbers) else None
                t = time.perf_counter()
                self.write_store(plan)
                self.result.created_stores.append(plan.store_id)
                self.log(f"{plan.store_id}: seeded in {time.perf_counter() - t:.1f}s")

    def write_store(self, plan: gen.StorePlan) -> None:
        w = self.writer
        number = plan.number
        with transaction.atomic():
            t = time.perf_counter()
            w.bulk(Store, [plan.store])
            users = self._ensure_store_users(plan.store_id, plan)
            manager, staff = users[f"manager{number:03d}"], users[f"staff{number:03d}"]
            self._remap_users(plan, {user_uuid(manager.username): manager.pk, user_uuid(staff.username): staff.pk})
            w.bulk(Table, plan.tables)
            w.bulk(Employee, plan.employees)
            Store.objects.filter(pk=plan.store_id).update(manager=manager)
            self._phase("write store, staff", t)

            t = time.perf_counter()
            w.big(Order, plan.orders)
            w.big(OrderItem, plan.items)
            bump_sequences(f"order:{plan.store_id}", plan.order_counts)
            plan.orders, plan.items = [], []  # free the memory early
            self._phase("write orders", t)

            t = time.perf_counter()
            w.bulk(InventoryItem, plan.inventory_items)
            w.big(InventoryTransaction, plan.ledger)
            self._phase("write inventory", t)

            t = time.perf_counter()
            w.big(Reservation, plan.reservations)
            w.big(ReservationTable, [{"reservation_id": r, "table_id": tb} for r, tb in plan.reservation_tables])
            bump_sequences(f"reservation:{plan.store_id}", plan.reservation_counts)
            self._phase("write reservations", t)

            t = time.perf_counter()
            w.bulk(Schedule, plan.schedules)
            w.big(Shift, plan.shifts)
            store = Store.objects.get(pk=plan.store_id)
            self._schedules(plan, store, manager)
            self._phase("schedules", t)

            t = time.perf_counter()
            self._kpis(plan, store)
            self._phase("kpis", t)
            self._notifications(plan, store, manager)
            t = time.perf_counter()
        self._phase("commit", t)

    @staticmethod
    def _remap_users(plan: gen.StorePlan, ids: dict) -> None:
        """Demo logins that existed before (another seed, another ID): point the rows at them."""
        ids = {k: v for k, v in ids.items() if k != v}
        if not ids:
            return
        for row in plan.ledger:
            row["performed_by_id"] = ids.get(row["performed_by_id"], row["performed_by_id"])
        for row in plan.schedules:
            row["published_by_id"] = ids.get(row["published_by_id"], row["published_by_id"])
        for row in plan.reservations:
            row["created_by_id"] = ids.get(row["created_by_id"], row["created_by_id"])

    def _set_targets(self, plan: gen.StorePlan) -> None:
        revenue: dict[dt.date, int] = {}
        guests: dict[dt.date, int] = {}
        for order in plan.orders:
            if order["status"] == "cancelled":
                continue
            day = order["order_time"].date()
            revenue[day] = revenue.get(day, 0) + order["total_cents"]
            guests[day] = guests.get(day, 0) + order["guest_count"]
        full = [d for d in revenue if d != self.end_date] or list(revenue)
        avg_revenue = sum(revenue[d] for d in full) / max(1, len(full))
        avg_guests = sum(guests[d] for d in full) / max(1, len(full))
        # Ambitious but reachable: a little above what the store actually does.
        plan.store["monthly_revenue_target_cents"] = int(avg_revenue * 30 * 1.06 // 1000_00 * 1000_00)
        plan.store["daily_customer_target"] = int(round(avg_guests * 1.05, -1))

    def _schedules(self, plan: gen.StorePlan, store: Store, manager: User) -> None:
        _history, window = self._window_days()
        if self.schedule_generate is not None:
            self.result.services["schedule_generate"] = f"called for {len(window)} days per store"
            for day in window:
                _schedule, report = self.schedule_generate(store=store, day=day, user=None)
                self.result.schedule_gaps += len(report.get("gaps", []))
        # Publish the past and the next few days directly (no notification storm for history).
        rng = plan.rng
        last_published = self.end_date + dt.timedelta(days=PUBLISH_AHEAD_DAYS)
        to_publish = list(
            Schedule.objects.filter(store=store, schedule_date__lte=last_published, is_published=False).order_by(
                "schedule_date"
            )
        )
        for schedule in to_publish:
            published = plan.at(schedule.schedule_date - dt.timedelta(days=4), 17 * 60 + rng.uniform(0, 120))
            schedule.is_published = True
            schedule.published_at = min(published, self.now)
            schedule.published_by = manager
        Schedule.objects.bulk_update(to_publish, ["is_published", "published_at", "published_by"])
        Shift.objects.filter(schedule__store=store, ends_at__lte=self.now, is_completed=False).update(
            is_confirmed=True, is_completed=True, confirmed_at=F("starts_at") - dt.timedelta(days=2)
        )
        upcoming = list(
            Shift.objects.filter(schedule__store=store, schedule__is_published=True, ends_at__gt=self.now).order_by(
                "starts_at", "employee_id", "start_time"
            )
        )
        confirm = []
        for shift in upcoming:
            if rng.random() < 0.7:
                shift.is_confirmed = True
                shift.confirmed_at = self.now - dt.timedelta(minutes=rng.uniform(10, 2000))
                confirm.append(shift)
        Shift.objects.bulk_update(confirm, ["is_confirmed", "confirmed_at"])

    def _kpis(self, plan: gen.StorePlan, store: Store) -> None:
        try:
            from kpis.services import kpi_compute
        except ImportError:
            self.result.services["kpi_compute"] = "missing"
            return
        kpi_compute(stores=[store], start=plan.first_day, end=self.end_date, notify=False)
        self.result.services["kpi_compute"] = "called"

    def _notifications(self, plan: gen.StorePlan, store: Store, manager: User) -> None:
        """A few low-stock alerts in the manager's notification center, as the service would send."""
        try:
            from notifications.services import notification_create
        except ImportError:
            return
        low = [i for i in plan.inventory_items if i["status"] != InventoryItem.Status.NORMAL]
        for item in low[:6]:
            level = Notification.Level.WARNING if item["status"] == "low" else Notification.Level.CRITICAL
            notification_create(
                recipients=[manager],
                kind=Notification.Kind.LOW_STOCK,
                title=f"库存不足 Low stock: {item['name']}",
                body=f"{item['current_quantity']} {item['unit']} on hand; reorder point {item['min_quantity']}.",
                level=level,
                store_id=store.pk,
                data={"item": item["id"], "status": item["status"], "quantity": str(item["current_quantity"])},
            )
        self.result.services["notification_create"] = "called"


def bump_sequences(scope: str, counts: dict[dt.date, int]) -> None:
    """Advance the DailySequence counters by the numbers the seed used, so API-created IDs continue.

    zhilian.models.reserve_daily_values for many days in one statement (same upsert: a counter
    that exists already is advanced, never reset).
    """
    rows = [(scope, day, n) for day, n in sorted(counts.items()) if n > 0]
    table = DailySequence._meta.db_table
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (scope, day, last_value) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (scope, day) DO UPDATE SET last_value = {table}.last_value + EXCLUDED.last_value",
                [v for row in chunk for v in row],
            )


class SeedError(RuntimeError):
    """The seed cannot proceed; the message says why (the command shows it as an error)."""


# --- reset -----------------------------------------------------------------------------------------


def seeded_store_ids() -> list[str]:
    return list(Store.objects.filter(config__has_key="seed").values_list("pk", flat=True))


def reset_demo_data() -> int:
    """Delete the seeded stores and everything that hangs off them, then the demo users.

    Raw deletes in dependency order (leaves first): the ORM collector would load every order
    into memory. Users go through the ORM (few rows; their SET_NULL/CASCADE relations matter).
    """
    deleted = 0
    with transaction.atomic():
        ids = seeded_store_ids()
        users = User.objects.filter(
            Q(store_id__in=ids) | Q(email__iendswith=f"@{cat.DEMO_EMAIL_DOMAIN}", role=Role.ADMIN)
        )
        user_ids = list(users.values_list("pk", flat=True))

        def raw(qs) -> int:
            return qs._raw_delete(qs.db) or 0

        deleted += raw(Notification.objects.filter(Q(store_id__in=ids) | Q(recipient_id__in=user_ids)))
        deleted += raw(KPIRecord.objects.filter(store_id__in=ids))
        deleted += raw(ReservationTable.objects.filter(reservation__store_id__in=ids))
        deleted += raw(Reservation.objects.filter(store_id__in=ids))
        deleted += raw(Shift.objects.filter(schedule__store_id__in=ids))
        deleted += raw(Schedule.objects.filter(store_id__in=ids))
        ledger = InventoryTransaction.objects.filter(store_id__in=ids)
        # Transfers pair two ledger rows; a pair reaching into a store that stays loses its link only.
        InventoryTransaction.objects.filter(
            Q(store_id__in=ids) | Q(counterpart__store_id__in=ids), counterpart__isnull=False
        ).update(counterpart=None)
        deleted += raw(ledger)
        deleted += raw(InventoryItem.objects.filter(store_id__in=ids))
        deleted += raw(OrderItem.objects.filter(order__store_id__in=ids))
        deleted += raw(Order.objects.filter(store_id__in=ids))
        scopes = [f"{kind}:{sid}" for sid in ids for kind in ("order", "reservation")]
        deleted += raw(DailySequence.objects.filter(scope__in=scopes))
        Store.objects.filter(pk__in=ids).update(manager=None)
        Employee.objects.filter(store_id__in=ids).update(user=None)
        try:
            count, _ = User.objects.filter(store_id__in=ids).delete()
        except ProtectedError as exc:
            names = sorted({str(obj) for obj in exc.protected_objects})[:5]
            raise SeedError(
                "Cannot reset: users of the seeded stores are referenced by records of other stores "
                f"({', '.join(names)}). Deactivate those stores' links first."
            ) from exc
        deleted += count
        for admin in User.objects.filter(pk__in=user_ids, store__isnull=True):
            try:
                with transaction.atomic():
                    count, _ = admin.delete()
                    deleted += count
            except ProtectedError:
                pass  # the demo admin has history elsewhere (e.g. a ledger row): keep the account
        deleted += raw(Employee.objects.filter(store_id__in=ids))
        deleted += raw(Table.objects.filter(store_id__in=ids))
        deleted += raw(Store.objects.filter(pk__in=ids))
    return deleted


def run_seed(options: SeedOptions, log: Callable[[str], None] | None = None) -> SeedResult:
    return Seeder(options, log).run()
