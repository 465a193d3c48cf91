"""The stock ledger: every change of `InventoryItem.current_quantity` goes through here (docs/architecture.md).

One core writer (`_stock_write`) locks the item row, computes the new quantity from the locked
value, refuses to go below zero, recomputes the status, saves the item, appends the ledger row
and records who did it in the audit trail, all in one database transaction. Everything else
(purchase, usage, waste, adjustment, transfer) is a thin wrapper that decides the sign and the
unit cost.

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
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop as N_  # noqa: N812

from accounts.models import User
from inventory.models import InventoryItem, InventoryTransaction
from inventory.quantities import (
    MAX_QUANTITY,
    QUANTIZE,
    clean_cents,
    clean_quantity,
    fmt_quantity,
    line_cost_cents,
)
from notifications.models import Notification
from notifications.services import notification_create, store_managers
from notifications.texts import message
from stores.models import Store
from zhilian import events
from zhilian.audit import audit_record
from zhilian.errors import DomainError, InsufficientStock, InvalidInput

Type = InventoryTransaction.Type
Status = InventoryItem.Status
# The status labels' msgids (InventoryItem.Status), for notifications worded when read.
STATUS_MSGIDS = {Status.NORMAL: N_("Normal"), Status.LOW: N_("Low"), Status.CRITICAL: N_("Critical"),
                 Status.OUT_OF_STOCK: N_("Out of stock")}  # fmt: skip

# How bad a status is; a notification goes out only when an item gets worse.
SEVERITY = {Status.NORMAL: 0, Status.LOW: 1, Status.CRITICAL: 2, Status.OUT_OF_STOCK: 3}

# The audit trail's event for each kind of ledger row.
AUDIT_EVENTS = {
    Type.PURCHASE: "stock.receive",
    Type.USAGE: "stock.use",
    Type.WASTE: "stock.waste",
    Type.ADJUSTMENT: "stock.adjust",
    Type.TRANSFER: "stock.transfer",
}


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
    notification_create(
        recipients=store_managers(item.store_id),
        kind=Notification.Kind.LOW_STOCK,
        level=Notification.Level.WARNING if new_status == Status.LOW else Notification.Level.CRITICAL,
        # Worded in each reader's language when read (notifications.texts); the status label too.
        title=message(N_("%(item)s: %(status)s"), item=item.name, status=message(STATUS_MSGIDS[new_status])),
        body=message(
            N_("%(item)s is down to %(quantity)s %(unit)s (reorder point %(minimum)s %(unit)s)."),
            item=item.name,
            quantity=fmt_quantity(item.current_quantity),
            unit=item.unit,
            minimum=fmt_quantity(item.min_quantity),
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
    allow_negative: bool = False,
) -> InventoryTransaction:
    """The one writer of stock: lock, compute from the locked row, refuse below zero, save, log.

    `quantity` is signed. Must run inside `transaction.atomic()`; `locked` is the already locked
    row when the caller locked it (transfers lock two rows in pk order first).
    """
    row = locked if locked is not None else _lock(item.pk)
    before = row.current_quantity
    after = before + quantity
    if after < 0 and quantity < 0 and not allow_negative:
        raise InsufficientStock(
            f"Only {fmt_quantity(before)} {row.unit} of {row.name} on hand; "
            f"{fmt_quantity(-quantity)} {row.unit} requested.",
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
    row.updated_at = timezone.now()
    fields = {"status": row.status, "updated_at": row.updated_at}
    if set_unit_cost and cost != row.unit_cost_cents:
        row.unit_cost_cents = fields["unit_cost_cents"] = cost
    # The quantity moves by an F() expression: the row is locked, and the database, not a value
    # read earlier, does the arithmetic.
    InventoryItem.objects.filter(pk=row.pk).update(current_quantity=F("current_quantity") + quantity, **fields)
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
    audit_record(
        actor=user,
        instance=row,
        event=AUDIT_EVENTS[transaction_type],
        changes={"current_quantity": (before, after)},
        transaction=str(entry.pk),
        quantity=str(quantity),
        unit_cost_cents=cost,
        reason=waste_reason,
        reference_id=reference_id,
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
    quantity = clean_quantity(quantity)
    cost = None if unit_cost_cents is None else clean_cents(unit_cost_cents)
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
    quantity = clean_quantity(quantity)
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
    quantity = clean_quantity(quantity)
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
    counted = clean_quantity(counted_quantity, "counted_quantity", allow_zero=True)
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
    quantity = clean_quantity(quantity)
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


# --- sales usage (menu.services: an order reaching the kitchen) --------------------------------


def _lock_by_sku(store_id: str, skus) -> dict[str, InventoryItem]:
    """Lock the store's items of these ingredient keys in pk order (every multi-row writer uses
    the same order, so two orders sharing ingredients never deadlock)."""
    rows = InventoryItem.objects.select_for_update().filter(store_id=store_id, sku__in=list(skus)).order_by("pk")
    return {row.sku: row for row in rows}


def stock_record_sales_usage(
    *,
    store_id: str,
    usage: dict[str, Decimal],
    reference_id: str,
    allow_negative: bool = False,
    user: User | None = None,
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> list[InventoryTransaction]:
    """What an order used, one `usage` row per ingredient, all or nothing.

    `usage` maps an ingredient key (`InventoryItem.sku`) to the quantity used (positive, three
    decimals). An ingredient the store has no item for is refused (409 `ingredient_missing`);
    one short of stock is refused (409 `insufficient_stock`, naming it) unless `allow_negative`.
    """
    usage = {sku: quantity for sku, quantity in usage.items() if quantity > 0}
    if not usage:
        return []
    # No savepoint inside an order's move: a refusal undoes the whole move (and is all or nothing
    # on its own).
    with transaction.atomic(savepoint=False):
        rows = _lock_by_sku(store_id, usage)
        missing = sorted(set(usage) - set(rows))
        if missing:
            raise DomainError(
                f"{store_id} has no inventory item for the ingredient {missing[0]!r}.",
                code="ingredient_missing",
                ingredient=missing[0],
            )
        locked = sorted(rows.values(), key=lambda r: r.pk)
        for row in locked:
            quantity = usage[row.sku]
            if row.current_quantity < quantity and not allow_negative:
                raise InsufficientStock(
                    f"Not enough {row.name}: {fmt_quantity(row.current_quantity)} {row.unit} on hand, "
                    f"{fmt_quantity(quantity)} {row.unit} needed.",
                    ingredient=row.sku,
                    item=row.pk,
                    on_hand=str(row.current_quantity),
                    requested=str(quantity),
                    unit=row.unit,
                )
        return _sales_write(
            [(row, -usage[row.sku]) for row in locked],
            user=user,
            reference_id=reference_id,
            notes=notes,
            transaction_time=transaction_time,
        )


def _sales_write(
    moves: list[tuple[InventoryItem, Decimal]],
    *,
    user: User | None,
    reference_id: str,
    notes: str,
    transaction_time: dt.datetime | None,
    unit_costs: dict[str, int] | None = None,
) -> list[InventoryTransaction]:
    """`_stock_write` for the rows of one order's sales usage (or its reversal), in three
    statements whatever the number of ingredients: one UPDATE of the locked items (each moved by
    its own amount, in the database), one INSERT of the ledger rows, and the alerts of the items
    that got worse. The order's audit entry names the usage (menu.services.order_stock_deduct):
    each ledger row already says who, when, how much and for which order, so the items' trails
    are not written a row per order. The caller holds the rows locked (`_lock_by_sku`)."""
    now = timezone.now()
    when = transaction_time or now
    deltas, statuses, entries, worse = [], [], [], []
    for row, quantity in moves:
        before = row.current_quantity
        after = before + quantity
        if after > MAX_QUANTITY:
            raise InvalidInput({"quantity": f"The stock of {row.name} would exceed {MAX_QUANTITY}."})
        cost = row.unit_cost_cents if unit_costs is None else unit_costs.get(row.pk, row.unit_cost_cents)
        old_status = row.status
        row.current_quantity = after
        row.status = InventoryItem.status_for(after, row.min_quantity)
        row.updated_at = now
        deltas.append(When(pk=row.pk, then=Value(quantity)))
        statuses.append(When(pk=row.pk, then=Value(row.status)))
        entries.append(
            InventoryTransaction(
                item=row,
                store_id=row.store_id,
                transaction_type=Type.USAGE,
                quantity=quantity,
                unit_cost_cents=cost,
                total_cost_cents=line_cost_cents(quantity, cost),
                quantity_before=before,
                quantity_after=after,
                reference_id=reference_id,
                notes=notes,
                performed_by=user if getattr(user, "pk", None) else None,
                transaction_time=when,
            )
        )
        worse.append((row, old_status))
    if not entries:
        return []
    quantity_field = InventoryItem._meta.get_field("current_quantity")
    InventoryItem.objects.filter(pk__in=[row.pk for row, _ in moves]).update(
        current_quantity=F("current_quantity") + Case(*deltas, output_field=quantity_field),
        status=Case(*statuses, output_field=InventoryItem._meta.get_field("status")),
        updated_at=now,
    )
    InventoryTransaction.objects.bulk_create(entries)
    for row, old_status in worse:
        _alert_if_worse(row, old_status)
    return entries


def stock_reverse_sales_usage(
    *,
    store_id: str,
    reference_id: str,
    user: User | None = None,
    notes: str = "",
    transaction_time: dt.datetime | None = None,
) -> list[InventoryTransaction]:
    """Put back what the usage rows of `reference_id` took: counter-entries (positive `usage`
    rows at the cost the usage was booked at), never an edit, so the ledger stays append-only.
    What was already put back is not put back twice."""
    with transaction.atomic():
        net = {
            row["item_id"]: row["total"]
            for row in InventoryTransaction.objects.filter(
                store_id=store_id, reference_id=reference_id, transaction_type=Type.USAGE
            )
            .order_by()
            .values("item_id")
            .annotate(total=Sum("quantity"))
        }
        owed = {item_id: -Decimal(str(total)) for item_id, total in net.items() if total and total < 0}
        if not owed:
            return []
        costs = dict(
            InventoryTransaction.objects.filter(
                store_id=store_id, reference_id=reference_id, transaction_type=Type.USAGE, quantity__lt=0
            ).values_list("item_id", "unit_cost_cents")
        )
        rows = InventoryItem.objects.select_for_update().filter(pk__in=list(owed)).order_by("pk")
        return _sales_write(
            [(row, owed[row.pk].quantize(QUANTIZE)) for row in rows],
            user=user,
            reference_id=reference_id,
            notes=notes,
            transaction_time=transaction_time,
            unit_costs=costs,
        )
