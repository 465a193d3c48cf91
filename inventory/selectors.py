"""Read-only reports over items and their ledger: what to reorder, what was wasted, whether the
ledger still sums to the stock (docs/architecture.md: multi-table reads live in selectors); and the
item list built from rows, without model instances (like orders.selectors)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from inventory.models import InventoryItem, InventoryTransaction
from inventory.quantities import QUANTIZE, line_cost_cents, rounded
from stores.models import Store
from zhilian.api.rows import datetime_text
from zhilian.dates import check_range, local_day_bounds
from zhilian.sql import local_date

Type = InventoryTransaction.Type

# --- the item list from rows ---------------------------------------------------------------------

# InventoryItemSerializer's output fields, in its order (initial_quantity is write-only).
ITEM_FIELDS = (
    "id",
    "store_id",
    "name",
    "category",
    "unit",
    "current_quantity",
    "min_quantity",
    "max_quantity",
    "unit_cost_cents",
    "status",
    "supplier_name",
    "supplier_contact",
    "is_active",
    "created_at",
    "updated_at",
)
# No select_related("store"): the list shows the store's id only, which the item row holds.
_ITEM_ROWS = InventoryItem.objects.values(*ITEM_FIELDS)


def item_rows() -> QuerySet:
    """Every item as a row for `item_payloads`: a lazy values() queryset that the caller scopes
    (`for_user`), filters, orders and a paginator counts and slices."""
    return _ITEM_ROWS.all()


def item_payloads(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API representation of the items in `rows` (InventoryItemSerializer's, field for field;
    quantities as DRF writes decimals: fixed-point text with the column's three places)."""
    tz = timezone.get_current_timezone() if settings.USE_TZ else None
    return [
        {
            "id": row["id"],
            "store": row["store_id"],
            "name": row["name"],
            "category": row["category"],
            "unit": row["unit"],
            "current_quantity": f"{row['current_quantity']:f}",
            "min_quantity": f"{row['min_quantity']:f}",
            "max_quantity": f"{row['max_quantity']:f}",
            "unit_cost_cents": row["unit_cost_cents"],
            "status": row["status"],
            "supplier_name": row["supplier_name"],
            "supplier_contact": row["supplier_contact"],
            "is_active": row["is_active"],
            "created_at": datetime_text(row["created_at"], tz),
            "updated_at": datetime_text(row["updated_at"], tz),
        }
        for row in rows
    ]


def stock_reorder_suggestions(*, store: Store) -> list[dict[str, Any]]:
    """Active items at or below their reorder point, with the quantity that brings them to par,
    grouped by supplier (suppliers by name, items without a supplier last)."""
    rows = (
        InventoryItem.objects.filter(store=store, is_active=True, current_quantity__lte=F("min_quantity"))
        .annotate(to_par=F("max_quantity") - F("current_quantity"))
        .filter(to_par__gt=0)
        .order_by("supplier_name", "name")
    )
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        to_par = Decimal(row.to_par).quantize(QUANTIZE)
        cost = line_cost_cents(to_par, row.unit_cost_cents)
        group = groups.setdefault(
            row.supplier_name,
            {
                "supplier_name": row.supplier_name,
                "supplier_contact": row.supplier_contact,
                "items": [],
                "item_count": 0,
                "total_cost_cents": 0,
            },
        )
        if not group["supplier_contact"] and row.supplier_contact:
            group["supplier_contact"] = row.supplier_contact
        group["items"].append(
            {
                "item": row.pk,
                "name": row.name,
                "category": row.category,
                "unit": row.unit,
                "status": row.status,
                "current_quantity": row.current_quantity,
                "min_quantity": row.min_quantity,
                "max_quantity": row.max_quantity,
                "quantity": to_par,
                "unit_cost_cents": row.unit_cost_cents,
                "cost_cents": cost,
            }
        )
        group["item_count"] += 1
        group["total_cost_cents"] += cost
    return sorted(groups.values(), key=lambda g: (g["supplier_name"] == "", g["supplier_name"]))


def stock_waste_analysis(*, store: Store, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Waste between two dates (inclusive, store time zone), aggregated in SQL by item, by
    category and by reason. Quantities are positive (wasted amounts)."""
    check_range(start, end)
    since, until = local_day_bounds(start, end)
    waste = InventoryTransaction.objects.filter(
        store=store, transaction_type=Type.WASTE, transaction_time__gte=since, transaction_time__lt=until
    )
    measures = {"quantity": Sum(Abs("quantity")), "cost_cents": Sum("total_cost_cents"), "count": Count("id")}

    per_item_reason = waste.values("item_id", "waste_reason").annotate(quantity=Sum(Abs("quantity")))
    reasons: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in per_item_reason:
        reasons[row["item_id"]][row["waste_reason"]] = rounded(row["quantity"])

    by_item = [
        {
            "item": row["item_id"],
            "name": row["item__name"],
            "category": row["item__category"],
            "unit": row["item__unit"],
            "quantity": rounded(row["quantity"]),
            "cost_cents": row["cost_cents"] or 0,
            "count": row["count"],
            "reasons": reasons[row["item_id"]],
        }
        for row in waste.values("item_id", "item__name", "item__category", "item__unit")
        .annotate(**measures)
        .order_by("-cost_cents", "item__name")
    ]
    by_category = [
        {
            "category": row["item__category"],
            "quantity": rounded(row["quantity"]),
            "cost_cents": row["cost_cents"] or 0,
            "count": row["count"],
        }
        for row in waste.values("item__category").annotate(**measures).order_by("-cost_cents", "item__category")
    ]
    by_reason = [
        {
            "reason": row["waste_reason"],
            "quantity": rounded(row["quantity"]),
            "cost_cents": row["cost_cents"] or 0,
            "count": row["count"],
        }
        for row in waste.values("waste_reason").annotate(**measures).order_by("-cost_cents", "waste_reason")
    ]
    totals = waste.aggregate(cost_cents=Sum("total_cost_cents"), count=Count("id"))
    return {
        "store": store.pk,
        "start": start,
        "end": end,
        "total_cost_cents": totals["cost_cents"] or 0,
        "count": totals["count"],
        "by_item": by_item,
        "by_category": by_category,
        "by_reason": by_reason,
    }


def stock_verify(*, store: Store | None = None) -> list[dict[str, Any]]:
    """Items whose quantity differs from the sum of their ledger, found in one SQL query."""
    ledger_sum = (
        InventoryTransaction.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    decimal = DecimalField(max_digits=18, decimal_places=3)
    items = InventoryItem.objects.all() if store is None else InventoryItem.objects.filter(store=store)
    # A tolerance below the 0.001 resolution: SQLite sums decimals as floating point.
    mismatches = (
        items.annotate(
            ledger_quantity=Coalesce(Subquery(ledger_sum, output_field=decimal), Value(0), output_field=decimal)
        )
        .annotate(difference=F("current_quantity") - F("ledger_quantity"))
        .filter(Q(difference__gt=Decimal("0.0005")) | Q(difference__lt=Decimal("-0.0005")))
        .order_by("store_id", "pk")
        .values("pk", "store_id", "name", "current_quantity", "ledger_quantity")
    )
    return [
        {
            "item": row["pk"],
            "store": row["store_id"],
            "name": row["name"],
            "current_quantity": rounded(row["current_quantity"]),
            "ledger_quantity": rounded(row["ledger_quantity"]),
            "difference": rounded(row["current_quantity"]) - rounded(row["ledger_quantity"]),
        }
        for row in mismatches
    ]


# --- daily figures (the KPIs read these) -------------------------------------------------------------

# Zero or, through sales in a store that allows it, below.
HIT_ZERO = Q(quantity_after__lte=0, quantity_before__gt=0)
# Usage nets its counter-entries (a cancelled order's usage put back: positive usage rows).
USED = Q(transaction_type=Type.USAGE, quantity__lt=0)
RETURNED = Q(transaction_type=Type.USAGE, quantity__gt=0)


def daily_stock_figures(store_ids, start: dt.date, end: dt.date):
    """One row per (store_id, local day) with ledger rows over [start, end] (one grouped query):
    usage_cents and waste_cents (cost of those rows), stock_outs (distinct items whose stock went
    from above zero to zero) and restocked (those of them no longer out of stock)."""
    lo, hi = local_day_bounds(start, end)
    return (
        InventoryTransaction.objects.filter(store_id__in=store_ids, transaction_time__gte=lo, transaction_time__lt=hi)
        .annotate(day=local_date("transaction_time", start, end))
        .order_by()
        .values("store_id", "day")
        .annotate(
            usage_cents=Sum("total_cost_cents", filter=USED, default=0)
            - Sum("total_cost_cents", filter=RETURNED, default=0),
            waste_cents=Sum("total_cost_cents", filter=Q(transaction_type=Type.WASTE), default=0),
            stock_outs=Count("item_id", distinct=True, filter=HIT_ZERO),
            restocked=Count(
                "item_id", distinct=True, filter=HIT_ZERO & ~Q(item__status=InventoryItem.Status.OUT_OF_STOCK)
            ),
        )
    )


def out_of_stock_items():
    """The active items out of stock now (every store)."""
    return InventoryItem.objects.filter(is_active=True, status=InventoryItem.Status.OUT_OF_STOCK)
