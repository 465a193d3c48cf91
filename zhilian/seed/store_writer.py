"""Write one planned store in one transaction, then run the domain's services over it.

The planned rows go in through the writers (COPY or bulk inserts); the recent schedules come from
`schedule_generate` itself, KPIs from `kpi_compute`, alerts from `notification_create`, the
waitlist's last week from `waitlist.services` (zhilian/seed/queue.py).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import F

from accounts.models import User
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from kpis.services import kpi_compute
from notifications.models import Notification
from notifications.services import notification_create
from orders.models import Order, OrderItem
from reservations.models import Reservation, ReservationTable
from scheduling.models import Schedule, Shift
from scheduling.services import schedule_generate_range
from stores.models import Employee, Store, Table
from zhilian.models import DailySequence
from zhilian.seed.logins import user_uuid
from zhilian.seed.plan import StorePlan
from zhilian.seed.queue import seed_waitlist
from zhilian.seed.time_off import seed_time_off
from zhilian.seed.writers import historical_timestamps

if TYPE_CHECKING:
    from zhilian.seed.runner import Seeder

PUBLISH_AHEAD_DAYS = 2


def write_store(seeder: Seeder, plan: StorePlan) -> None:
    w = seeder.writer
    number = plan.number
    with transaction.atomic():
        t = time.perf_counter()
        plan.store["region_id"] = seeder.region_id(plan.site.region)
        w.bulk(Store, [plan.store])
        users = seeder.store_users(plan.store_id, plan)
        manager, staff = users[f"manager{number:03d}"], users[f"staff{number:03d}"]
        remap_users(plan, {user_uuid(manager.username): manager.pk, user_uuid(staff.username): staff.pk})
        w.bulk(Table, plan.tables)
        w.bulk(Employee, plan.employees)
        Store.objects.filter(pk=plan.store_id).update(manager=manager)
        seeder.phase("write store, staff", t)

        t = time.perf_counter()
        w.big(Order, plan.orders)
        # Lines sold dishes of the menu (zhilian.seed.menu): the link the recipes are read by.
        for row in plan.items:
            row["dish_id"] = seeder.dish_ids.get(row["item_code"])
        w.big(OrderItem, plan.items)
        bump_sequences(f"order:{plan.store_id}", plan.order_counts)
        plan.orders, plan.items = [], []  # free the memory early
        seeder.phase("write orders", t)

        t = time.perf_counter()
        w.bulk(InventoryItem, plan.inventory_items)
        _stock_counts(w, plan)
        w.big(InventoryTransaction, plan.ledger)
        seeder.phase("write inventory", t)

        t = time.perf_counter()
        w.big(Reservation, plan.reservations)
        w.big(ReservationTable, [{"reservation_id": r, "table_id": tb} for r, tb in plan.reservation_tables])
        bump_sequences(f"reservation:{plan.store_id}", plan.reservation_counts)
        seeder.phase("write reservations", t)

        t = time.perf_counter()
        w.bulk(Schedule, plan.schedules)
        w.big(Shift, plan.shifts)
        store = Store.objects.get(pk=plan.store_id)
        seed_time_off(seeder, store, manager, staff)
        _schedules(seeder, plan, store, manager)
        seeder.phase("schedules", t)

        t = time.perf_counter()
        seed_waitlist(seeder, plan, store, staff)
        seeder.phase("waitlist", t)

        t = time.perf_counter()
        kpi_compute(stores=[store], start=plan.first_day, end=seeder.end_date, notify=False)
        seeder.result.services["kpi_compute"] = "called"
        seeder.phase("kpis", t)
        _notifications(seeder, plan, store, manager)
        t = time.perf_counter()
    seeder.phase("commit", t)


def _stock_counts(w, plan: StorePlan) -> None:
    """The closed counts (their database ids are needed first: the adjustments they wrote
    reference them as `COUNT-<id>`), then their lines."""
    rows = [{k: v for k, v in row.items() if k not in ("key", "taken_on")} for row in plan.stock_counts]
    objs = [StockCount(**row) for row in rows]
    with historical_timestamps(StockCount, rows):
        StockCount.objects.bulk_create(objs)
    w._count(StockCount, len(objs))
    ids = {row["key"]: obj.pk for row, obj in zip(plan.stock_counts, objs, strict=True)}
    for entry, key in plan.count_adjustments:
        entry["reference_id"] = f"COUNT-{ids[key]}"
    lines = plan.stock_count_lines
    for line in lines:
        line["count_id"] = ids[line.pop("count_key")]
    w.big(StockCountLine, lines)
    plan.stock_count_lines, plan.count_adjustments = [], []


def remap_users(plan: StorePlan, ids: dict) -> None:
    """Demo logins that existed before (another seed, another ID): point the rows at them."""
    ids = {k: v for k, v in ids.items() if k != v}
    if not ids:
        return
    for row in plan.ledger:
        row["performed_by_id"] = ids.get(row["performed_by_id"], row["performed_by_id"])
    for row in plan.stock_counts:
        row["opened_by_id"] = ids.get(row["opened_by_id"], row["opened_by_id"])
        row["closed_by_id"] = ids.get(row["closed_by_id"], row["closed_by_id"])
    for row in plan.schedules:
        row["published_by_id"] = ids.get(row["published_by_id"], row["published_by_id"])
    for row in plan.reservations:
        row["created_by_id"] = ids.get(row["created_by_id"], row["created_by_id"])


def _schedules(seeder: Seeder, plan: StorePlan, store: Store, manager: User) -> None:
    """The service generates the recent window; the past and the next few days are then published
    directly (no notification storm for history) and past shifts confirmed and completed."""
    _history, window = seeder.window_days()
    seeder.result.services["schedule_generate"] = f"called for {len(window)} days per store (one range)"
    # One range, as a manager generates a week: its busiest days are staffed first.
    for _schedule, report in schedule_generate_range(store=store, start=window[0], end=window[-1], user=None):
        seeder.result.schedule_gaps += len(report.get("gaps", []))
    rng = plan.rng
    now = seeder.now
    last_published = seeder.end_date + dt.timedelta(days=PUBLISH_AHEAD_DAYS)
    to_publish = list(
        Schedule.objects.filter(store=store, schedule_date__lte=last_published, is_published=False).order_by(
            "schedule_date"
        )
    )
    for schedule in to_publish:
        published = plan.at(schedule.schedule_date - dt.timedelta(days=4), 17 * 60 + rng.uniform(0, 120))
        schedule.is_published = True
        schedule.published_at = min(published, now)
        schedule.published_by = manager
    Schedule.objects.bulk_update(to_publish, ["is_published", "published_at", "published_by"])
    Shift.objects.filter(schedule__store=store, ends_at__lte=now, is_completed=False).update(
        is_confirmed=True, is_completed=True, confirmed_at=F("starts_at") - dt.timedelta(days=2)
    )
    upcoming = list(
        Shift.objects.filter(schedule__store=store, schedule__is_published=True, ends_at__gt=now).order_by(
            "starts_at", "employee_id", "start_time"
        )
    )
    confirm = []
    for shift in upcoming:
        if rng.random() < 0.7:
            shift.is_confirmed = True
            shift.confirmed_at = now - dt.timedelta(minutes=rng.uniform(10, 2000))
            confirm.append(shift)
    Shift.objects.bulk_update(confirm, ["is_confirmed", "confirmed_at"])


def _notifications(seeder: Seeder, plan: StorePlan, store: Store, manager: User) -> None:
    """A few low-stock alerts in the manager's notification center, as the service would send."""
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
    seeder.result.services["notification_create"] = "called"


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
