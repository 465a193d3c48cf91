"""The stock ledger: every change of `InventoryItem.current_quantity` goes through here (DESIGN §4).

One core writer (`_stock_write`) locks the item row, computes the new quantity from the locked
value, refuses to go below zero, recomputes the status, saves the item and appends the ledger row,
all in one database transaction. Everything else (purchase, usage, waste, adjustment, transfer)
is a thin wrapper that decides the sign and the unit cost.

Decisions (documented for API users and the seed command):
- A purchase sets the item's `unit_cost_cents` to the purchase price (latest price wins; the
  ledger keeps every historical price on its rows).
- An adjustment to the quantity already on hand writes a zero row: the count itself is history
  (who counted, when), and the ledger still sums to the stock.
- A transfer needs an item with the same name in the target store; without one it is refused
  (409 ``transfer_target_missing``) rather than inventing an item, its ID, unit and thresholds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from accounts.models import User
from inventory.models import InventoryItem, InventoryTransaction
from notifications.models import Notification
from notifications.services import notification_create, store_managers
from stores.models import Store
from zhilian import events
from zhilian.dates import check_range, local_day_bounds
from zhilian.errors import DomainError, InsufficientStock, InvalidInput

Type = InventoryTransaction.Type
Status = InventoryItem.Status

QUANTIZE = Decimal("0.001")
# Quantities are NUMERIC(12, 3): nine integer digits.
MAX_QUANTITY = Decimal("999999999.999")
# Money is a BIGINT of cents; keep well inside it so totals can never overflow.
MAX_CENTS = 10**15

# How bad a status is; a notification goes out only when an item gets worse.
SEVERITY = {Status.NORMAL: 0, Status.LOW: 1, Status.CRITICAL: 2, Status.OUT_OF_STOCK: 3}

ITEM_EDITABLE_FIELDS = (
    "name",
    "category",
    "unit",
    "min_quantity",
    "max_quantity",
    "unit_cost_cents",
    "supplier_name",
    "supplier_contact",
    "is_active",
)


# --- helpers ------------------------------------------------------------------------------------


def _quantity(value: Any, field: str = "quantity", *, allow_zero: bool = False) -> Decimal:
    """A positive (or, for counts, non-negative) quantity with at most three decimals."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput({field: "Enter a number."}) from None
    if not quantity.is_finite():
        raise InvalidInput({field: "Enter a number."})
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise InvalidInput({field: "Must be zero or more." if allow_zero else "Must be greater than zero."})
    if quantity > MAX_QUANTITY:
        raise InvalidInput({field: f"Must be at most {MAX_QUANTITY}."})
    if quantity != quantity.quantize(QUANTIZE):
        raise InvalidInput({field: "Use at most three decimal places."})
    return quantity.quantize(QUANTIZE)


def _cents(value: Any, field: str = "unit_cost_cents") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput({field: "Enter a whole number of cents."})
    if value < 0 or value > MAX_CENTS:
        raise InvalidInput({field: f"Must be between 0 and {MAX_CENTS}."})
    return value


def line_cost_cents(quantity: Decimal, unit_cost_cents: int) -> int:
    """|quantity| x unit cost, rounded half up to a whole cent."""
    return int((abs(quantity) * unit_cost_cents).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _lock(item_id: str) -> InventoryItem:
    try:
        return InventoryItem.objects.select_for_update().get(pk=item_id)
    except InventoryItem.DoesNotExist:
        raise InvalidInput({"item": "No such inventory item."}) from None


def _sync(target: InventoryItem, source: InventoryItem) -> None:
    """Copy the freshly written stock fields onto the caller's instance."""
    if target is not source:
        for field in ("current_quantity", "status", "unit_cost_cents", "updated_at"):
            setattr(target, field, getattr(source, field))


def _fmt(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def _alert_if_worse(item: InventoryItem, old_status: str) -> None:
    """Publish `inventory.low_stock` and notify the store's managers when the item got worse."""
    new_status = item.status
    if new_status == Status.NORMAL or SEVERITY[new_status] <= SEVERITY[old_status]:
        return
    data = {
        "item": item.pk,
        "name": item.name,
        "status": new_status,
        "previous_status": old_status,
        "current_quantity": str(item.current_quantity),
        "min_quantity": str(item.min_quantity),
        "max_quantity": str(item.max_quantity),
        "unit": item.unit,
    }
    events.publish("inventory.low_stock", store_id=item.store_id, data=data)
    label = Status(new_status).label
    notification_create(
        recipients=store_managers(item.store_id),
        kind=Notification.Kind.LOW_STOCK,
        level=Notification.Level.WARNING if new_status == Status.LOW else Notification.Level.CRITICAL,
        title=f"{item.name}: {label}",
        body=(
            f"{item.name} is down to {_fmt(item.current_quantity)} {item.unit} "
            f"(reorder point {_fmt(item.min_quantity)} {item.unit})."
        ),
        store_id=item.store_id,
        data=data,
    )


def _stock_write(
    *,
    item: InventoryItem,
    transaction_type: str,
    quantity: Decimal,
    unit_cost_cents: int | None = None,
    user: User | None = None,
    waste_reason: str = "",
    reference_id: str = "",
    notes: str = "",
    transaction_time: dt.datetime | None = None,
    locked: InventoryItem | None = None,
    set_unit_cost: bool = False,
) -> InventoryTransaction:
    """The one writer of stock: lock, compute from the locked row, refuse below zero, save, log.

    `quantity` is signed. Must run inside `transaction.atomic()`; `locked` is the already locked
    row when the caller locked it (transfers lock two rows in pk order first).
    """
    row = locked if locked is not None else _lock(item.pk)
    before = row.current_quantity
    after = before + quantity
    if after < 0:
        raise InsufficientStock(
            f"Only {_fmt(before)} {row.unit} of {row.name} on hand; {_fmt(-quantity)} {row.unit} requested.",
            on_hand=str(before),
            requested=str(-quantity),
            unit=row.unit,
        )
    if after > MAX_QUANTITY:
        raise InvalidInput({"quantity": f"The stock would exceed {MAX_QUANTITY}."})
    cost = row.unit_cost_cents if unit_cost_cents is None else unit_cost_cents
    old_status = row.status
    row.current_quantity = after
    row.status = InventoryItem.status_for(after, row.min_quantity)
    fields = ["current_quantity", "status", "updated_at"]
    if set_unit_cost and cost != row.unit_cost_cents:
        row.unit_cost_cents = cost
        fields.append("unit_cost_cents")
    row.save(update_fields=fields)
    entry = InventoryTransaction.objects.create(
        item=row,
        store_id=row.store_id,
        transaction_type=transaction_type,
        quantity=quantity,
        unit_cost_cents=cost,
        total_cost_cents=line_cost_cents(quantity, cost),
        quantity_before=before,
        quantity_after=after,
        waste_reason=waste_reason,
        reference_id=reference_id,
        notes=notes,
        performed_by=user,
        transaction_time=transaction_time or timezone.now(),
    )
    _alert_if_worse(row, old_status)
    _sync(item, row)
    return entry


# --- ledger writes ------------------------------------------------------------------------------


def stock_record_purchase(
    *,
    item: InventoryItem,
    quantity: Decimal | int | str,
    unit_cost_cents: int | None = None,
    user: User | None = None,
    reference_id: str = "",
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> InventoryTransaction:
    """Goods received. Without `unit_cost_cents` the item's current cost is used; with it, the
    item's unit cost becomes this purchase price."""
    quantity = _quantity(quantity)
    cost = None if unit_cost_cents is None else _cents(unit_cost_cents)
    with transaction.atomic():
        return _stock_write(
            item=item,
            transaction_type=Type.PURCHASE,
            quantity=quantity,
            unit_cost_cents=cost,
            user=user,
            reference_id=reference_id,
            notes=notes,
            transaction_time=transaction_time,
            set_unit_cost=cost is not None,
        )


def stock_record_usage(
    *,
    item: InventoryItem,
    quantity: Decimal | int | str,
    user: User | None = None,
    reference_id: str = "",
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> InventoryTransaction:
    """Stock consumed by the kitchen; refused (409 insufficient_stock) beyond what is on hand."""
    quantity = _quantity(quantity)
    with transaction.atomic():
        return _stock_write(
            item=item,
            transaction_type=Type.USAGE,
            quantity=-quantity,
            user=user,
            reference_id=reference_id,
            notes=notes,
            transaction_time=transaction_time,
        )


def stock_record_waste(
    *,
    item: InventoryItem,
    quantity: Decimal | int | str,
    reason: str,
    user: User | None = None,
    reference_id: str = "",
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> InventoryTransaction:
    """Stock thrown away, with its reason (InventoryTransaction.WasteReason)."""
    quantity = _quantity(quantity)
    if reason not in InventoryTransaction.WasteReason.values:
        raise InvalidInput({"waste_reason": f"Give one of: {', '.join(InventoryTransaction.WasteReason.values)}."})
    with transaction.atomic():
        return _stock_write(
            item=item,
            transaction_type=Type.WASTE,
            quantity=-quantity,
            user=user,
            waste_reason=reason,
            reference_id=reference_id,
            notes=notes,
            transaction_time=transaction_time,
        )


def stock_record_adjustment(
    *,
    item: InventoryItem,
    counted_quantity: Decimal | int | str,
    user: User | None = None,
    reference_id: str = "",
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> InventoryTransaction:
    """A stock count: writes the difference that brings the stock to `counted_quantity`.

    The difference is computed from the locked row, so a usage recorded a moment before the
    count is not lost. A count equal to the stock writes a zero row (the count is history).
    """
    counted = _quantity(counted_quantity, "counted_quantity", allow_zero=True)
    with transaction.atomic():
        row = _lock(item.pk)
        return _stock_write(
            item=item,
            transaction_type=Type.ADJUSTMENT,
            quantity=counted - row.current_quantity,
            user=user,
            reference_id=reference_id,
            notes=notes,
            transaction_time=transaction_time,
            locked=row,
        )


def stock_transfer(
    *,
    item: InventoryItem,
    to_store: Store,
    quantity: Decimal | int | str,
    user: User | None = None,
    reference_id: str = "",
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> tuple[InventoryTransaction, InventoryTransaction]:
    """Move stock to the item of the same name in `to_store`: (outgoing, incoming) rows, linked.

    Both rows are written in one transaction with both items locked in pk order, so two
    opposite transfers cannot deadlock. Refused when `to_store` has no item of that name.
    """
    quantity = _quantity(quantity)
    if to_store.pk == item.store_id:
        raise InvalidInput({"to_store": "Choose another store than the item's own."})
    target_id = InventoryItem.objects.filter(store_id=to_store.pk, name=item.name).values_list("pk", flat=True).first()
    if target_id is None:
        raise DomainError(
            f"{to_store.pk} has no inventory item named {item.name!r}; create it there first.",
            code="transfer_target_missing",
        )
    when = transaction_time or timezone.now()
    with transaction.atomic():
        rows = {
            r.pk: r
            for r in InventoryItem.objects.select_for_update().filter(pk__in=[item.pk, target_id]).order_by("pk")
        }
        source, target = rows[item.pk], rows[target_id]
        if target.name != source.name or target.store_id != to_store.pk:  # renamed meanwhile
            raise DomainError(
                f"{to_store.pk} has no inventory item named {source.name!r}.", code="transfer_target_missing"
            )
        outgoing = _stock_write(
            item=item,
            transaction_type=Type.TRANSFER,
            quantity=-quantity,
            user=user,
            reference_id=reference_id,
            notes=notes or f"Transfer to {to_store.pk}",
            transaction_time=when,
            locked=source,
        )
        incoming = _stock_write(
            item=target,
            transaction_type=Type.TRANSFER,
            quantity=quantity,
            unit_cost_cents=source.unit_cost_cents,
            user=user,
            reference_id=reference_id,
            notes=notes or f"Transfer from {source.store_id}",
            transaction_time=when,
            locked=target,
        )
        # Link both ways; the OneToOne is unique per direction.
        outgoing.counterpart = incoming
        outgoing.save(update_fields=["counterpart", "updated_at"])
        incoming.counterpart = outgoing
        incoming.save(update_fields=["counterpart", "updated_at"])
    return outgoing, incoming


# --- items --------------------------------------------------------------------------------------


def inventory_item_create(
    *,
    store: Store,
    id: str,
    name: str,
    unit: str,
    initial_quantity: Decimal | int | str = 0,
    user: User | None = None,
    **fields: Any,
) -> InventoryItem:
    """Create an item; an opening stock is written as an adjustment so the ledger sums to it."""
    unknown = set(fields) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: "Not an editable field." for name in sorted(unknown)})
    opening = _quantity(initial_quantity, "initial_quantity", allow_zero=True)
    with transaction.atomic():
        item = InventoryItem(store=store, id=id, name=name, unit=unit, **fields)
        item.current_quantity = Decimal("0")
        item.status = InventoryItem.status_for(item.current_quantity, item.min_quantity)
        item.save(force_insert=True)
        if opening:
            stock_record_adjustment(item=item, counted_quantity=opening, user=user, notes="Opening stock")
    return item


def inventory_item_update(*, item: InventoryItem, changes: dict[str, Any]) -> InventoryItem:
    """Edit an item's own fields (never its stock); the status follows a new reorder point.

    Saves only the edited fields under the row lock: a plain `save()` would write back a stale
    `current_quantity` and lose a concurrent ledger write.
    """
    unknown = set(changes) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: "Not an editable field." for name in sorted(unknown)})
    with transaction.atomic():
        row = _lock(item.pk)
        old_status = row.status
        for field, value in changes.items():
            setattr(row, field, value)
        row.status = InventoryItem.status_for(row.current_quantity, row.min_quantity)
        row.save(update_fields=[*changes, "status", "updated_at"])
        _alert_if_worse(row, old_status)
    for field in (*changes, "current_quantity", "status", "updated_at"):
        setattr(item, field, getattr(row, field))
    return item


def inventory_item_refresh_status(*, items) -> int:
    """Recompute the status of the given items from their stock; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for row in InventoryItem.objects.select_for_update().filter(pk__in=[i.pk for i in items]).order_by("pk"):
            status = InventoryItem.status_for(row.current_quantity, row.min_quantity)
            if status != row.status:
                old_status, row.status = row.status, status
                row.save(update_fields=["status", "updated_at"])
                _alert_if_worse(row, old_status)
                changed += 1
    return changed


# --- reports ------------------------------------------------------------------------------------


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
        reasons[row["item_id"]][row["waste_reason"]] = _q(row["quantity"])

    by_item = [
        {
            "item": row["item_id"],
            "name": row["item__name"],
            "category": row["item__category"],
            "unit": row["item__unit"],
            "quantity": _q(row["quantity"]),
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
            "quantity": _q(row["quantity"]),
            "cost_cents": row["cost_cents"] or 0,
            "count": row["count"],
        }
        for row in waste.values("item__category").annotate(**measures).order_by("-cost_cents", "item__category")
    ]
    by_reason = [
        {
            "reason": row["waste_reason"],
            "quantity": _q(row["quantity"]),
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


def _q(value: Any) -> Decimal:
    """Aggregates come back as Decimal (PostgreSQL) or float-ish (SQLite); normalise to 3 places."""
    return Decimal(str(value or 0)).quantize(QUANTIZE, rounding=ROUND_HALF_UP)


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
            "current_quantity": _q(row["current_quantity"]),
            "ledger_quantity": _q(row["ledger_quantity"]),
            "difference": _q(row["current_quantity"]) - _q(row["ledger_quantity"]),
        }
        for row in mismatches
    ]
