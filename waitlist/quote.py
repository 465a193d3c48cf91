"""The quoted wait of a walk-in party: a pure formula (its inputs come from
`waitlist.selectors.quote_inputs`).

Inputs, for the party's band at the moment of the quote:

- ``tables`` (T): the store's active hall tables serving the band: those whose capacity lies in
  the band's party range (a 2-seat table for band A 1–2); when a store has none of that size,
  every active hall table that seats the band's smallest party;
- ``busy`` (B): how many of them are occupied now: a dine-in order on the table that is neither
  completed nor cancelled, a reservation seated on it and not yet completed, or a walk-in seated
  at it from the queue (until an order on the table closes after the seating);
- ``ahead`` (P): the parties of the same band still in the queue before this one (waiting or
  called, lower numbers, same day);
- ``turn_minutes`` (R): how long a party keeps such a table: the mean of ``completed_at −
  order_time`` of the completed dine-in orders on those tables over the last
  ``TURN_LOOKBACK_DAYS`` days (a store's default, ``DEFAULT_TURN_MINUTES``, without history).

Free tables F = max(T − B, 0) seat the first F parties at once. Past them, tables free up at a
steady rate of T per R minutes (each table turns once per R, turns staggered), so the party that
must wait for the (P − F + 1)-th table to free up waits

    wait = ceil(R × (P − F + 1) / T)   when P ≥ F,   0 otherwise.

Example: 4 two-seat tables, all busy, turn 60 min, 2 parties ahead: ceil(60 × 3 / 4) = 45 min.
Without tables for the band (T = 0) there is no estimate (None).
"""

from __future__ import annotations

import math

TURN_LOOKBACK_DAYS = 14
DEFAULT_TURN_MINUTES = 60
# Turns shorter or longer than these are data errors (an order completed hours later by a
# forgotten tablet), not table times: they are left out of the mean.
MIN_TURN_MINUTES, MAX_TURN_MINUTES = 10, 240


def quoted_wait_minutes(*, tables: int, busy: int, ahead: int, turn_minutes: float) -> int | None:
    """Minutes until a table of the band is expected for the next party to join (see above)."""
    if tables <= 0:
        return None
    free = max(tables - busy, 0)
    if ahead < free:
        return 0
    return math.ceil(turn_minutes * (ahead - free + 1) / tables)
