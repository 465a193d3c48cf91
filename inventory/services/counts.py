"""Stock counts (盘点): open a sheet, record counted quantities, close it into the ledger.

Who may do what (zhilian.roles, docs/architecture.md "Roles"): managers (and admins) open and
close counts; staff record counted quantities on an open sheet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from inventory.quantities import clean_quantity
from inventory.services.stock import _stock_write
from stores.models import Store
from zhilian import events
from zhilian.audit import CREATE, audit_record
from zhilian.errors import DomainError, InvalidInput, Locked


def _locked_open(count: StockCount) -> StockCount:
    """The count's row, locked; a closed count is read-only (409 `locked`)."""
    row = StockCount.objects.select_for_update().get(pk=count.pk)
    if row.status != StockCount.Status.OPEN:
        raise Locked(_("This stock count is closed; it can no longer change."))
    return row


def stock_count_open(
    *, store: Store, user: User | None, count_date: dt.date | None = None, notes: str = ""
) -> StockCount:
    """Open a count sheet for `store`: one line per active item with its book quantity and unit
    cost now. Refused (409 `count_open`) while the store has another open count; the partial
    unique constraint decides it, so two managers opening at once get one count."""
    count_date = count_date or timezone.localdate()
    try:
        with transaction.atomic():
            count = StockCount.objects.create(store=store, count_date=count_date, opened_by=user, notes=notes)
            items = InventoryItem.objects.filter(store=store, is_active=True).order_by("pk")
            StockCountLine.objects.bulk_create(
                StockCountLine(
                    count=count,
                    item_id=item_id,
                    expected_quantity=quantity,
                    unit_cost_cents=cost,
                )
                for item_id, quantity, cost in items.values_list("pk", "current_quantity", "unit_cost_cents")
            )
            audit_record(actor=user, instance=count, event="stock.count_open", action=CREATE)
    except IntegrityError:
        if StockCount.objects.filter(store=store, status=StockCount.Status.OPEN).exists():
            raise DomainError(
                _("%(store)s already has an open stock count; close it first.") % {"store": store.pk},
                code="count_open",
            ) from None
        raise
    return count


def stock_count_record(
    *, count: StockCount, quantities: list[dict[str, Any]], user: User | None
) -> list[StockCountLine]:
    """Set the counted quantity of many lines at once (a handheld's batch): `quantities` is
    ``[{"item": <item id>, "counted_quantity": "1.500"}, ...]``; None clears a line.

    Each entry is checked (an item of the sheet, a non-negative number with three decimals);
    any error refuses the whole batch with 400 errors by position: ``{"lines": [{}, {"item":
    [...]}]}``. A closed count is 409 `locked`."""
    if not isinstance(quantities, list) or not quantities:
        raise InvalidInput({"lines": _("Send a non-empty list of {item, counted_quantity}.")})
    with transaction.atomic():
        row = _locked_open(count)
        lines = {line.item_id: line for line in row.lines.select_for_update().order_by("pk")}
        errors: list[dict[str, list[str]]] = []
        values: dict[str, Decimal | None] = {}
        seen: set[str] = set()
        for entry in quantities:
            problems: dict[str, list[str]] = {}
            item_id = str(entry.get("item", "")) if isinstance(entry, dict) else ""
            if not item_id:
                problems["item"] = [_("Name the item.")]
            elif item_id not in lines:
                problems["item"] = [_("This item is not on the count sheet.")]
            elif item_id in seen:
                problems["item"] = [_("This item is listed twice.")]
            seen.add(item_id)
            raw = entry.get("counted_quantity") if isinstance(entry, dict) else None
            counted = None
            if raw is not None:
                try:
                    counted = clean_quantity(raw, "counted_quantity", allow_zero=True)
                except InvalidInput as exc:
                    problems.update(exc.errors)
            if not problems:
                values[item_id] = counted
            errors.append(problems)
        if any(errors):
            refused = InvalidInput({"lines": _("Some lines are invalid.")})
            refused.errors = {"lines": errors}  # by position, like a DRF list serializer's errors
            raise refused
        changed = []
        for item_id, counted in values.items():
            line = lines[item_id]
            if line.counted_quantity != counted:
                line.counted_quantity = counted
                changed.append(line)
        StockCountLine.objects.bulk_update(changed, ["counted_quantity"])
        if changed:
            audit_record(
                actor=user,
                instance=row,
                event="stock.count_record",
                lines={
                    line.item_id: None if line.counted_quantity is None else str(line.counted_quantity)
                    for line in changed
                },
            )
        StockCount.objects.filter(pk=row.pk).update(updated_at=timezone.now())
    return [lines[item_id] for item_id in values]


def stock_count_close(*, count: StockCount, user: User | None) -> StockCount:
    """Close the count: for every line whose counted quantity differs from the item's CURRENT
    book quantity, one `adjustment` row to the counted quantity (reference_id `COUNT-<id>`, by
    the closing user), all in one transaction; then the count is stamped closed and
    `stock.count_closed` goes out after commit.

    The difference is taken against the book quantity at closing, not at opening: sales keep
    moving stock while the staff count (an order reaching the kitchen deducts its recipe), and
    the counted quantity is what is on the shelf when the count is closed. Items are locked in
    pk order, the same order as every multi-item ledger writer, so a close and an order sharing
    ingredients never deadlock. Refused (409 `count_incomplete`) while lines are uncounted."""
    with transaction.atomic():
        row = _locked_open(count)
        uncounted = row.lines.filter(counted_quantity__isnull=True).count()
        if uncounted:
            raise DomainError(
                ngettext(
                    "%(n)d line is not counted yet; count it before closing.",
                    "%(n)d lines are not counted yet; count them before closing.",
                    uncounted,
                )
                % {"n": uncounted},
                code="count_incomplete",
                uncounted=uncounted,
            )
        counted = dict(row.lines.values_list("item_id", "counted_quantity"))
        items = InventoryItem.objects.select_for_update().filter(pk__in=list(counted)).order_by("pk")
        now = timezone.now()
        adjustments: list[InventoryTransaction] = []
        for item in items:
            difference = counted[item.pk] - item.current_quantity
            if difference:
                adjustments.append(
                    _stock_write(
                        item=item,
                        transaction_type=InventoryTransaction.Type.ADJUSTMENT,
                        quantity=difference,
                        user=user,
                        reference_id=row.reference,
                        notes=_("Stock count %(date)s") % {"date": row.count_date.isoformat()},
                        transaction_time=now,
                        locked=item,
                    )
                )
        row.status = StockCount.Status.CLOSED
        row.closed_by = user
        row.closed_at = now
        row.save(update_fields=["status", "closed_by", "closed_at", "updated_at"])
        audit_record(
            actor=user,
            instance=row,
            event="stock.count_close",
            changes={"status": (StockCount.Status.OPEN.value, StockCount.Status.CLOSED.value)},
            adjustments=len(adjustments),
        )
        # The count closes a period of the actual food cost KPI, recorded on the count's date
        # (which the scheduled recomputation of today may already have passed).
        from kpis.services import kpi_compute

        kpi_compute(stores=[row.store_id], start=row.count_date)
        events.publish(
            "stock.count_closed",
            store_id=row.store_id,
            data={
                "count": row.pk,
                "count_date": row.count_date,
                "adjustments": len(adjustments),
                "adjustment_cost_cents": sum(
                    e.total_cost_cents if e.quantity > 0 else -e.total_cost_cents for e in adjustments
                ),
                "closed_by": str(user.pk) if user else None,
            },
        )
    count.status, count.closed_by, count.closed_at, count.updated_at = (
        row.status,
        row.closed_by,
        row.closed_at,
        row.updated_at,
    )
    return count


def stock_count_update(*, count: StockCount, user: User | None, notes: str) -> StockCount:
    """Change an open count's notes (a closed count is read-only)."""
    with transaction.atomic():
        row = _locked_open(count)
        if row.notes != notes:
            audit_record(actor=user, instance=row, event="stock.count_update", changes={"notes": (row.notes, notes)})
            row.notes = notes
            row.save(update_fields=["notes", "updated_at"])
    count.notes, count.updated_at = row.notes, row.updated_at
    return count
