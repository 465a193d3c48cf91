"""Quantities and money of the stock ledger: parsing, bounds and rounding (no database access).

Shared by the ledger writers (inventory.services) and the reports (inventory.selectors).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from zhilian.errors import InvalidInput

QUANTIZE = Decimal("0.001")
# Quantities are NUMERIC(12, 3): nine integer digits.
MAX_QUANTITY = Decimal("999999999.999")
# Money is a BIGINT of cents; keep well inside it so totals can never overflow.
MAX_CENTS = 10**15


def clean_quantity(value: Any, field: str = "quantity", *, allow_zero: bool = False) -> Decimal:
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


def clean_cents(value: Any, field: str = "unit_cost_cents") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput({field: "Enter a whole number of cents."})
    if value < 0 or value > MAX_CENTS:
        raise InvalidInput({field: f"Must be between 0 and {MAX_CENTS}."})
    return value


def line_cost_cents(quantity: Decimal, unit_cost_cents: int) -> int:
    """|quantity| x unit cost, rounded half up to a whole cent."""
    return int((abs(quantity) * unit_cost_cents).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def fmt_quantity(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def rounded(value: Any) -> Decimal:
    """Aggregates come back as Decimal (PostgreSQL) or float-ish (SQLite); normalise to 3 places."""
    return Decimal(str(value or 0)).quantize(QUANTIZE, rounding=ROUND_HALF_UP)
