"""Reservations: booking without double-booking, the status workflow, no-shows.

A table is held by every *active* reservation (``Reservation.ACTIVE_STATUSES``) over
``[starts_at, ends_at)``; two such intervals on one table must not overlap. The guarantee comes
from the database: a booking locks the rows of the tables it wants (``SELECT ... FOR UPDATE``,
sorted by pk so concurrent bookers never deadlock), and only then looks for overlapping
reservations and inserts. A second booker of the same table waits on the lock and, once the
first commits, sees its reservation and is refused (`Unavailable`, 409).

Reservation types:

- ``regular``: any active table(s) of the store; auto-assignment prefers hall tables.
- ``banquet``: carries ``banquet_details`` (menu, occasion...), ``estimated_budget_cents`` and
  ``deposit_cents``; auto-assignment prefers banquet-hall tables, then joins other tables.
- ``private_room``: every table must be a ``private_room`` table; when ``room_name`` is given the
  tables must belong to that room (auto-assignment picks only there). Without a ``room_name``
  the room of the chosen tables is recorded.
"""

from reservations.availability import COMBINATION_LIMIT, COMBINATION_SEARCH_BUDGET, MAX_COMBINATION_TABLES
from reservations.selectors import reservation_availability, reservation_best_fit
from reservations.services.booking import reservation_create, reservation_update
from reservations.services.rules import (
    EDITABLE_STATUSES,
    MAX_DAYS_AHEAD,
    TIMING_FIELDS,
    WRITABLE_FIELDS,
    reservation_check,
    reservation_check_slot,
    reservation_next_id,
    reservation_payload,
    reservation_slot_errors,
    table_payload,
)
from reservations.services.workflow import (
    STAMPS,
    TRANSITIONS,
    reservation_mark_no_shows,
    reservation_transition,
)

__all__ = [
    "COMBINATION_LIMIT",
    "COMBINATION_SEARCH_BUDGET",
    "EDITABLE_STATUSES",
    "MAX_COMBINATION_TABLES",
    "MAX_DAYS_AHEAD",
    "STAMPS",
    "TIMING_FIELDS",
    "TRANSITIONS",
    "WRITABLE_FIELDS",
    "reservation_availability",
    "reservation_best_fit",
    "reservation_check",
    "reservation_check_slot",
    "reservation_create",
    "reservation_mark_no_shows",
    "reservation_next_id",
    "reservation_payload",
    "reservation_slot_errors",
    "reservation_transition",
    "reservation_update",
    "table_payload",
]
