"""The order workflow and every change to an order's items and totals (docs/architecture.md).

Totals are always computed here from the items, never taken from a caller. Every change to an
existing order locks its row first (``select_for_update``), so two terminals editing the same
order serialize instead of losing an update. Events and notifications go out after commit; the
audit trail entry is written inside the change's transaction.

Modules: creation and the workflow (lifecycle), changes to an order and its items (edits), and
what they share (common). Re-exported here so `from orders.services import X` and `services.X` keep working.
"""

from orders.services.common import (
    CREATE_FIELDS,
    ITEM_FIELDS,
    MAX_DISCOUNT_CENTS,
    MAX_ITEMS,
    MAX_QUANTITY,
    MAX_UNIT_PRICE_CENTS,
    UPDATE_FIELDS,
    UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED,
    order_event_data,
)
from orders.services.edits import (
    order_item_add,
    order_item_remove,
    order_item_update,
    order_recompute_totals,
    order_update,
)
from orders.services.lifecycle import (
    EARLIEST_ORDER_TIME,
    ORDER_TIME_LEEWAY,
    order_create,
    order_next_id,
    order_transition,
)
from orders.workflow import CLOSED_STATUSES, STATUS_TIMESTAMP, allowed_moves, is_editable
from zhilian.errors import DomainError, InvalidInput, InvalidTransition, Locked

__all__ = [
    "CLOSED_STATUSES",
    "CREATE_FIELDS",
    "EARLIEST_ORDER_TIME",
    "ITEM_FIELDS",
    "MAX_DISCOUNT_CENTS",
    "MAX_ITEMS",
    "MAX_QUANTITY",
    "MAX_UNIT_PRICE_CENTS",
    "ORDER_TIME_LEEWAY",
    "STATUS_TIMESTAMP",
    "UPDATE_FIELDS",
    "UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED",
    "DomainError",
    "allowed_moves",
    "is_editable",
    "InvalidInput",
    "InvalidTransition",
    "Locked",
    "order_create",
    "order_event_data",
    "order_item_add",
    "order_item_remove",
    "order_item_update",
    "order_next_id",
    "order_recompute_totals",
    "order_transition",
    "order_update",
]
