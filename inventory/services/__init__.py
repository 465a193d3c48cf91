"""Inventory services: the stock ledger (stock) and the items' own fields (items).

Re-exported here so `from inventory.services import X` and `services.X` keep working; the
read-only reports live in inventory.selectors and are re-exported for the same reason.
"""

from inventory.quantities import MAX_CENTS, MAX_QUANTITY, QUANTIZE, line_cost_cents
from inventory.selectors import stock_reorder_suggestions, stock_verify, stock_waste_analysis
from inventory.services.counts import stock_count_close, stock_count_open, stock_count_record, stock_count_update
from inventory.services.items import (
    ITEM_EDITABLE_FIELDS,
    inventory_item_create,
    inventory_item_refresh_status,
    inventory_item_update,
)
from inventory.services.stock import (
    AUDIT_EVENTS,
    SEVERITY,
    stock_record_adjustment,
    stock_record_purchase,
    stock_record_sales_usage,
    stock_record_usage,
    stock_record_waste,
    stock_reverse_sales_usage,
    stock_transfer,
)

__all__ = [
    "AUDIT_EVENTS",
    "ITEM_EDITABLE_FIELDS",
    "MAX_CENTS",
    "MAX_QUANTITY",
    "QUANTIZE",
    "SEVERITY",
    "inventory_item_create",
    "inventory_item_refresh_status",
    "inventory_item_update",
    "line_cost_cents",
    "stock_count_close",
    "stock_count_open",
    "stock_count_record",
    "stock_count_update",
    "stock_record_adjustment",
    "stock_record_purchase",
    "stock_record_sales_usage",
    "stock_record_usage",
    "stock_record_waste",
    "stock_reorder_suggestions",
    "stock_reverse_sales_usage",
    "stock_transfer",
    "stock_verify",
    "stock_waste_analysis",
]
