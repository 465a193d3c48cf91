"""Theoretical vs actual usage between two closed stock counts (the variance report, 盘点差异).

For a store, between an opening count and a later closing count:

- actual usage = opening counted + purchases + transfers in − transfers out − closing counted;
- theoretical usage = Σ sold portions × recipe (orders.selectors.daily_dish_sales ×
  menu.selectors.RecipeBook.usage_on, the recipe valid on each day);
- recorded waste (by reason) is shown apart; unexplained variance = actual − theoretical − waste,
  in quantity, in cents at the item's unit cost (the closing count's snapshot) and in % of the
  theoretical usage.

Packaging (`InventoryItem.Category.PACKAGING`) is left out: no recipe names it and it is not
food cost, so its whole usage would read as unexplained variance.

The period: a count's quantities stand for the stock at the end of its `count_date` (counts are
taken after service, or dated the day before when taken before opening). Sales and ledger
movements of the days after the opening count's date through the closing count's date belong
to the period, by local day (zhilian.dates).

Every aggregate is done in SQL: the counts' lines (one query), the ledger movements grouped by
item, type, direction and waste reason (one query on `invtx_store_type_time_idx`), the dish
sales per day (one grouped query), the recipes (one query) and the revenue (one query).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BigIntegerField, Case, CharField, DecimalField, F, Sum, Value, When
from django.utils.translation import gettext as _

from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from inventory.quantities import QUANTIZE, rounded
from zhilian.dates import days_between, local_day_bounds
from zhilian.errors import DomainError, InvalidInput
from zhilian.sql import local_date

Type = InventoryTransaction.Type
ZERO = Decimal("0")
HUNDRED = Decimal("100")
# Items the report leaves out: not food, named by no recipe.
NON_FOOD = (InventoryItem.Category.PACKAGING,)


def _cents(quantity: Decimal, unit_cost_cents: int) -> int:
    """quantity × unit cost in whole cents, signed, rounded half away from zero."""
    return int((quantity * unit_cost_cents).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def stock_count_previous(count: StockCount) -> StockCount | None:
    """The store's latest closed count dated before `count`: the opening count of the variance
    report that closes with `count`."""
    return (
        StockCount.objects.filter(
            store_id=count.store_id, status=StockCount.Status.CLOSED, count_date__lt=count.count_date
        )
        .order_by("-count_date", "-pk")
        .first()
    )


def stock_variance_for_count(count: StockCount) -> dict[str, Any]:
    """The variance report that closes with `count`, opening with the store's previous closed
    count. 409 `no_previous_count` when there is none; 409 `count_open` for an open count."""
    if count.status != StockCount.Status.CLOSED:
        raise DomainError(_("Close the count first: the report compares closed counts."), code="count_open")
    opening = stock_count_previous(count)
    if opening is None:
        raise DomainError(
            _("There is no earlier closed count of this store to compare with."), code="no_previous_count"
        )
    return stock_variance(opening=opening, closing=count)


def stock_variance(*, opening: StockCount, closing: StockCount) -> dict[str, Any]:
    """Theoretical vs actual usage of `closing.store` between two closed counts.

    Returns ``{"store", "opening_count", "closing_count", "start", "end", "lines", "totals"}``:
    one line per item of the closing count (worst cost of variance first) and the period's
    totals (theoretical, actual usage, waste and unexplained cost in cents, revenue in cents,
    theoretical and actual food cost % of revenue and the gap in points).
    """
    # Imported here: menu and orders build on inventory, not the other way round.
    from menu.selectors import RecipeBook
    from orders.models import Order
    from orders.selectors import daily_dish_sales, daily_modifier_sales

    if opening.store_id != closing.store_id:
        raise InvalidInput({"from_count": _("Both counts must be of the same store.")})
    if StockCount.Status.OPEN in (opening.status, closing.status):
        raise DomainError(_("Both counts must be closed."), code="count_open")
    if opening.count_date >= closing.count_date:
        raise InvalidInput({"from_count": _("The opening count must be dated before the closing count.")})
    store_id = closing.store_id
    start, end = opening.count_date + dt.timedelta(days=1), closing.count_date
    lo, hi = local_day_bounds(start, end)

    # Both sheets in one query: counted quantity and unit cost per (count, item).
    lines = (
        StockCountLine.objects.filter(count_id__in=[opening.pk, closing.pk])
        .exclude(item__category__in=NON_FOOD)
        .order_by()
        .values_list(
            "count_id",
            "item_id",
            "counted_quantity",
            "unit_cost_cents",
            "item__sku",
            "item__name",
            "item__unit",
            "item__category",
        )
    )
    opened: dict[str, Decimal] = {}
    items: dict[str, dict[str, Any]] = {}
    for count_id, item_id, counted, cost, sku, name, unit, category in lines:
        if count_id == opening.pk:
            opened[item_id] = rounded(counted)
        else:
            items[item_id] = {
                "item": item_id,
                "sku": sku,
                "name": name,
                "unit": unit,
                "category": category,
                "closing_quantity": rounded(counted),
                "unit_cost_cents": cost,
            }

    # Ledger movements of the period, grouped by item, type, direction and waste reason.
    direction = Case(When(quantity__gt=0, then=Value("in")), default=Value("out"), output_field=CharField())
    moves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    waste_reasons: dict[str, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        InventoryTransaction.objects.filter(
            store_id=store_id,
            transaction_type__in=[Type.PURCHASE, Type.TRANSFER, Type.WASTE],
            transaction_time__gte=lo,
            transaction_time__lt=hi,
        )
        .annotate(direction=direction)
        .order_by()
        .values("item_id", "transaction_type", "direction", "waste_reason")
        .annotate(total=Sum("quantity"))
    )
    for row in rows:
        total = rounded(row["total"])
        kind = row["transaction_type"]
        if kind == Type.WASTE:
            moves[row["item_id"]]["waste"] += -total
            reasons = waste_reasons[row["item_id"]]
            reasons[row["waste_reason"]] = reasons.get(row["waste_reason"], ZERO) - total
        elif kind == Type.PURCHASE:
            moves[row["item_id"]]["purchases"] += total
        elif row["direction"] == "in":
            moves[row["item_id"]]["transfers_in"] += total
        else:
            moves[row["item_id"]]["transfers_out"] += -total

    # Theoretical usage per ingredient key: each day's sold portions × that day's recipe.
    sales = list(daily_dish_sales([store_id], start, end))
    book = RecipeBook({row["dish_id"] for row in sales}, start, end)
    theoretical_by_sku: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in sales:
        for sku, quantity in book.usage_on(row["dish_id"], row["day"], row["portions"]).items():
            theoretical_by_sku[sku] += quantity
    # What the chosen modifiers added or removed (加辣, 去葱).
    for row in daily_modifier_sales([store_id], start, end):
        for sku, quantity in book.modifier_usage_on(row["modifier_id"], row["day"], row["portions"]).items():
            theoretical_by_sku[sku] += quantity

    revenue_cents = (
        Order.objects.filter(store_id=store_id, order_time__gte=lo, order_time__lt=hi)
        .exclude(status=Order.Status.CANCELLED)
        .aggregate(total=Sum("total_cents", default=0))["total"]
    )

    report_lines = []
    totals = {"theoretical": 0, "actual": 0, "waste": 0, "unexplained": 0}
    for item_id, line in items.items():
        move = moves.get(item_id, {})
        cost = line["unit_cost_cents"]
        opening_quantity = opened.get(item_id, ZERO)
        purchases = move.get("purchases", ZERO)
        transfers_in = move.get("transfers_in", ZERO)
        transfers_out = move.get("transfers_out", ZERO)
        waste = move.get("waste", ZERO)
        actual = opening_quantity + purchases + transfers_in - transfers_out - line["closing_quantity"]
        theoretical = Decimal(theoretical_by_sku.get(line["sku"], ZERO)).quantize(QUANTIZE, rounding=ROUND_HALF_UP)
        variance = actual - theoretical - waste
        costs = {
            "theoretical": _cents(theoretical, cost),
            "actual": _cents(actual, cost),
            "waste": _cents(waste, cost),
            "unexplained": _cents(variance, cost),
        }
        for key, value in costs.items():
            totals[key] += value
        report_lines.append(
            {
                **line,
                "opening_quantity": opening_quantity,
                "purchases": purchases,
                "transfers_in": transfers_in,
                "transfers_out": transfers_out,
                "actual_usage": actual,
                "theoretical_usage": theoretical,
                "waste": waste,
                "waste_by_reason": dict(sorted(waste_reasons.get(item_id, {}).items())),
                "variance_quantity": variance,
                "variance_cents": costs["unexplained"],
                "variance_pct": _pct(variance, theoretical),
                "theoretical_cost_cents": costs["theoretical"],
                "actual_cost_cents": costs["actual"],
                "waste_cost_cents": costs["waste"],
            }
        )
    report_lines.sort(key=lambda r: (-r["variance_cents"], r["name"]))
    theoretical_pct = _pct(totals["theoretical"], revenue_cents)
    actual_pct = _pct(totals["actual"], revenue_cents)
    return {
        "store": store_id,
        "opening_count": opening.pk,
        "closing_count": closing.pk,
        "start": start,
        "end": end,
        "lines": report_lines,
        "totals": {
            "theoretical_cost_cents": totals["theoretical"],
            "actual_usage_cost_cents": totals["actual"],
            "waste_cost_cents": totals["waste"],
            "unexplained_cost_cents": totals["unexplained"],
            "revenue_cents": revenue_cents,
            "theoretical_food_cost_pct": theoretical_pct,
            "actual_food_cost_pct": actual_pct,
            "food_cost_gap_pct": None if actual_pct is None else actual_pct - theoretical_pct,
        },
    }


# --- the actual food cost of many count periods at once (the KPI) ---------------------------------


def count_period_costs(store_ids, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The actual food cost of every count period of these stores that closes in [start, end]:
    one dict per closed count that has an earlier closed count, with ``store_id``, ``count``,
    ``start`` (the day after the opening count), ``end`` (the closing count's date) and
    ``actual_cost_cents``.

    The same definition as `stock_variance`'s actual usage (opening counted + purchases +
    transfers in − transfers out − closing counted, food only), aggregated for many periods in
    three queries instead of a report per count, so the daily KPI computation of a year stays
    cheap: each sheet's value (Σ counted × its unit cost), the counts' order, and the purchases
    and transfers per store-day at their ledger cost. The valuation therefore differs from the
    report's (which values every movement at the closing sheet's cost) by price changes within
    the period only.
    """
    store_ids = list(store_ids)
    closed = list(
        StockCount.objects.filter(store_id__in=store_ids, status=StockCount.Status.CLOSED, count_date__lte=end)
        .order_by("store_id", "count_date", "pk")
        .values_list("store_id", "pk", "count_date")
    )
    periods = []
    previous: dict[str, tuple[Any, dt.date]] = {}
    for store_id, count_id, count_date in closed:
        before = previous.get(store_id)
        if before is not None and count_date >= start and before[1] < count_date:
            periods.append({"store_id": store_id, "count": count_id, "opening": before[0],
                            "start": before[1] + dt.timedelta(days=1), "end": count_date})  # fmt: skip
        previous[store_id] = (count_id, count_date)
    if not periods:
        return []
    sheet_ids = {p["count"] for p in periods} | {p["opening"] for p in periods}
    sheet_value = dict(
        StockCountLine.objects.filter(count_id__in=sheet_ids)
        .exclude(item__category__in=NON_FOOD)
        .order_by()
        .values("count_id")
        .annotate(value=Sum(F("counted_quantity") * F("unit_cost_cents"), output_field=DecimalField()))
        .values_list("count_id", "value")
    )
    first = min(p["start"] for p in periods)
    lo, hi = local_day_bounds(first, end)
    signed_cost = Case(
        When(quantity__lt=0, then=-F("total_cost_cents")),
        default=F("total_cost_cents"),
        output_field=BigIntegerField(),
    )
    bought: dict[tuple[str, dt.date], int] = {
        (row["store_id"], row["day"]): int(row["cents"])
        for row in InventoryTransaction.objects.filter(
            store_id__in=store_ids,
            transaction_type__in=[Type.PURCHASE, Type.TRANSFER],
            transaction_time__gte=lo,
            transaction_time__lt=hi,
        )
        .exclude(item__category__in=NON_FOOD)
        .annotate(day=local_date("transaction_time", first, end))
        .order_by()
        .values("store_id", "day")
        .annotate(cents=Sum(signed_cost, default=0))
    }
    for period in periods:
        days = days_between(period["start"], period["end"])
        moved = sum(bought.get((period["store_id"], day), 0) for day in days)
        opening_value = Decimal(sheet_value.get(period["opening"]) or 0)
        closing_value = Decimal(sheet_value.get(period["count"]) or 0)
        period["actual_cost_cents"] = _cents(opening_value - closing_value + moved, 1)
    return periods
