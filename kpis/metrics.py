"""The built-in KPIs and how each metric is computed from a store-day's figures.

Every metric comes from database aggregates (`kpis.compute` collects them through each domain's
``daily_*`` selector); this module only combines the aggregates of one store-day into values.
Definitions (values are stored with 4 decimal places, rounded half up):

- revenue (CNY): sum of ``total_cents`` of the day's orders that are not cancelled, in yuan.
- order_count: number of the day's orders that are not cancelled.
- average_check (CNY): revenue / order_count (0 without orders).
- table_turnover: non-cancelled dine-in orders that have a table / the store's active tables
  (current count; 0 without tables).
- revpash (CNY): revenue / (seats × hours open that weekday per ``business_hours``); 0 when the
  store has no seats or is closed that weekday.
- food_cost_ratio (%): (cost of usage + waste ledger rows of the day) / revenue × 100;
  0 without revenue (``metadata.undefined`` is then true).
- labor_cost_ratio (%): cost of the shifts of that day's schedule (published or not; hours ×
  the employee's hourly wage) / revenue × 100; 0 without revenue (``metadata.undefined``).
  Once the store-day has closed time entries, the cost is what was worked instead, paid with
  overtime as the timesheets pay it (attendance.selectors.daily_actual_labor).
- waste_cost (CNY): cost of the day's waste ledger rows.
- average_ticket_time (minutes): mean of ``ready_at - confirmed_at`` over the day's orders
  that have both stamps; 0 when none has.
- no_show_rate (%): no-shows / reservations of the day whose outcome is known (arrived,
  seated, completed or no_show) × 100; pending, confirmed and cancelled ones are not counted;
  0 when no outcome is known yet.
- stock_outs: distinct items whose ledger hit zero that day (a row going from above zero to
  zero). For today, the active items currently out of stock are counted as well (an item that
  hit zero today and is still out counts once).
- theoretical_food_cost (%): recipe cost of the day's sold dish portions / revenue × 100. The
  recipe cost is Σ over (dish, day) of portions sold (lines of orders that are not cancelled,
  `orders.selectors.daily_dish_sales`) × the recipe valid that day
  (`menu.selectors.RecipeBook.usage_on`: quantity / yield per ingredient) × the store's own item's
  current ``unit_cost_cents`` for that ingredient key (0 where the store has no such item),
  rounded once to the cent per store-day (`menu.reports.daily_recipe_cost`). Revenue is the
  same as the revenue KPI's (order totals after discounts, open items included), so it compares
  with food_cost_ratio and actual_food_cost; 0 without revenue (``metadata.undefined``).
- actual_food_cost (%): consumption between two closed stock counts (opening count + purchases +
  transfers in − transfers out − closing count, food items at cost:
  `inventory.reports.count_period_costs`) / revenue of the period's days × 100, recorded on the
  closing count's date only (other days have no value); ``metadata`` names the period and gives
  its theoretical % (recipe cost of the same days / the same revenue) for the gap.
- walk_ins_seated: waitlist tickets of the day (排队取号, by the day the number was taken) that
  were seated.
- average_wait (minutes): mean of ``seated_at − issued_at`` over those seated tickets; 0 when
  none was seated.
- abandonment_rate (%): (skipped + cancelled tickets) / tickets issued that day × 100; tickets
  still waiting or called count in the denominator only; 0 without tickets.

Targets, status, achievement, change and trend: `kpis.rules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop as N_  # noqa: N812  (the usual name)

from kpis.models import KPI
from kpis.rules import HUNDRED, ZERO, open_hours, q4, ratio
from stores.models import Store

M = KPI.Metric

KPI_REVENUE = "KPI_REVENUE"
KPI_ORDER_COUNT = "KPI_ORDER_COUNT"
KPI_AVERAGE_CHECK = "KPI_AVERAGE_CHECK"
KPI_TABLE_TURNOVER = "KPI_TABLE_TURNOVER"
KPI_REVPASH = "KPI_REVPASH"
KPI_FOOD_COST_RATIO = "KPI_FOOD_COST_RATIO"
KPI_LABOR_COST_RATIO = "KPI_LABOR_COST_RATIO"
KPI_WASTE_COST = "KPI_WASTE_COST"
KPI_TICKET_TIME = "KPI_TICKET_TIME"
KPI_NO_SHOW_RATE = "KPI_NO_SHOW_RATE"
KPI_STOCK_OUTS = "KPI_STOCK_OUTS"
KPI_THEORETICAL_FOOD_COST = "KPI_THEORETICAL_FOOD_COST"
KPI_ACTUAL_FOOD_COST = "KPI_ACTUAL_FOOD_COST"
KPI_WALK_INS_SEATED = "KPI_WALK_INS_SEATED"
KPI_AVERAGE_WAIT = "KPI_AVERAGE_WAIT"
KPI_ABANDONMENT_RATE = "KPI_ABANDONMENT_RATE"

# The built-in KPIs added after the first release: migrations add them to databases seeded before
# (kpis/migrations/0004_food_cost_kpis.py).
FOOD_COST_KPIS = (KPI_THEORETICAL_FOOD_COST, KPI_ACTUAL_FOOD_COST)
# ... and the walk-in waitlist's (kpis/migrations/0006_waitlist_kpis.py).
WAITLIST_KPIS = (KPI_WALK_INS_SEATED, KPI_AVERAGE_WAIT, KPI_ABANDONMENT_RATE)


# --- built-in definitions ---------------------------------------------------------------------


def kpi_defaults() -> list[dict[str, Any]]:
    """The built-in KPI definitions. Thresholds are in the KPI's unit (ratios in %)."""
    hib, lib = KPI.Direction.HIGHER_IS_BETTER, KPI.Direction.LOWER_IS_BETTER
    cat = KPI.Category
    rows = [
        (KPI_REVENUE, N_("Daily revenue"), cat.REVENUE, "CNY", M.REVENUE, hib, "5000", "4500", "3500",
         N_("Sum of the totals of the day's orders that are not cancelled, in yuan. The store's monthly revenue "
         "target / days in the month replaces the target where set.")),
        (KPI_ORDER_COUNT, N_("Order count"), cat.CUSTOMER, "orders", M.ORDER_COUNT, hib, "120", "100", "70",
         N_("Number of the day's orders that are not cancelled.")),
        (KPI_AVERAGE_CHECK, N_("Average check"), cat.REVENUE, "CNY", M.AVERAGE_CHECK, hib, "150", "130", "100",
         N_("Revenue / order count.")),
        (KPI_TABLE_TURNOVER, N_("Table turnover"), cat.EFFICIENCY, "turns", M.TABLE_TURNOVER, hib, "3", "2.5", "1.5",
         N_("Dine-in orders with a table / active tables.")),
        (KPI_REVPASH, N_("RevPASH"), cat.EFFICIENCY, "CNY", M.REVPASH, hib, "8", "6", "4",
         N_("Revenue / (seats × opening hours of that weekday).")),
        (KPI_FOOD_COST_RATIO, N_("Food cost ratio"), cat.COST, "%", M.FOOD_COST_RATIO, lib, "35", "38", "42",
         N_("(Usage + waste cost from the stock ledger) / revenue × 100. The store's cost ratio target replaces "
         "the target where set.")),
        (KPI_LABOR_COST_RATIO, N_("Labor cost ratio"), cat.COST, "%", M.LABOR_COST_RATIO, lib, "25", "28", "32",
         N_("Scheduled labor cost of the day's shifts (hours × hourly wage) / revenue × 100. The store's labor "
         "cost ratio target replaces the target where set.")),
        (KPI_WASTE_COST, N_("Waste cost"), cat.COST, "CNY", M.WASTE_COST, lib, "100", "150", "250",
         N_("Cost of the day's waste rows in the stock ledger, in yuan.")),
        (KPI_TICKET_TIME, N_("Average ticket time"), cat.QUALITY, "min", M.AVERAGE_TICKET_TIME, lib, "15", "20", "30",
         N_("Average minutes from confirmed to ready over the day's orders that have both times.")),
        (KPI_NO_SHOW_RATE, N_("Reservation no-show rate"), cat.CUSTOMER, "%", M.NO_SHOW_RATE, lib, "5", "10", "20",
         N_("No-shows / reservations of the day that arrived, were seated, completed or did not show × 100.")),
        # Thresholds are the last value of their band: 0 on track, 1-2 at risk, 3 or more off track.
        (KPI_STOCK_OUTS, N_("Stock-outs"), cat.QUALITY, "items", M.STOCK_OUTS, lib, "0", "0", "2",
         N_("Items whose stock hit zero that day (today: plus the items out of stock now).")),
        (KPI_THEORETICAL_FOOD_COST, N_("Theoretical food cost"), cat.COST, "%", M.THEORETICAL_FOOD_COST, lib,
         "30", "33", "36",
         N_("Recipe cost of the day's sold dish portions (portions × recipe valid that day × the store's unit "
         "cost of each ingredient) / revenue × 100.")),
        (KPI_ACTUAL_FOOD_COST, N_("Actual food cost"), cat.COST, "%", M.ACTUAL_FOOD_COST, lib, "32", "35", "38",
         N_("Consumption between two stock counts (opening count + purchases + transfers in − transfers out − "
         "closing count, at cost) / revenue of the period × 100; recorded when a count closes.")),
        # A count to read, not to judge (it follows the weather and the day): no target or thresholds.
        (KPI_WALK_INS_SEATED, N_("Walk-ins seated"), cat.CUSTOMER, "parties", M.WALK_INS_SEATED, hib,
         None, None, None,
         N_("Waitlist numbers taken that day whose party was seated.")),
        (KPI_AVERAGE_WAIT, N_("Average walk-in wait"), cat.QUALITY, "min", M.AVERAGE_WAIT, lib, "15", "25", "40",
         N_("Average minutes from taking a waitlist number to being seated, over the day's seated walk-ins.")),
        (KPI_ABANDONMENT_RATE, N_("Waitlist abandonment rate"), cat.CUSTOMER, "%", M.ABANDONMENT_RATE, lib,
         "10", "20", "30",
         N_("(Skipped + cancelled waitlist numbers) / numbers taken that day × 100.")),
    ]  # fmt: skip
    return [
        {
            "id": kpi_id,
            "name": name,
            "category": category,
            "unit": unit,
            "metric": metric,
            "direction": direction,
            "target_value": None if target is None else Decimal(target),
            "warning_threshold": None if warning is None else Decimal(warning),
            "critical_threshold": None if critical is None else Decimal(critical),
            "calculation_method": method,
            "description": method,
            "is_active": True,
        }
        for kpi_id, name, category, unit, metric, direction, target, warning, critical, method in rows
    ]


# --- values from figures --------------------------------------------------------------------------


@dataclass
class DayFigures:
    """The aggregate inputs of one store-day (money in cents)."""

    revenue_cents: int = 0
    order_count: int = 0
    guest_count: int = 0
    table_orders: int = 0
    ticket_count: int = 0
    ticket_seconds: Decimal = ZERO
    usage_cost_cents: int = 0
    waste_cost_cents: int = 0
    stock_outs: int = 0
    stock_outs_restocked: int = 0
    labor_cost_cents: Decimal = ZERO
    labor_hours: Decimal = ZERO
    reservations: int = 0
    reservations_resolved: int = 0
    no_shows: int = 0
    recipe_cost_cents: Decimal = ZERO
    dish_revenue_cents: int = 0
    walk_ins: int = 0  # waitlist tickets issued
    walk_ins_seated: int = 0
    walk_ins_abandoned: int = 0
    wait_seconds: Decimal = ZERO  # Σ issued → seated of the seated tickets
    # The stock count period that closes on this day, if one does (kpis.compute._add_count_periods).
    count_period: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def theoretical_food_cost(recipe_cost_cents: Decimal, revenue_cents: int) -> tuple[int, Decimal]:
    """(recipe cost rounded once to the cent, its % of the revenue): the theoretical food cost of a
    store-day as the KPI records it (the dashboard shows today's live through this too)."""
    cost_cents = int(Decimal(recipe_cost_cents).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return cost_cents, ratio(Decimal(cost_cents), Decimal(revenue_cents), HUNDRED)


def metric_values(store: Store, day: dt.date, f: DayFigures, *, today: dt.date) -> dict[str, tuple[Decimal, dict]]:
    """metric -> (value, metadata) for one store-day from its aggregates.

    `store` carries ``active_tables`` and ``out_of_stock_items`` (counted now), as
    `kpis.compute.stores_with_counts` loads it. actual_food_cost has a value only on the day a
    stock count period closes.
    """
    revenue = Decimal(f.revenue_cents) / 100
    tables = store.active_tables
    seat_hours = Decimal(store.seats) * open_hours(store, day)
    food_cost = Decimal(f.usage_cost_cents + f.waste_cost_cents) / 100
    labor_cost = f.labor_cost_cents / 100
    stock_outs = f.stock_outs
    if day >= today:
        stock_outs = store.out_of_stock_items + f.stock_outs_restocked
    no_revenue = {"undefined": True} if not f.revenue_cents else {}
    recipe_cost_cents, theoretical = theoretical_food_cost(f.recipe_cost_cents, f.revenue_cents)
    return {
        M.REVENUE: (q4(revenue), {"revenue_cents": f.revenue_cents}),
        M.ORDER_COUNT: (q4(f.order_count), {"guest_count": f.guest_count}),
        M.AVERAGE_CHECK: (ratio(revenue, Decimal(f.order_count)), {"order_count": f.order_count}),
        M.TABLE_TURNOVER: (
            ratio(Decimal(f.table_orders), Decimal(tables)),
            {"table_orders": f.table_orders, "active_tables": tables},
        ),
        M.REVPASH: (ratio(revenue, seat_hours), {"seat_hours": str(q4(seat_hours))}),
        M.FOOD_COST_RATIO: (
            ratio(food_cost, revenue, HUNDRED),
            {"usage_cost_cents": f.usage_cost_cents, "waste_cost_cents": f.waste_cost_cents, **no_revenue},
        ),
        M.LABOR_COST_RATIO: (
            ratio(labor_cost, revenue, HUNDRED),
            {"labor_cost_cents": str(q4(f.labor_cost_cents)), "labor_hours": str(q4(f.labor_hours)), **no_revenue},
        ),
        M.WASTE_COST: (q4(Decimal(f.waste_cost_cents) / 100), {"waste_cost_cents": f.waste_cost_cents}),
        M.AVERAGE_TICKET_TIME: (ratio(f.ticket_seconds, Decimal(f.ticket_count * 60)), {"orders": f.ticket_count}),
        M.NO_SHOW_RATE: (
            ratio(Decimal(f.no_shows), Decimal(f.reservations_resolved), HUNDRED),
            {"no_shows": f.no_shows, "resolved": f.reservations_resolved, "reservations": f.reservations},
        ),
        M.STOCK_OUTS: (q4(stock_outs), {"hit_zero": f.stock_outs}),
        M.THEORETICAL_FOOD_COST: (
            theoretical,
            {"recipe_cost_cents": recipe_cost_cents, "dish_revenue_cents": f.dish_revenue_cents, **no_revenue},
        ),
        M.WALK_INS_SEATED: (q4(f.walk_ins_seated), {"issued": f.walk_ins}),
        M.AVERAGE_WAIT: (
            ratio(f.wait_seconds, Decimal(f.walk_ins_seated * 60)),
            {"seated": f.walk_ins_seated},
        ),
        M.ABANDONMENT_RATE: (
            ratio(Decimal(f.walk_ins_abandoned), Decimal(f.walk_ins), HUNDRED),
            {"abandoned": f.walk_ins_abandoned, "issued": f.walk_ins},
        ),
        **_actual_food_cost(f.count_period),
    }


def _actual_food_cost(period: dict[str, Any] | None) -> dict[str, tuple[Decimal, dict]]:
    """The actual food cost on the day a count period closes (no value on other days): the
    period's consumption / its revenue × 100, with the period's theoretical % beside it so the
    gap compares the same days."""
    if period is None:
        return {}
    revenue = Decimal(period["revenue_cents"])
    metadata = {
        **period,
        "theoretical_percent": str(ratio(Decimal(period["recipe_cost_cents"]), revenue, HUNDRED)),
        **({"undefined": True} if not revenue else {}),
    }
    return {M.ACTUAL_FOOD_COST: (ratio(Decimal(period["actual_cost_cents"]), revenue, HUNDRED), metadata)}
