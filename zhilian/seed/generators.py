"""Build one store's demo history in memory: plain dicts keyed by model attnames.

Everything draws from the store's own `random.Random`, so a store's data depends only on the
seed, its number and the calendar (end date, reference "now"), never on other stores or on the
order the stores are generated in. The writers turn the dicts into rows (COPY or bulk_create).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from zhilian.seed import catalog as cat

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Q3 = Decimal("0.001")
ZERO = Decimal("0")
WHOLE_UNITS = {"piece", "can", "bottle", "pair"}
M = dt.timedelta(minutes=1)
ONE_DAY = dt.timedelta(days=1)


def rng_uuid(rng: random.Random) -> str:
    """A version-4 UUID (as text) drawn from the store's generator: same seed, same IDs.

    Text rather than uuid.UUID: building ~500k UUID objects costs seconds; both COPY and
    UUIDField accept the canonical string.
    """
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def time_uuid(rng: random.Random, ms: int) -> str:
    """A version-7 UUID (text): the time in milliseconds first, then random bits from the rng.

    Rows written in time order then land at the right-hand edge of the primary-key index
    instead of at random pages, which makes the bulk load of items and ledger rows much cheaper.
    """
    rand = rng.getrandbits(74)
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def ms_of(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def pick(rng: random.Random, population: list, cum: list[float]):
    """One weighted pick (cumulative weights): random.choices without its per-call overhead."""
    return population[bisect(cum, rng.random() * cum[-1])]


def line_cost_cents(quantity: Decimal, unit_cost_cents: int) -> int:
    """Same rounding as inventory.services.line_cost_cents: half up to a whole cent."""
    return int((abs(quantity) * unit_cost_cents).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def hhmm(value: str) -> int:
    h, m = value.split(":")
    return int(h) * 60 + int(m)


@dataclass
class StorePlan:
    """One store to generate, with its calendar and everything generated so far."""

    number: int
    seed: int
    end_date: dt.date
    days: int
    now: dt.datetime  # the reference "now" (aware, local): nothing is stamped after it
    tz: Any
    future_days: int = 14
    rng: random.Random = field(init=False)
    store: dict = field(default_factory=dict)
    site: cat.StoreSite | None = None
    size: float = 1.0
    tables: list[dict] = field(default_factory=list)
    employees: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    order_counts: dict[dt.date, int] = field(default_factory=dict)
    usage: dict[dt.date, dict[str, float]] = field(default_factory=dict)
    hourly: dict[dt.date, dict[int, tuple[int, int]]] = field(default_factory=dict)
    inventory_items: list[dict] = field(default_factory=list)
    ledger: list[dict] = field(default_factory=list)
    reservations: list[dict] = field(default_factory=list)
    reservation_tables: list[tuple[str, Any]] = field(default_factory=list)
    reservation_counts: dict[dt.date, int] = field(default_factory=dict)
    schedules: list[dict] = field(default_factory=list)
    shifts: list[dict] = field(default_factory=list)
    seconds: float = 0.0  # time spent generating

    def __post_init__(self):
        self.rng = random.Random(f"zhilian-seed:{self.seed}:store:{self.number}")

    @property
    def store_id(self) -> str:
        return f"STORE{self.number:03d}"

    @property
    def first_day(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    def history_days(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range(self.days)]

    def at(self, day: dt.date, minutes: float) -> dt.datetime:
        base = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return base + dt.timedelta(seconds=round(minutes * 60))

    def hours(self, day: dt.date) -> list[tuple[int, int]]:
        return [(hhmm(a), hhmm(b)) for a, b in self.store["business_hours"].get(WEEKDAYS[day.weekday()], [])]

    def waiters(self) -> list[dict]:
        return [e for e in self.employees if e["position"] == "waiter"]


# --- people --------------------------------------------------------------------------------------


def person_name(rng: random.Random) -> str:
    given = rng.choice(cat.GIVEN_CHARS) + (rng.choice(cat.GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(cat.SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def guest_name(rng: random.Random) -> str:
    return rng.choice(cat.SURNAMES) + rng.choice(("先生", "女士", "先生", "女士", "小姐"))


# --- store, tables, staff ----------------------------------------------------------------------


def store_code(number: int) -> str:
    """SH01, BJ01, ..., SH02: the city's code and the store's rank in the city (by store number)."""
    sites = cat.SITES
    code = sites[(number - 1) % len(sites)].city_code
    rank = sum(1 for i in range(number) if sites[i % len(sites)].city_code == code)
    return f"{code}{rank:02d}"


def build_store(plan: StorePlan) -> None:
    rng = plan.rng
    index = plan.number - 1
    site = cat.SITES[index % len(cat.SITES)]
    lap = index // len(cat.SITES)
    plan.site = site
    plan.size = round(rng.uniform(0.8, 1.3), 2)
    branch_zh, branch_en = site.branch_zh, site.branch_en
    if lap:
        branch_zh = branch_zh.replace("店", f"{lap + 1}号店")
        branch_en = f"{branch_en} No.{lap + 1}"
    code = store_code(plan.number)
    opening = plan.end_date - dt.timedelta(days=rng.randint(400, 3000))
    plan.store = {
        "id": plan.store_id,
        "code": code,
        "name": f"{cat.BRAND_ZH}·{branch_zh} {cat.BRAND_EN} {branch_en}",
        "address": site.address,
        "city": site.city,
        "district": site.district,
        "region": site.region,
        "phone": f"{site.phone_prefix}-{rng.randint(5000_0000, 6999_9999)}",
        "email": f"{code.lower()}@{cat.DEMO_EMAIL_DOMAIN}",
        "latitude": Decimal(f"{site.latitude + lap * 0.011 + rng.uniform(-0.002, 0.002):.6f}"),
        "longitude": Decimal(f"{site.longitude + lap * 0.013 + rng.uniform(-0.002, 0.002):.6f}"),
        "status": "active",
        "opening_date": opening,
        "business_hours": {k: [list(p) for p in v] for k, v in cat.BUSINESS_HOURS.items()},
        "config": {
            "seed": {"seed": plan.seed, "generator": "manage.py seed", "size": plan.size},
            "currency": "CNY",
            "delivery_platforms": ["meituan", "eleme"],
            "city_zh": site.city_zh,
            "spicy_menu_boost": site.spicy,
        },
        "cost_ratio_target": Decimal(f"{rng.uniform(0.32, 0.36):.4f}"),
        "labor_cost_ratio_target": Decimal(f"{rng.uniform(0.22, 0.26):.4f}"),
        "manager_id": None,
        "created_at": plan.at(opening - dt.timedelta(days=60), 10 * 60),
        "updated_at": plan.at(opening - dt.timedelta(days=1), 18 * 60),
    }
    build_tables(plan)
    seats = sum(t["capacity"] for t in plan.tables if t["kind"] != "banquet_hall")
    plan.store["seats"] = seats
    plan.store["area"] = Decimal(f"{seats * rng.uniform(2.0, 2.6):.2f}")


def build_tables(plan: StorePlan) -> None:
    rng = plan.rng
    tables = []
    for prefix, capacity, count in cat.HALL_TABLES:
        for i in range(1, max(1, round(count * plan.size)) + 1):
            tables.append({"number": f"{prefix}{i:02d}", "capacity": capacity, "kind": "hall", "room_name": ""})
    rooms = list(cat.PRIVATE_ROOMS)
    rng.shuffle(rooms)
    for i, (room, capacity) in enumerate(rooms[: max(2, round(4 * plan.size))], start=1):
        tables.append({"number": f"P{i:02d}", "capacity": capacity, "kind": "private_room", "room_name": room})
    hall, capacity = cat.BANQUET_HALLS[plan.number % 2]
    tables.append({"number": "V01", "capacity": capacity, "kind": "banquet_hall", "room_name": hall})
    opened = plan.at(plan.store["opening_date"] - dt.timedelta(days=7), 14 * 60)
    for t in tables:
        t.update(id=rng_uuid(rng), store_id=plan.store_id, is_active=True, created_at=opened, updated_at=opened)
    plan.tables = tables


def build_employees(plan: StorePlan) -> None:
    rng = plan.rng
    employees = []
    n = 0
    for position, (count, wage, skills_pool, shifts_pool) in cat.STAFFING.items():
        for k in range(max(1, round(count * plan.size))):
            n += 1
            part_time = position not in ("manager", "chef") and rng.random() < 0.2
            skills = rng.sample(skills_pool, k=min(len(skills_pool), rng.randint(1, 3)))
            # Cross-training: the scheduler uses a skill naming a position as a fallback for it.
            if position == "waiter" and rng.random() < 0.3:
                skills.append("host")
            elif position == "host" and rng.random() < 0.5:
                skills.append("waiter")
            elif position == "kitchen_helper" and rng.random() < 0.4:
                skills.append("dishwasher")
            elif position == "cashier" and rng.random() < 0.3:
                skills.append("host")
            # Restaurants need everyone at the weekend: days off fall mostly on Monday to Thursday.
            pool = WEEKDAYS[:4] if position == "manager" or rng.random() < 0.8 else WEEKDAYS
            days_off = sorted(
                rng.sample(pool, k=rng.choice((1, 2))),
                key=WEEKDAYS.index,
            )
            senior = k == 0 and position in ("chef", "waiter")
            trainings = ["food_safety", *rng.sample(cat.TRAININGS[1:], k=rng.randint(1, 4))]
            employees.append(
                {
                    "id": f"EMP{plan.number:03d}-{n:03d}",
                    "store_id": plan.store_id,
                    "user_id": None,
                    "name": person_name(rng),
                    "phone": mobile(rng),
                    "email": "",
                    "position": position,
                    "skills": skills,
                    "hire_date": plan.store["opening_date"] + dt.timedelta(days=rng.randint(0, 900) if n > 1 else 0),
                    "is_active": True,
                    "preferences": {
                        "preferred_shifts": rng.sample(shifts_pool, k=1) if rng.random() < 0.8 else [],
                        "days_off": days_off,
                        "max_hours_per_week": rng.choice((24, 30)) if part_time else rng.choice((40, 44, 44, 48)),
                        **({"part_time": True} if part_time else {}),
                    },
                    "performance_score": Decimal(f"{rng.uniform(68, 98):.2f}"),
                    "training_completed": trainings
                    + (["head_chef_certificate"] if senior and position == "chef" else []),
                    "hourly_wage_cents": round(wage * rng.uniform(0.9, 1.15) * (1.25 if senior else 1) / 50) * 50,
                }
            )
            hired = employees[-1]["hire_date"]
            employees[-1]["created_at"] = plan.at(hired, 9 * 60 + rng.uniform(0, 60))
            employees[-1]["updated_at"] = employees[-1]["created_at"]
    plan.employees = employees


# --- orders ----------------------------------------------------------------------------------------


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
                for dish, qty, _note, _custom in lines:
                    dishes_today[dish.code] += qty
                if order_type != "dine_in":
                    pack_today["takeaway_box"] += sum(q for d, q, _n, _c in lines if d.category != "drink")
                    pack_today["chopsticks"] += guests
                    pack_today["delivery_bag"] += 1
        plan.order_counts[day] = len(stamps)
        dish_counts[day] = dishes_today
        packaging[day] = pack_today
    recipes = {d.code: d.recipe for d in cat.MENU}
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


# --- inventory -----------------------------------------------------------------------------------


def _q(value: float) -> Decimal:
    return Decimal(f"{value:.3f}")


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def build_inventory(plan: StorePlan, *, manager_user_id=None, staff_user_id=None) -> None:
    """Items sized from the store's own sales, and a ledger that adds up row by row.

    Morning deliveries top items up to par when they would fall to the reorder point; usage is
    booked at closing from the day's recipes; perishables see some waste; month starts bring a
    stock-take adjustment. A few items are left short at the end (low / critical).
    """
    rng = plan.rng
    days = plan.history_days()
    full_days = [d for d in days if d != plan.end_date] or days
    store_id = plan.store_id
    items, ledger = plan.inventory_items, plan.ledger
    state = []
    for i, stock in enumerate(cat.STOCK, start=1):
        daily = sum(plan.usage.get(d, {}).get(stock.key, 0.0) for d in full_days) / len(full_days)
        if daily > 0:
            min_q = _round_up(max(daily * (1.5 if stock.perishable else 3), stock.pack), stock.pack)
            max_q = _round_up(max(daily * (3.5 if stock.perishable else 7), min_q + stock.pack), stock.pack)
        else:
            min_q = _round_up(stock.min_quantity * plan.size, stock.pack)
            max_q = _round_up(stock.max_quantity * plan.size, stock.pack)
        item = {
            "id": f"INV{plan.number:03d}-{i:03d}",
            "store_id": store_id,
            "name": stock.name,
            "category": stock.category,
            "unit": stock.unit,
            "min_quantity": _q(min_q),
            "max_quantity": _q(max_q),
            "unit_cost_cents": stock.unit_cost_cents,
            "supplier_name": stock.supplier,
            "supplier_contact": cat.SUPPLIER_CONTACTS[stock.supplier],
            "is_active": True,
        }
        items.append(item)
        state.append((stock, item, daily))
    short = set(rng.sample(range(len(state)), k=min(4, len(state))))
    now = plan.now

    def write(item, stock, qty_now: Decimal, delta: Decimal, kind: str, when, **extra) -> Decimal:
        after = qty_now + delta
        ledger.append(
            {
                "id": time_uuid(rng, ms_of(when)),
                "item_id": item["id"],
                "store_id": store_id,
                "transaction_type": kind,
                "quantity": delta,
                "unit_cost_cents": stock.unit_cost_cents,
                "total_cost_cents": line_cost_cents(delta, stock.unit_cost_cents),
                "quantity_before": qty_now,
                "quantity_after": after,
                "waste_reason": extra.get("waste_reason", ""),
                "reference_id": extra.get("reference_id", ""),
                "counterpart_id": None,
                "notes": extra.get("notes", ""),
                "performed_by_id": extra.get("user"),
                "transaction_time": when,
                "created_at": when,
                "updated_at": when,
            }
        )
        return after

    for index, (stock, item, daily) in enumerate(state):
        min_q, max_q = item["min_quantity"], item["max_quantity"]
        whole = stock.unit in WHOLE_UNITS
        first = days[0]
        opening = _q(_round_up(float(max_q) * rng.uniform(0.75, 1.0), stock.pack))
        qty = write(
            item,
            stock,
            ZERO,
            opening,
            "adjustment",
            plan.at(first, 6 * 60 + 30),
            reference_id=f"OPEN-{store_id}",
            notes="期初盘点 opening stock count",
            user=manager_user_id,
        )
        for d in days:
            is_today = d == plan.end_date
            # Morning delivery: top up to par when today's use would reach the reorder point.
            when = plan.at(d, 7 * 60 + 30 + rng.uniform(0, 90))
            no_reorder = index in short and (plan.end_date - d).days < 3
            if (
                d != first
                and not no_reorder
                and (not is_today or when <= now)
                and float(qty) - daily * rng.uniform(0.8, 1.2) <= float(min_q)
            ):
                need = _round_up(float(max_q - qty), stock.pack)
                if need > 0:
                    qty = write(
                        item,
                        stock,
                        qty,
                        _q(need),
                        "purchase",
                        when,
                        reference_id=f"PO-{store_id}-{d:%Y%m%d}",
                        notes=f"{stock.supplier} 送货 delivery",
                        user=manager_user_id,
                    )
            # Month-start stock take on about a third of the items.
            if d.day == 1 and d != first and rng.random() < 0.35 and qty > 0:
                when = plan.at(d, 7 * 60)
                if not is_today or when <= now:
                    delta = _q(float(qty) * rng.uniform(-0.04, 0.02))
                    if whole:
                        delta = Decimal(round(delta))
                    delta = max(delta, -qty)
                    if delta != 0:
                        qty = write(
                            item,
                            stock,
                            qty,
                            delta,
                            "adjustment",
                            when,
                            reference_id=f"ST-{store_id}-{d:%Y%m}",
                            notes="月度盘点 monthly stock take",
                            user=manager_user_id,
                        )
            # Waste on perishables.
            if stock.perishable and qty > 0 and rng.random() < 0.05:
                when = plan.at(d, 15 * 60 + rng.uniform(0, 60))
                if not is_today or when <= now:
                    lost = _q(float(qty) * rng.uniform(0.02, 0.08))
                    if whole:
                        lost = Decimal(max(1, round(lost)))
                    lost = min(lost, qty)
                    if lost > 0:
                        reason = rng.choices(
                            [r for r, _w in cat.WASTE_REASONS], weights=[w for _r, w in cat.WASTE_REASONS]
                        )[0]
                        qty = write(
                            item,
                            stock,
                            qty,
                            -lost,
                            "waste",
                            when,
                            waste_reason=reason,
                            notes=cat.WASTE_NOTES[reason],
                            user=staff_user_id,
                        )
            # The day's usage from the recipes of what was sold.
            used = plan.usage.get(d, {}).get(stock.key, 0.0) * rng.uniform(0.96, 1.08)
            if used > 0 and qty > 0:
                when = now - dt.timedelta(seconds=40) if is_today else plan.at(d, 22 * 60 + 40)
                amount = Decimal(math.ceil(used)) if whole else _q(used)
                amount = min(amount, qty)
                if amount > 0:
                    qty = write(
                        item,
                        stock,
                        qty,
                        -amount,
                        "usage",
                        when,
                        reference_id=f"POS-{store_id}-{d:%Y%m%d}",
                        notes="按销售扣减 usage from sales",
                        user=staff_user_id,
                    )
        # Leave the short items low or critical (or out) for the dashboard's alerts.
        if index in short and qty > 0:
            target = min_q * Decimal("0.35") if index % 2 else min_q * Decimal("0.8")
            target = Decimal(math.floor(target)) if whole else target.quantize(Q3)
            if qty > target:
                qty = write(
                    item,
                    stock,
                    qty,
                    target - qty,
                    "usage",
                    now - dt.timedelta(seconds=20),
                    reference_id=f"POS-{store_id}-{plan.end_date:%Y%m%d}",
                    notes="备料 prep for service",
                    user=staff_user_id,
                )
        item["current_quantity"] = qty
        item["status"] = status_for(qty, min_q)
        item["created_at"] = plan.at(days[0], 6 * 60)
        item["updated_at"] = ledger[-1]["transaction_time"]


def status_for(quantity: Decimal, min_quantity: Decimal) -> str:
    from inventory.models import InventoryItem

    return str(InventoryItem.status_for(quantity, min_quantity))


# --- reservations ------------------------------------------------------------------------------


def build_reservations(plan: StorePlan, *, bounds, manager_user_id=None, staff_user_id=None) -> None:
    """Past, today's and upcoming bookings; never two non-cancelled ones on a table at once.

    Banquets are booked by the manager, about half the rest by the staff login at the front desk
    (phone bookings); the others came in online (no user)."""
    rng = plan.rng
    now = plan.now
    hall = sorted((t for t in plan.tables if t["kind"] == "hall"), key=lambda t: (t["capacity"], t["number"]))
    rooms = sorted((t for t in plan.tables if t["kind"] == "private_room"), key=lambda t: t["capacity"])
    banquet = [t for t in plan.tables if t["kind"] == "banquet_hall"]
    # Bookings per (table, day they start on): a booking lasts hours, so only the neighbouring days'
    # can overlap one of day d (checking a table's whole year made this quadratic).
    busy: dict[Any, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    menu = {d.code: d.name for d in cat.MENU}
    pending: list[dict] = []

    def free(table, s, e) -> bool:
        return all(
            not (bs < e and be > s) for day in (d - ONE_DAY, d, d + ONE_DAY) for bs, be in busy[(table["id"], day)]
        )

    days = plan.history_days() + [plan.end_date + dt.timedelta(days=i) for i in range(1, plan.future_days + 1)]
    for d in days:
        intervals = plan.hours(d)
        if len(intervals) < 2:
            continue
        lead = (d - plan.end_date).days
        fill = 1.0 if lead <= 0 else max(0.15, 1 - lead / (plan.future_days + 2))
        weekend = d.weekday() >= 4
        wanted = []
        for _ in range(round(rng.randint(1, 4) * plan.size * fill)):
            wanted.append(("regular", "lunch"))
        for _ in range(round(rng.randint(3, 9) * plan.size * fill * (1.5 if weekend else 1))):
            wanted.append(("regular", "dinner"))
        for _ in range(round(rng.randint(1, 3) * fill)):
            wanted.append(("private_room", "dinner" if rng.random() < 0.8 else "lunch"))
        if banquet and rng.random() < (0.45 if weekend else 0.08) * (1 if lead <= 0 else 1.3):
            wanted.append(("banquet", "dinner"))
        for kind, service in wanted:
            (l_open, l_close), (d_open, d_close) = intervals[0], intervals[-1]
            if kind == "banquet":
                start_min, duration = 18 * 60, 180
            elif service == "lunch":
                duration = 90
                start_min = rng.choice(range(l_open + 30, l_close - duration + 1, 30))
            else:
                duration = 150 if kind == "private_room" else 120
                start_min = rng.choice(range(max(d_open + 30, 17 * 60 + 30), d_close - duration + 1, 30))
            start_time = dt.time(start_min // 60, start_min % 60)
            starts, ends = bounds(d, start_time, duration)
            chosen: list[dict] = []
            if kind == "regular":
                party = rng.choices((2, 3, 4, 5, 6, 7, 8, 10, 12), weights=(26, 14, 24, 8, 12, 4, 6, 4, 2))[0]
                fitting = [t for t in hall if t["capacity"] >= party and free(t, starts, ends)]
                if fitting:
                    cap = fitting[0]["capacity"]
                    chosen = [rng.choice([t for t in fitting if t["capacity"] == cap])]
                elif party >= 7:
                    big = [t for t in hall if t["capacity"] >= 4 and free(t, starts, ends)]
                    for a in big:
                        b = next((t for t in big if t is not a and a["capacity"] + t["capacity"] >= party), None)
                        if b:
                            chosen = [a, b]
                            break
            elif kind == "private_room":
                party = rng.randint(6, 14)
                fitting = [t for t in rooms if t["capacity"] >= party and free(t, starts, ends)]
                if fitting:
                    chosen = [fitting[0]]
            else:
                table = banquet[0]
                party = min(table["capacity"], rng.randint(30, table["capacity"]))
                if free(table, starts, ends):
                    chosen = [table]
            if not chosen:
                continue  # fully booked at that time: the guest went elsewhere
            if kind == "banquet":
                created_by = manager_user_id
            else:
                created_by = staff_user_id if rng.random() < 0.5 else None
            res = _reservation(plan, rng, kind, d, start_time, duration, party, chosen, menu, created_by)
            res["starts_at"], res["ends_at"] = starts, ends
            _reservation_status(rng, res, now)
            if res["status"] != "cancelled":
                for t in chosen:
                    busy[(t["id"], d)].append((starts, ends))
            pending.append(res)
    pending.sort(key=lambda r: (r["reservation_date"], r["reservation_time"], r["_seq"]))
    counts: Counter = Counter()
    for res in pending:
        d = res["reservation_date"]
        counts[d] += 1
        res["id"] = f"{plan.store_id}-R{d:%Y%m%d}-{counts[d]:04d}"
        for table_id in res.pop("_tables"):
            plan.reservation_tables.append((res["id"], table_id))
        res.pop("_seq")
        plan.reservations.append(res)
    plan.reservation_counts = dict(counts)


def _reservation(plan, rng, kind, d, start_time, duration, party, tables, menu, created_by) -> dict:
    name = guest_name(rng)
    res = {
        "store_id": plan.store_id,
        "customer_name": name,
        "customer_phone": mobile(rng),
        "customer_email": "",
        "reservation_type": kind,
        "reservation_date": d,
        "reservation_time": start_time,
        "duration_minutes": duration,
        "party_size": party,
        "room_name": tables[0]["room_name"] if kind != "regular" else "",
        "special_requests": rng.choice(cat.SPECIAL_REQUESTS),
        "dietary_restrictions": rng.sample(cat.DIETARY, k=1) if rng.random() < 0.15 else [],
        "banquet_details": {},
        "estimated_budget_cents": 0,
        "deposit_cents": 0,
        "notes": "",
        "created_by_id": created_by,
        "_tables": [t["id"] for t in tables],
        "_seq": rng.random(),
    }
    if kind == "private_room":
        res["estimated_budget_cents"] = party * rng.choice((180_00, 250_00, 380_00))
        res["special_requests"] = res["special_requests"] or "商务宴请 business dinner"
    if kind == "banquet":
        occasion, label = rng.choice(cat.OCCASIONS)
        n_tables = math.ceil(party / 10)
        price = rng.choice(cat.BANQUET_TABLE_PRICES)
        budget = n_tables * price
        res.update(
            customer_email=f"banquet{rng.randint(100, 999)}@example.com",
            estimated_budget_cents=budget,
            deposit_cents=budget * 3 // 10 // 100 * 100,
            notes=label,
            banquet_details={
                "occasion": occasion,
                "title": label,
                "tables": n_tables,
                "price_per_table_cents": price,
                "menu": [menu[code] for code in rng.choice(cat.BANQUET_MENUS)],
                "drinks": rng.choice(("青岛啤酒 + 酸梅汤 beer and plum juice", "自带酒水 own wine (corkage waived)")),
                "decoration": rng.choice(("红色主题 red theme", "鲜花布置 fresh flowers", "LED背景墙 LED backdrop")),
                "contact": name,
            },
        )
    return res


RESERVATION_STAMPS = ("confirmed_at", "arrival_time", "seated_at", "completed_at", "cancelled_at", "no_show_at")


def _reservation_status(rng: random.Random, res: dict, now: dt.datetime) -> None:
    """Status and the times of each move so far; created before the first move, updated at the last."""
    starts = res["starts_at"]
    booked = starts - dt.timedelta(hours=rng.uniform(3, 24 * (12 if res["reservation_type"] == "banquet" else 4)))
    _reservation_moves(rng, res, now, booked)
    stamps = [res[k] for k in RESERVATION_STAMPS if res[k] is not None]
    first = min(stamps, default=now)
    res["created_at"] = min(booked, first - dt.timedelta(minutes=rng.uniform(1, 60)))
    res["updated_at"] = max(stamps, default=res["created_at"])


def _reservation_moves(rng: random.Random, res: dict, now: dt.datetime, booked: dt.datetime) -> None:
    starts, ends = res["starts_at"], res["ends_at"]
    for key in RESERVATION_STAMPS:
        res[key] = None
    res["cancel_reason"] = ""
    confirmed = booked + dt.timedelta(minutes=rng.uniform(5, 120))
    if starts <= now:
        r = rng.random()
        if r < 0.08 and booked < now:
            res["status"] = "cancelled"
            res["cancelled_at"] = min(now, booked + (starts - booked) * rng.uniform(0.3, 0.95))
            res["cancel_reason"] = rng.choice(cat.RESERVATION_CANCEL_REASONS)
            res["deposit_cents"] = 0
            return
        res["confirmed_at"] = min(confirmed, starts)
        grace = starts + dt.timedelta(minutes=30)
        if r < 0.15 and res["reservation_type"] == "regular" and grace <= now:
            res["status"] = "no_show"
            res["no_show_at"] = grace
            return
        arrival = starts + dt.timedelta(minutes=rng.uniform(-10, 15))
        if arrival > now:
            res["status"] = "confirmed"
            return
        res["arrival_time"] = arrival
        seated = arrival + dt.timedelta(minutes=rng.uniform(0, 6))
        if seated > now:
            res["status"] = "arrived"
            return
        res["seated_at"] = seated
        done = ends + dt.timedelta(minutes=rng.uniform(-20, 15))
        if done > now:
            res["status"] = "seated"
            return
        res["completed_at"] = done
        res["status"] = "completed"
        return
    # Upcoming.
    r = rng.random()
    if r < 0.06:
        res["status"] = "cancelled"
        res["cancelled_at"] = now - dt.timedelta(minutes=rng.uniform(5, 600))
        res["cancel_reason"] = rng.choice(cat.RESERVATION_CANCEL_REASONS)
        res["deposit_cents"] = 0
    elif r < 0.7 or res["reservation_type"] == "banquet":
        res["status"] = "confirmed"
        res["confirmed_at"] = now - dt.timedelta(minutes=rng.uniform(5, 2000))
    else:
        res["status"] = "pending"
        if res["reservation_type"] == "banquet":
            res["deposit_cents"] = 0


# --- schedules of the older history (and the fallback when scheduling.services is missing) -------

# Mirrors scheduling.services.STAFFING (position -> load measure, load per head per hour, minimum);
# the runner passes the service's own table when it can import it.
STAFFING = {
    "waiter": ("guests", 15, 1),
    "host": ("guests", 60, 0),
    "chef": ("orders", 12, 1),
    "kitchen_helper": ("orders", 20, 0),
    "cashier": ("orders", 40, 1),
    "dishwasher": ("guests", 50, 0),
}
MAX_HOURS_PER_DAY = 11
DEFAULT_MAX_HOURS_PER_WEEK = 44


def build_shifts(
    plan: StorePlan, days: list[dt.date], bounds, *, rules: dict | None = None, manager_user_id=None
) -> tuple[list[dict], list[dict]]:
    """Demand-driven shifts like schedule_generate's, from the day's own sales in memory.

    Each opening interval is one period staffed from 30 minutes before opening to 30 after
    closing, with heads per position from the peak hour's load. Same rules as the service: own
    position first (a skill naming the position is the fallback), never on a day off, never two
    overlapping shifts, weekly cap and 11 hours a day respected. Past schedules come published,
    past shifts confirmed and completed; what could not be filled is kept as gaps in the report.
    """
    rng = plan.rng
    rules = rules or STAFFING
    employees = [e for e in plan.employees if e["is_active"]]
    week_hours: dict[tuple, float] = defaultdict(float)
    # Shifts per (employee, schedule day): a shift is shorter than a day, so only the neighbouring
    # days' can overlap one of day d (checking an employee's whole year made this quadratic).
    booked: dict[tuple, list] = defaultdict(list)
    schedules, shifts = [], []
    for d in days:
        weekday = WEEKDAYS[d.weekday()]
        week = d.isocalendar()[:2]
        day_hours: dict[str, float] = defaultdict(float)
        hourly = plan.hourly.get(d, {})
        schedule_id = rng_uuid(rng)
        created = plan.at(d - dt.timedelta(days=5), 16 * 60)
        report_periods, gaps = [], []
        demanded = filled_total = 0.0
        count_before = len(shifts)
        for opens, closes in plan.hours(d):
            start_min, end_min = max(0, opens - 30), min(24 * 60 - 1, closes + 30)
            lunch = (opens + closes) / 2 < 15 * 60
            name, shift_type = ("lunch", "morning") if lunch else ("dinner", "evening")
            hours_in = [h for h in range(24) if h * 60 < closes and (h + 1) * 60 > opens]
            peak = {
                "orders": max((hourly.get(h, (0, 0))[0] for h in hours_in), default=0),
                "guests": max((hourly.get(h, (0, 0))[1] for h in hours_in), default=0),
            }
            start_t = dt.time(start_min // 60, start_min % 60)
            end_t = dt.time(end_min // 60, end_min % 60)
            s, e = bounds(d, start_t, end_t)
            hours = (e - s).total_seconds() / 3600
            filled: dict[str, int] = {}
            for position, (measure, per_head, minimum) in rules.items():
                load = peak[measure]
                needed = max(minimum, math.ceil(load / per_head - 0.2) if load > 0 else 0)
                if not needed:
                    continue
                got = 0
                for _ in range(needed):
                    eligible = [
                        emp
                        for emp in employees
                        if (emp["position"] == position or position in emp["skills"])
                        and weekday not in emp["preferences"].get("days_off", [])
                        and all(
                            not (bs < e and be > s)
                            for day in (d - ONE_DAY, d, d + ONE_DAY)
                            for bs, be in booked[(emp["id"], day)]
                        )
                        and week_hours[(emp["id"], week)] + hours
                        <= emp["preferences"].get("max_hours_per_week", DEFAULT_MAX_HOURS_PER_WEEK)
                        and day_hours[emp["id"]] + hours <= MAX_HOURS_PER_DAY
                    ]
                    if not eligible:
                        break
                    best = min(
                        eligible,
                        key=lambda emp, shift_type=shift_type, position=position, week=week: (
                            emp["position"] != position,
                            day_hours[emp["id"]] > 0,
                            bool(emp["preferences"].get("preferred_shifts"))
                            and shift_type not in emp["preferences"]["preferred_shifts"],
                            week_hours[(emp["id"], week)],
                            -emp["performance_score"],
                            emp["id"],
                        ),
                    )
                    booked[(best["id"], d)].append((s, e))
                    week_hours[(best["id"], week)] += hours
                    day_hours[best["id"]] += hours
                    done = e <= plan.now
                    shifts.append(
                        {
                            "id": time_uuid(rng, ms_of(s)),
                            "schedule_id": schedule_id,
                            "employee_id": best["id"],
                            "shift_type": shift_type,
                            "start_time": start_t,
                            "end_time": end_t,
                            "starts_at": s,
                            "ends_at": e,
                            "position": position,
                            "is_confirmed": done,
                            "confirmed_at": s - dt.timedelta(days=2) if done else None,
                            "is_completed": done,
                            "notes": f"seeded: {name}",
                            "created_at": created,
                            "updated_at": s - dt.timedelta(days=2) if done else created,
                        }
                    )
                    got += 1
                filled[position] = got
                demanded += needed * hours
                filled_total += got * hours
                if got < needed:
                    gaps.append({"period": name, "position": position, "needed": needed, "filled": got,
                                 "reason": "staff_unavailable"})  # fmt: skip
            report_periods.append({"name": name, "start": start_t.strftime("%H:%M"), "end": end_t.strftime("%H:%M"),
                                   "peak_orders_per_hour": peak["orders"], "peak_guests_per_hour": peak["guests"],
                                   "filled": filled})  # fmt: skip
        published = d <= plan.end_date
        published_at = min(plan.now, plan.at(d - dt.timedelta(days=4), 17 * 60 + rng.uniform(0, 120)))
        schedules.append(
            {
                "id": schedule_id,
                "store_id": plan.store_id,
                "schedule_date": d,
                "created_at": min(created, published_at),
                "updated_at": published_at if published else created,
                "is_published": published,
                "published_at": published_at if published else None,
                "published_by_id": manager_user_id if published else None,
                "notes": "",
                "generation_report": {
                    "store": plan.store_id,
                    "date": d.isoformat(),
                    "basis": "seed_history",
                    "periods": report_periods,
                    "demanded_hours": round(demanded, 2),
                    "filled_hours": round(filled_total, 2),
                    "coverage": round(filled_total / demanded, 4) if demanded else 1.0,
                    "shifts": len(shifts) - count_before,
                    "gaps": gaps,
                },
            }
        )
    return schedules, shifts
