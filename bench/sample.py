"""The data the bench measures: a sample store-day (an order, a phone, a manager, stock to use)
and facts about the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bench.floor import Floor


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
    # Dish codes whose every ingredient each store keeps as an item (orders from the menu deduct them).
    menu_dishes: list[str]


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
    return Sample(
        store_id, day, lo, hi, order.pk, order.customer_phone, str(manager.pk), stores, usage_items,
        menu_dishes=dishes_with_ingredients(stores[:8]),
    )  # fmt: skip


def dishes_with_ingredients(stores: list[str], count: int = 4) -> list[str]:
    """Active dishes whose recipe ingredients every given store keeps as active items."""
    from inventory.models import InventoryItem
    from menu.models import Dish

    stocked = None
    for sid in stores:
        skus = set(InventoryItem.objects.filter(store_id=sid, is_active=True).values_list("sku", flat=True))
        stocked = skus if stocked is None else stocked & skus
    chosen = []
    for dish in Dish.objects.filter(is_active=True).prefetch_related("recipe_lines").order_by("code"):
        needs = {line.ingredient_sku for line in dish.recipe_lines.all()}
        if needs and needs <= (stocked or set()):
            chosen.append(dish.code)
        if len(chosen) == count:
            break
    return chosen


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
