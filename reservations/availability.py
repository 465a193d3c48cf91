"""Joining tables for a party: which sets of free tables seat it, best first (pure, no database).

reservations.selectors feeds it the free tables of one area (same kind and room).
"""

from __future__ import annotations

from reservations.models import Reservation
from stores.models import Table

Type = Reservation.Type

# Combinations join at most this many tables and the answer lists at most this many.
MAX_COMBINATION_TABLES = 4
COMBINATION_LIMIT = 10
# Candidates examined per combination size before ranking (bounds the work on big floors).
COMBINATION_SEARCH_BUDGET = 500


def table_combinations(tables: list[Table], party_size: int) -> list[list[Table]]:
    """Minimal sets of 2..MAX tables of one area whose seats fit the party: fewest tables, then least waste."""
    found: list[list[Table]] = []
    ordered = sorted(tables, key=lambda t: (-t.capacity, t.number))
    capacities = [t.capacity for t in ordered]
    for size in range(2, MAX_COMBINATION_TABLES + 1):
        if size > len(ordered) or sum(capacities[:size]) < party_size:
            continue
        level: list[list[Table]] = []

        # Depth-first over tables by capacity, largest first: a branch stops as soon as the
        # largest seats still reachable cannot fit, and every set found is minimal (each table
        # is needed) because the last, smallest table is what made it fit.
        def walk(start: int, chosen: list[Table], seats: int, size=size, level=level) -> None:
            if len(level) >= COMBINATION_SEARCH_BUDGET:
                return
            missing = size - len(chosen)
            for i in range(start, len(ordered) - missing + 1):
                if seats + sum(capacities[i : i + missing]) < party_size:
                    break
                total = seats + capacities[i]
                if missing == 1:
                    if total >= party_size:
                        level.append([*chosen, ordered[i]])
                        if len(level) >= COMBINATION_SEARCH_BUDGET:
                            return
                elif total < party_size:
                    walk(i + 1, [*chosen, ordered[i]], total, size=size, level=level)

        walk(0, [], 0)
        level.sort(key=lambda combo: (sum(t.capacity for t in combo), sorted(t.number for t in combo)))
        found.extend(sorted(combo, key=lambda t: t.number) for combo in level)
        if len(found) >= COMBINATION_LIMIT:
            break
    return found[:COMBINATION_LIMIT]


def preferred_kinds(reservation_type: str) -> list[list[str] | None]:
    """Which tables auto-assignment tries, in order (None = any kind)."""
    if reservation_type == Type.PRIVATE_ROOM:
        return [[Table.Kind.PRIVATE_ROOM]]
    if reservation_type == Type.BANQUET:
        return [[Table.Kind.BANQUET_HALL], None]
    return [[Table.Kind.HALL], None]
