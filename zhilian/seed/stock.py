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
        item["status"] = str(InventoryItem.status_for(qty, min_q))
        item["created_at"] = plan.at(days[0], 6 * 60)
        item["updated_at"] = ledger[-1]["transaction_time"]
