"""Assignment: who works which period of a day. A pure function of demand, staff and rules.

No database and no model instances: plain dataclasses in and out, so the service (one day, rows
loaded and locked) and the demo seed (a year of days, in memory) share the same rules.

Rules (docs/architecture.md, "Scheduling"): active staff of the store only; the position must
match (an employee whose ``skills`` list the position is a fallback, used after everyone in the
position). Never on a day off, never overlapping another shift of the employee (adjacent days'
overnight shifts included), never past the weekly cap (``preferences.max_hours_per_week``, default
``DEFAULT_MAX_HOURS_PER_WEEK``, counting every shift of the ISO week) nor ``MAX_HOURS_PER_DAY``.
Among the eligible: own position first, then those not yet working that day, then preferred shift
type, then fewest hours this week, then best performance, then the lowest id. Busier periods are
staffed before quieter ones, breadth first, so a shortage leaves gaps where they hurt least. What
could not be filled is reported as gaps, with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stores.models import WEEKDAYS

DEFAULT_MAX_HOURS_PER_WEEK = 44  # the PRC standard working week when an employee states no cap
MAX_HOURS_PER_DAY = 11  # allows a split lunch + dinner day, not a double shift beyond it
EPSILON = 1e-9  # float hours: a cap reached exactly is still within it

Span = tuple[dt.datetime, dt.datetime]


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week of `day` (the weekly cap counts this week)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def weekly_cap(preferences: Any) -> float:
    """Hours a week an employee may work: their stated cap, else the standard week."""
    cap = preferences.get("max_hours_per_week") if isinstance(preferences, dict) else None
    if isinstance(cap, int | float) and not isinstance(cap, bool) and cap > 0:
        return float(cap)
    return float(DEFAULT_MAX_HOURS_PER_WEEK)


def _pref_list(preferences: Any, key: str) -> tuple:
    value = (preferences.get(key) if isinstance(preferences, dict) else None) or []
    return tuple(value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class StaffMember:
    """What assignment needs to know of an employee (see `staff_member` to build one)."""

    id: Hashable
    position: str
    skills: tuple = ()
    days_off: tuple = ()
    preferred_shifts: tuple = ()
    weekly_cap: float = float(DEFAULT_MAX_HOURS_PER_WEEK)
    performance: float = 0.0

    def can_work(self, position: str) -> bool:
        return self.position == position or position in self.skills


def staff_member(*, id: Hashable, position: str, skills: Any, preferences: Any, performance_score: Any) -> StaffMember:
    """An employee's row (model or dict values) as a StaffMember; malformed preferences count as none."""
    return StaffMember(
        id=id,
        position=position,
        skills=tuple(skills) if isinstance(skills, list | tuple) else (),
        days_off=_pref_list(preferences, "days_off"),
        preferred_shifts=_pref_list(preferences, "preferred_shifts"),
        weekly_cap=weekly_cap(preferences),
        performance=float(performance_score or 0),
    )


@dataclass(frozen=True)
class Slot:
    """One service period to staff: its shift bounds and head-count per position."""

    name: str
    shift_type: str
    starts: dt.datetime
    ends: dt.datetime
    needs: Mapping[str, int]

    @property
    def hours(self) -> float:
        return (self.ends - self.starts).total_seconds() / 3600


@dataclass(frozen=True)
class Rules:
    max_hours_per_day: float = MAX_HOURS_PER_DAY


@dataclass(frozen=True)
class Assignment:
    period: str
    position: str
    employee_id: Hashable
    shift_type: str
    starts: dt.datetime
    ends: dt.datetime


@dataclass(frozen=True)
class Gap:
    period: str
    position: str
    needed: int
    filled: int
    reason: str  # "no_staff_in_position" or "staff_unavailable"


@dataclass
class DayAssignment:
    assignments: list[Assignment] = field(default_factory=list)
    filled: dict[str, dict[str, int]] = field(default_factory=dict)  # period -> position -> heads
    gaps: list[Gap] = field(default_factory=list)
    demanded_hours: float = 0.0
    filled_hours: float = 0.0
    staff_on_day_off: int = 0

    @property
    def coverage(self) -> float:
        return self.filled_hours / self.demanded_hours if self.demanded_hours else 1.0


@dataclass
class _Load:
    """A working member's hours and shifts while the day is being filled (local to one call)."""

    member: StaffMember
    week_hours: float
    booked: list[Span]
    day_hours: float = 0.0

    def free(self, starts: dt.datetime, ends: dt.datetime) -> bool:
        return all(not (s < ends and e > starts) for s, e in self.booked)

    def eligible(self, slot: Slot, hours: float, rules: Rules) -> bool:
        """Free and within the caps (the position was matched when the pool was drawn)."""
        return (
            self.free(slot.starts, slot.ends)
            and self.week_hours + hours <= self.member.weekly_cap + EPSILON
            and self.day_hours + hours <= rules.max_hours_per_day + EPSILON
        )

    def rank(self, slot: Slot, position: str) -> tuple:
        m = self.member
        return (
            m.position != position,
            self.day_hours > 0,
            bool(m.preferred_shifts) and slot.shift_type not in m.preferred_shifts,
            self.week_hours,
            -m.performance,
            m.id,
        )

    def book(self, slot: Slot, hours: float) -> None:
        self.booked.append((slot.starts, slot.ends))
        self.week_hours += hours
        self.day_hours += hours


def _pick(pool: Sequence[_Load], slot: Slot, position: str, rules: Rules) -> _Load | None:
    hours = slot.hours
    eligible = [load for load in pool if load.eligible(slot, hours, rules)]
    if not eligible:
        return None
    return min(eligible, key=lambda load: load.rank(slot, position))


def _fill(slots: Sequence[Slot], loads: Sequence[_Load], rules: Rules) -> tuple[list[Assignment], dict]:
    """Breadth first: every period gets its first waiter, chef... before any gets a second, and within
    a round the peak period goes first. When hands are short no service is left empty for another's depth."""
    assignments: list[Assignment] = []
    filled = {slot.name: dict.fromkeys(slot.needs, 0) for slot in slots}
    blocked: set[tuple[str, str]] = set()
    # Who can work each position at all (own position or skill), drawn once per day.
    pools = {p: [load for load in loads if load.member.can_work(p)] for slot in slots for p in slot.needs}
    by_peak = sorted(slots, key=lambda s: (-sum(s.needs.values()), s.starts))
    rounds = max((n for slot in slots for n in slot.needs.values()), default=0)
    for round_ in range(1, rounds + 1):
        for slot in by_peak:
            for position, needed in slot.needs.items():
                if needed < round_ or (slot.name, position) in blocked:
                    continue
                best = _pick(pools[position], slot, position, rules)
                if best is None:
                    blocked.add((slot.name, position))  # nobody now means nobody in later rounds
                    continue
                best.book(slot, slot.hours)
                filled[slot.name][position] += 1
                assignments.append(
                    Assignment(slot.name, position, best.member.id, slot.shift_type, slot.starts, slot.ends)
                )
    return assignments, filled


def assign_day(
    *,
    day: dt.date,
    slots: Sequence[Slot],
    staff: Sequence[StaffMember],
    booked: Mapping[Hashable, Sequence[Span]] | None = None,
    week_hours: Mapping[Hashable, float] | None = None,
    rules: Rules | None = None,
) -> DayAssignment:
    """Staff the day's slots from `staff` (the store's active employees).

    `booked`: shifts each member already holds that could overlap the day (the neighbouring days');
    `week_hours`: hours each already works in the ISO week of `day`. Neither is modified.
    """
    booked = booked or {}
    week_hours = week_hours or {}
    rules = rules or Rules()
    weekday = WEEKDAYS[day.weekday()]
    loads = [
        _Load(member=m, week_hours=week_hours.get(m.id, 0.0), booked=list(booked.get(m.id, ())))
        for m in staff
        if weekday not in m.days_off
    ]
    assignments, filled = _fill(slots, loads, rules)
    result = DayAssignment(assignments=assignments, filled=filled, staff_on_day_off=len(staff) - len(loads))
    for slot in slots:
        hours = slot.hours
        for position, needed in slot.needs.items():
            count = filled[slot.name][position]
            result.demanded_hours += needed * hours
            result.filled_hours += count * hours
            if count < needed:
                anyone = any(m.can_work(position) for m in staff)
                reason = "staff_unavailable" if anyone else "no_staff_in_position"
                result.gaps.append(Gap(slot.name, position, needed, count, reason))
    return result
