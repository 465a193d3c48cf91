"""Reservation history: past, today's and upcoming bookings on the store's tables."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from typing import Any

from zhilian.seed import catalog as cat
from zhilian.seed.plan import ONE_DAY, StorePlan, guest_name, mobile


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
