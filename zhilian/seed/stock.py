"""Stock history: inventory items sized from the store's own sales and a ledger that adds up."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from inventory.models import InventoryItem
from inventory.quantities import line_cost_cents
from zhilian.seed import catalog as cat
from zhilian.seed.plan import StorePlan, ms_of, time_uuid

Q3 = Decimal("0.001")
ZERO = Decimal("0")
WHOLE_UNITS = {"piece", "can", "bottle", "pair"}
COUNT_NOTE = "盘点差异 stock count difference"
# Over-portioned proteins: in some stores the cooks' portions run 3-6 % over the recipe.
OVER_PORTIONED = ("pork_belly", "chicken")


def _q(value: float) -> Decimal:
    return Decimal(f"{value:.3f}")


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def build_inventory(plan: StorePlan, *, manager_user_id=None, staff_user_id=None) -> None:
    """Items sized from the store's own sales, and a ledger that adds up row by row.

    Morning deliveries top items up to par when they would fall to the reorder point; usage is
    booked at closing as the day's theoretical usage (sold portions × recipe, what the variance
    report recomputes); perishables see some waste. Stock counts (`plan.stock_counts`, closed,
    with their lines) open the history and come back every Monday and month start, before the
    delivery: each finds less on the shelf than the books say, the story of the variance report
    (a few proteins over-portioned in some stores, small unexplained losses elsewhere), and
    writes the difference as an `adjustment`. A few items are left short at the end.
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
            # The catalogue's key is the chain-wide ingredient key the menu's recipes name.
            "sku": stock.key,
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
    first = days[0]
    counts = _plan_counts(plan, days, manager_user_id)
    count_at = {d: key for key, d in ((c["key"], c["taken_on"]) for c in counts)}
    losses = _loss_rates(plan)

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

    def count(key: int, item, stock, qty: Decimal, counted: Decimal, when) -> Decimal:
        """A line of count `key` and, when the shelf differs from the books, its adjustment."""
        plan.stock_count_lines.append(
            {
                "count_key": key,
                "item_id": item["id"],
                "expected_quantity": qty,
                "counted_quantity": counted,
                "unit_cost_cents": stock.unit_cost_cents,
            }
        )
        if counted == qty:
            return qty
        after = write(item, stock, qty, counted - qty, "adjustment", when, notes=COUNT_NOTE, user=manager_user_id)
        plan.count_adjustments.append((ledger[-1], key))
        return after

    for index, (stock, item, daily) in enumerate(state):
        min_q, max_q = item["min_quantity"], item["max_quantity"]
        whole = stock.unit in WHOLE_UNITS
        rate = losses.get(stock.key, 0.0)
        opening = _q(_round_up(float(max_q) * rng.uniform(0.75, 1.0), stock.pack))
        qty = count(count_at[first], item, stock, ZERO, opening, plan.at(first, 6 * 60 + 30))
        used_since_count = 0.0
        for d in days:
            is_today = d == plan.end_date
            # Stock count before the delivery: the shelf holds less than the books by the loss
            # rate of what was used since the last count (over-portioning, unrecorded loss).
            if d != first and d in count_at:
                lost = used_since_count * rate * rng.uniform(0.8, 1.2)
                counted = Decimal(max(0, math.floor(float(qty) - lost + 0.5))) if whole else _q(float(qty) - lost)
                qty = count(count_at[d], item, stock, qty, max(min(counted, qty), ZERO), plan.at(d, 7 * 60))
                used_since_count = 0.0
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
            # The day's usage: the theoretical usage of what was sold (sold portions × recipe).
            used = plan.usage.get(d, {}).get(stock.key, 0.0)
            if used > 0 and qty > 0:
                when = now - dt.timedelta(seconds=40) if is_today else plan.at(d, 22 * 60 + 40)
                amount = Decimal(math.ceil(used)) if whole else _q(used)
                amount = min(amount, qty)
                if amount > 0:
                    used_since_count += float(amount)
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
        item["status"] = str(InventoryItem.status_for(qty, min_q))
        item["created_at"] = plan.at(days[0], 6 * 60)
        item["updated_at"] = ledger[-1]["transaction_time"]


def _plan_counts(plan: StorePlan, days: list[dt.date], manager_user_id) -> list[dict]:
    """The store's closed counts: the opening count before the first day, then every Monday and
    month start. A count taken on the morning of day d (before the delivery) is dated d - 1: it
    holds the stock at the end of that day, as inventory.reports reads counts."""
    first = days[0]
    taken = [first] + [
        d
        for d in days[1:]
        if (d.weekday() == 0 or d.day == 1) and (d != plan.end_date or plan.at(d, 7 * 60 + 10) <= plan.now)
    ]
    counts = []
    for key, day in enumerate(taken):
        opened = plan.at(day, 6 * 60 if day == first else 6 * 60 + 20)
        closed = plan.at(day, 6 * 60 + 30 if day == first else 7 * 60)
        counts.append(
            {
                "key": key,
                "taken_on": day,
                "store_id": plan.store_id,
                "count_date": day - dt.timedelta(days=1),
                "status": "closed",
                "opened_by_id": manager_user_id,
                "closed_by_id": manager_user_id,
                "closed_at": closed,
                "notes": "期初盘点 opening count" if day == first else "周盘点 weekly count",
                "created_at": opened,
                "updated_at": closed,
            }
        )
    plan.stock_counts = counts
    return counts


def _loss_rates(plan: StorePlan) -> dict[str, float]:
    """What part of the usage since the last count is missing from the shelf at a count, per
    ingredient: over-portioned proteins in about half of the stores, small losses elsewhere."""
    rng = plan.rng
    rates = {}
    heavy = rng.random() < 0.6
    for stock in cat.STOCK:
        if stock.category == "packaging":
            rate = 0.0
        elif stock.key in OVER_PORTIONED and heavy:
            rate = rng.uniform(0.03, 0.06)
        elif stock.category in ("meat", "seafood"):
            rate = rng.uniform(0.005, 0.02)
        else:
            rate = rng.uniform(0.005, 0.025) if rng.random() < 0.7 else 0.0
        rates[stock.key] = rate
    return rates
