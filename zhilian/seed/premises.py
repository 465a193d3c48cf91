"""The store itself, its tables and its staff, and the targets set from its own sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stores.models import WEEKDAYS
from zhilian.seed import catalog as cat
from zhilian.seed.plan import StorePlan, mobile, person_name, rng_uuid


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
        "region_id": None,  # the region of site.region, set when the store is written
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
        "target_labor_percent": None,  # set below from the KPI target (no draw: same data as before)
        "manager_id": None,
        "created_at": plan.at(opening - dt.timedelta(days=60), 10 * 60),
        "updated_at": plan.at(opening - dt.timedelta(days=1), 18 * 60),
    }
    plan.store["target_labor_percent"] = (plan.store["labor_cost_ratio_target"] * 100).quantize(Decimal("0.01"))
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
    for position, (count, wage, skills_pool, shifts_pool) in cat.TEAM.items():
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


def set_targets(plan: StorePlan, end_date: dt.date) -> None:
    """Revenue and guest targets a little above what the store's own history does."""
    revenue: dict[dt.date, int] = {}
    guests: dict[dt.date, int] = {}
    for order in plan.orders:
        if order["status"] == "cancelled":
            continue
        day = order["order_time"].date()
        revenue[day] = revenue.get(day, 0) + order["total_cents"]
        guests[day] = guests.get(day, 0) + order["guest_count"]
    full = [d for d in revenue if d != end_date] or list(revenue)
    avg_revenue = sum(revenue[d] for d in full) / max(1, len(full))
    avg_guests = sum(guests[d] for d in full) / max(1, len(full))
    # Ambitious but reachable: a little above what the store actually does.
    plan.store["monthly_revenue_target_cents"] = int(avg_revenue * 30 * 1.06 // 1000_00 * 1000_00)
    plan.store["daily_customer_target"] = int(round(avg_guests * 1.05, -1))
