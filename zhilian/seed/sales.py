"""Order history: orders and their items for every history day, and what they used up."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections import Counter, defaultdict
from typing import Any

from zhilian.seed import catalog as cat
from zhilian.seed.plan import M, StorePlan, guest_name, mobile, ms_of, pick, time_uuid


class Menu:
    """Weighted dish picks for one store (spicy dishes sell better in Chengdu and Chongqing)."""

    def __init__(self, spicy: bool):
        self.dishes = list(cat.DISHES)
        cum, total = [], 0.0
        for d in self.dishes:
            total += d.popularity * ((1.7 if spicy else 0.9) if d.spicy else 1.0)
            cum.append(total)
        self.cum = cum
        self.drinks = list(cat.DRINKS)
        dcum, total = [], 0.0
        for d in self.drinks:
            total += d.popularity
            dcum.append(total)
        self.drink_cum = dcum

    def dishes_for(self, rng: random.Random, k: int) -> list[cat.Dish]:
        dishes, cum, total, rand = self.dishes, self.cum, self.cum[-1], rng.random
        seen, out = set(), []
        for _ in range(k):
            d = dishes[bisect(cum, rand() * total)]
            if d.code not in seen:
                seen.add(d.code)
                out.append(d)
        return out

    def drink(self, rng: random.Random) -> cat.Dish:
        return pick(rng, self.drinks, self.drink_cum)


GUEST_COUNTS = (1, 2, 3, 4, 5, 6, 8, 10)
GUEST_CUM = (8, 43, 61, 81, 88, 95, 98, 100)


def _order_minutes(rng: random.Random, intervals: list[tuple[int, int]], weekend: bool) -> float:
    """A time of day (minutes) inside the opening hours, peaking at lunch and dinner."""
    lunch_share = 0.45 if weekend else 0.42
    interval = intervals[0] if (len(intervals) == 1 or rng.random() < lunch_share) else intervals[-1]
    opens, closes = interval
    is_lunch = interval is intervals[0] and len(intervals) > 1
    peak = (12 * 60 + 15) if is_lunch else (18 * 60 + 50)
    sd = 42 if is_lunch else 55
    for _ in range(4):
        m = rng.gauss(peak, sd)
        if opens + 10 <= m <= closes - 20:
            return m
    return rng.uniform(opens + 10, closes - 20)


def build_orders(plan: StorePlan) -> None:
    """Orders and items of every history day; today's stop at `plan.now` with open ones in flight."""
    rng = plan.rng
    store_id = plan.store_id
    menu = Menu(plan.site.spicy if plan.site else False)
    hall_by_cap: dict[int, list[dict]] = defaultdict(list)
    for t in plan.tables:
        if t["kind"] == "hall":
            hall_by_cap[t["capacity"]].append(t)
    caps = sorted(hall_by_cap)
    rooms = sorted((t for t in plan.tables if t["kind"] == "private_room"), key=lambda t: t["capacity"])
    waiters = plan.waiters() or plan.employees
    base = 135 * plan.size
    now = plan.now
    orders, items = plan.orders, plan.items
    dish_counts: dict[dt.date, Counter] = {}
    packaging: dict[dt.date, Counter] = {}
    n_days = plan.days
    for day_index, day in enumerate(plan.history_days()):
        intervals = plan.hours(day)
        if not intervals:
            continue
        weekend = day.weekday() >= 5
        trend = 0.92 + 0.08 * (day_index / max(1, n_days - 1))  # business picks up slightly over the period
        count = max(5, round(base * cat.WEEKDAY_VOLUME[day.weekday()] * trend * rng.uniform(0.9, 1.1)))
        times = sorted(_order_minutes(rng, intervals, weekend) for _ in range(count))
        stamps = [plan.at(day, m) for m in times]
        if day == plan.end_date:
            stamps = [s for s in stamps if s <= now]
        dishes_today: Counter = Counter()
        pack_today: Counter = Counter()
        busy_tables: set = set()
        hourly_today: dict[int, tuple[int, int]] = {}
        plan.hourly[day] = hourly_today
        sales_today: dict[int, tuple[float, float, float]] = {}
        plan.sales[day] = sales_today
        for number, t0 in enumerate(stamps, start=1):
            order_id = f"{store_id}-{day:%Y%m%d}-{number:04d}"
            r = rng.random()
            order_type = "dine_in" if r < 0.64 else ("takeaway" if r < 0.76 else "delivery")
            lines: list[tuple[cat.Dish, int, str, dict]] = []
            table = waiter = None
            customer_name = customer_phone = ""
            metadata: dict[str, Any] = {}
            if order_type == "dine_in":
                guests = pick(rng, GUEST_COUNTS, GUEST_CUM)
                if guests >= 8 and rooms and rng.random() < 0.6:
                    fitting = [t for t in rooms if t["capacity"] >= guests] or rooms[-1:]
                    table = rng.choice(fitting)
                else:
                    cap = next((c for c in caps if c >= guests), caps[-1])
                    options = hall_by_cap[cap]
                    table = rng.choice(options)
                    if t0 > now - 90 * M:  # tables in use right now: prefer a free one
                        free = [t for t in options if t["id"] not in busy_tables]
                        table = rng.choice(free) if free else table
                        busy_tables.add(table["id"])
                guests = min(guests, table["capacity"])
                waiter = rng.choice(waiters)
                channel = "mini_program" if rng.random() < 0.18 else "pos"
                n_dishes = max(1, round(guests * 0.85 + rng.uniform(0.3, 1.6)))
                for dish in menu.dishes_for(rng, n_dishes):
                    qty = 2 if dish.category == "dim_sum" and guests >= 4 and rng.random() < 0.4 else 1
                    lines.append(_line(rng, dish, qty))
                if rng.random() < 0.8:
                    lines.append((cat.RICE, max(1, round(guests * rng.uniform(0.5, 1.0))), "", {}))
                for _ in range(rng.randint(0, max(1, guests // 2))):
                    drink = menu.drink(rng)
                    qty = rng.randint(2, 6) if drink.code == "B004" and t0.hour >= 17 else rng.randint(1, 2)
                    lines.append((drink, qty, "", {}))
                if rng.random() < 0.35:
                    customer_name, customer_phone = guest_name(rng), mobile(rng)
            else:
                guests = 1 if rng.random() < 0.7 else 2
                if order_type == "takeaway":
                    channel = rng.choices(("pos", "mini_program", "phone", "app"), weights=(45, 35, 10, 10))[0]
                else:
                    channel = rng.choices(("meituan", "eleme", "mini_program"), weights=(55, 35, 10))[0]
                    metadata = {
                        "platform_order_no": f"{rng.randrange(10**15, 10**16)}",
                        "delivery_fee_cents": rng.choice((0, 300, 500, 600)),
                        "address": f"{plan.site.city_zh if plan.site else ''}某小区{rng.randint(1, 30)}栋",
                    }
                customer_name, customer_phone = guest_name(rng), mobile(rng)
                for dish in menu.dishes_for(rng, rng.randint(1, 3)):
                    lines.append(_line(rng, dish, 1))
                if rng.random() < 0.7:
                    lines.append((cat.RICE, guests, "", {}))
                if rng.random() < 0.4:
                    lines.append((menu.drink(rng), 1, "", {}))
            subtotal = 0
            t0_ms = ms_of(t0)
            for dish, qty, note, custom in lines:
                sub = dish.price_cents * qty
                subtotal += sub
                items.append(
                    {
                        "id": time_uuid(rng, t0_ms),
                        "order_id": order_id,
                        "item_code": dish.code,
                        "item_name": dish.name,
                        "quantity": qty,
                        "unit_price_cents": dish.price_cents,
                        "subtotal_cents": sub,
                        "notes": note,
                        "customizations": custom,
                        "created_at": t0,
                        "updated_at": t0,
                    }
                )
            discount, promo = _discount(rng, order_type, subtotal)
            if promo:
                metadata["promotion"] = promo
            order = {
                "id": order_id,
                "store_id": store_id,
                "table_id": table["id"] if table else None,
                "order_type": order_type,
                "customer_name": customer_name,
                "customer_phone": customer_phone,
                "subtotal_cents": subtotal,
                "discount_cents": discount,
                "total_cents": subtotal - discount,
                "order_time": t0,
                "cancel_reason": "",
                "waiter_id": waiter["id"] if waiter else None,
                "sales_channel": channel,
                "guest_count": guests,
                "notes": rng.choice(cat.ORDER_NOTES) if order_type == "dine_in" else "",
                "metadata": metadata,
                "created_at": t0,
            }
            _timeline(rng, order, len(lines), now)
            orders.append(order)
            if order["status"] != "cancelled":
                slot = hourly_today.get(t0.hour, (0, 0))
                hourly_today[t0.hour] = (slot[0] + 1, slot[1] + guests)
                sold = sales_today.get(t0.hour, (0.0, 0.0, 0.0))
                sales_today[t0.hour] = (sold[0] + order["total_cents"], sold[1] + 1, sold[2] + guests)
                for dish, qty, _note, _custom in lines:
                    dishes_today[dish.code] += qty
                if order_type != "dine_in":
                    pack_today["takeaway_box"] += sum(q for d, q, _n, _c in lines if d.category != "drink")
                    pack_today["chopsticks"] += guests
                    pack_today["delivery_bag"] += 1
        plan.order_counts[day] = len(stamps)
        dish_counts[day] = dishes_today
        packaging[day] = pack_today
    # The theoretical usage: what the menu's recipes take out of stock (quantity / yield per
    # portion), the same as menu.selectors.RecipeBook computes from the seeded recipes.
    yields = {key: float(value) for key, value in cat.YIELDS.items()}
    recipes = {d.code: [(key, round(amount, 3) / yields.get(key, 1.0)) for key, amount in d.recipe] for d in cat.MENU}
    for day, counter in dish_counts.items():
        usage: dict[str, float] = defaultdict(float)
        for code, qty in counter.items():
            for key, amount in recipes[code]:
                usage[key] += amount * qty
        for key, qty in packaging[day].items():
            usage[key] += qty
        plan.usage[day] = dict(usage)


def _line(rng: random.Random, dish: cat.Dish, qty: int) -> tuple[cat.Dish, int, str, dict]:
    if rng.random() < 0.12:
        custom, note = rng.choice(cat.CUSTOMIZATIONS)
        if "spice" in custom and not dish.spicy:
            return dish, qty, "", {}
        return dish, qty, note, dict(custom)
    return dish, qty, "", {}


def _discount(rng: random.Random, order_type: str, subtotal: int) -> tuple[int, str]:
    r = rng.random()
    if order_type == "delivery":
        if subtotal >= 100_00 and r < 0.5:
            return 15_00, "满100减15"
        if subtotal >= 50_00 and r < 0.6:
            return 8_00, "满50减8"
        return 0, ""
    if r < 0.10:
        return subtotal * 5 // 100 // 100 * 100, "member_5pct"
    if r < 0.18 and subtotal >= 200_00:
        return 20_00, "满200减20"
    if r < 0.2 and subtotal >= 300_00:
        return 50_00, "满300减50"
    return 0, ""


STAGES = ("confirmed_at", "preparing_at", "ready_at", "served_at", "completed_at")
STAGE_STATUS = {
    None: "pending",
    "confirmed_at": "confirmed",
    "preparing_at": "preparing",
    "ready_at": "ready",
    "served_at": "served",
    "completed_at": "completed",
}


def _timeline(rng: random.Random, order: dict, n_lines: int, now: dt.datetime) -> None:
    """Stamp each workflow step in order; steps after `now` are not reached yet."""
    t0 = order["order_time"]
    kind = order["order_type"]
    confirmed = t0 + M * (rng.uniform(0.2, 1.0) if kind == "delivery" else rng.uniform(0.5, 3))
    preparing = confirmed + M * rng.uniform(0.5, 4)
    ready = preparing + M * (7 + 1.1 * n_lines + rng.uniform(0, 9))
    if kind == "dine_in":
        served = ready + M * rng.uniform(0.5, 4)
        completed = served + M * (rng.uniform(25, 55) + 4 * order["guest_count"])
    elif kind == "takeaway":
        served = ready + M * rng.uniform(2, 15)
        completed = served + M * rng.uniform(0, 1)
    else:
        served = ready + M * rng.uniform(3, 12)
        completed = served + M * rng.uniform(15, 40)
    times = dict(zip(STAGES, (confirmed, preparing, ready, served, completed)))
    cancel_p = 0.04 if kind == "delivery" else 0.02
    cancelled_at = None
    reason = ""
    if rng.random() < cancel_p:
        stage = rng.choices(("pending", "confirmed", "preparing"), weights=(40, 30, 30))[0]
        keep = {"pending": 0, "confirmed": 1, "preparing": 2}[stage]
        last = t0 if keep == 0 else times[STAGES[keep - 1]]
        cancelled_at = last + M * rng.uniform(1, 10)
        reason = rng.choice(cat.CANCEL_REASONS[stage])
        times = {k: (v if i < keep else None) for i, (k, v) in enumerate(times.items())}
    reached = None
    for stage in STAGES:
        stamp = times[stage]
        if stamp is not None and stamp <= now:
            reached = stage
        else:
            times[stage] = None
    order.update(times)
    if cancelled_at is not None and cancelled_at <= now:
        order["status"] = "cancelled"
        order["cancelled_at"] = cancelled_at
        order["cancel_reason"] = reason
        order["updated_at"] = cancelled_at
    else:
        order["status"] = STAGE_STATUS[reached]
        order["cancelled_at"] = None
        order["updated_at"] = times[reached] if reached else t0
