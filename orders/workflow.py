"""The order workflow: which status may follow which, and what each move stamps.

Pure rules, read by the services (orders.services.order_transition enforces them), by the order
representation (orders.selectors: allowed moves, whether items may change) and by the admin.
"""

from __future__ import annotations

from orders.models import Order

S = Order.Status

# The workflow: each status and the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PENDING: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.PREPARING, S.CANCELLED),
    S.PREPARING: (S.READY, S.CANCELLED),
    S.READY: (S.SERVED,),
    S.SERVED: (S.COMPLETED,),
    S.COMPLETED: (),
    S.CANCELLED: (),
}
# The time stamped by a move into each status.
STATUS_TIMESTAMP: dict[str, str] = {
    S.CONFIRMED: "confirmed_at",
    S.PREPARING: "preparing_at",
    S.READY: "ready_at",
    S.SERVED: "served_at",
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
}
# Items (and the money of the order) change only before the kitchen starts.
EDITABLE_STATUSES = frozenset({S.PENDING, S.CONFIRMED})
CLOSED_STATUSES = frozenset({S.COMPLETED, S.CANCELLED})


def allowed_moves(status: str) -> list[str]:
    return [str(s) for s in TRANSITIONS.get(status, ())]


def is_editable(status: str) -> bool:
    """Items, the discount, the type and the channel change only while pending or confirmed."""
    return status in EDITABLE_STATUSES
