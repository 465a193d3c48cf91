"""Assignment: who works which period of a day. A pure function of demand, staff and rules.

No database and no model instances: plain dataclasses in and out, so the service (one day, rows
loaded and locked) and the demo seed (a year of days, in memory) share the same rules.

Rules (docs/architecture.md, "Scheduling"): active staff of the store only; the position must
match (an employee whose ``skills`` list the position is a fallback, used after everyone in the
position). Never on a day off or a day of approved leave, never outside the weekday's availability
ranges, never overlapping another shift of the employee (adjacent days'
overnight shifts included), never past the weekly cap (``preferences.max_hours_per_week``, default
``DEFAULT_MAX_HOURS_PER_WEEK``, counting every shift of the ISO week) nor ``MAX_HOURS_PER_DAY``, and
at least ``MIN_REST_HOURS`` between a shift and the employee's shifts of other days (a split lunch
and dinner on one day is allowed). Among the eligible: own position first, then those not yet
working that day, then preferred shift type, then fewest hours this week, then best performance,
then the lowest id. Busier periods are staffed before quieter ones, breadth first, so a shortage
leaves gaps where they hurt least.

A head nobody can take for the whole period is then offered as a **peak shift**: the longest part
of the period, at least ``MIN_PARTIAL_HOURS`` and around its peak hour, that someone can still
work within the caps (typically a lunch worker whose dinner would pass the daily cap, or someone
with a few weekly hours left). Its hours count as filled; the rest of the head stays a gap.
Optional heads (``Slot.extra``: what the labor budget allows above demand) are staffed last, from
whoever is left, and do not count in the coverage. What could not be filled is reported as gaps,
with a reason. `violations` re-checks any set of shifts against all of these rules;
`shift_refusals` checks one shift an employee would take (the manual edits' check).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from stores.models import WEEKDAYS

DEFAULT_MAX_HOURS_PER_WEEK = 44  # the PRC standard working week when an employee states no cap
MAX_HOURS_PER_DAY = 11  # allows a split lunch + dinner day, not a double shift beyond it
MIN_REST_HOURS = 10  # between shifts of different days (no "clopening": closing, then opening)
MIN_PARTIAL_HOURS = 4  # the shortest peak shift worth calling someone in for
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
    # weekday (0 = Monday) -> the (start, end) local times a shift must fit in; a weekday not
    # listed is open all day. An end at or before the start is the next day.
    availability: Mapping[int, tuple] = field(default_factory=dict)
    leave: frozenset = frozenset()  # days of approved leave (dates)

    def can_work(self, position: str) -> bool:
        return self.position == position or position in self.skills

    def off_on(self, day: dt.date) -> bool:
        """A stated day off (weekday) or a day of approved leave."""
        return WEEKDAYS[day.weekday()] in self.days_off or day in self.leave

    def available(self, day: dt.date, starts: dt.datetime, ends: dt.datetime) -> bool:
        """Whether a shift of `day` from `starts` to `ends` fits in one of the weekday's ranges."""
        ranges = self.availability.get(day.weekday())
        if not ranges:
            return True
        local_start = timezone.localtime(starts).replace(tzinfo=None)
        local_end = timezone.localtime(ends).replace(tzinfo=None)
        for start, end in ranges:
            range_start = dt.datetime.combine(day, start)
            range_end = dt.datetime.combine(day + dt.timedelta(days=1) if end <= start else day, end)
            if range_start <= local_start and local_end <= range_end:
                return True
        return False


def staff_member(
    *,
    id: Hashable,
    position: str,
    skills: Any,
    preferences: Any,
    performance_score: Any,
    availability: Mapping[int, tuple] | None = None,
    leave: Any = (),
) -> StaffMember:
    """An employee's row (model or dict values) as a StaffMember; malformed preferences count as none.
    `availability` and `leave`: see `scheduling.selectors.staff_constraints`."""
    return StaffMember(
        id=id,
        position=position,
        skills=tuple(skills) if isinstance(skills, list | tuple) else (),
        days_off=_pref_list(preferences, "days_off"),
        preferred_shifts=_pref_list(preferences, "preferred_shifts"),
        weekly_cap=weekly_cap(preferences),
        performance=float(performance_score or 0),
        availability=dict(availability or {}),
        leave=frozenset(leave),
    )


@dataclass(frozen=True)
class Slot:
    """One service period to staff: its shift bounds and head-count per position."""

    name: str
    shift_type: str
    starts: dt.datetime
    ends: dt.datetime
    needs: Mapping[str, int]
    peak: dt.datetime | None = None  # start of the busiest hour (peak shifts are centred on it)
    extra: Mapping[str, int] = field(default_factory=dict)  # optional heads the budget allows

    @property
    def hours(self) -> float:
        return (self.ends - self.starts).total_seconds() / 3600


@dataclass(frozen=True)
class Rules:
    max_hours_per_day: float = MAX_HOURS_PER_DAY
    min_rest_hours: float = MIN_REST_HOURS
    min_partial_hours: float = MIN_PARTIAL_HOURS


@dataclass(frozen=True)
class Assignment:
    period: str
    position: str
    employee_id: Hashable
    shift_type: str
    starts: dt.datetime
    ends: dt.datetime
    kind: str = "full"  # "full" (the period), "peak" (part of it), "extra" (a budget head)

    @property
    def hours(self) -> float:
        return (self.ends - self.starts).total_seconds() / 3600


@dataclass(frozen=True)
class Gap:
    period: str
    position: str
    needed: int
    filled: int  # heads, peak shifts included
    reason: str  # "no_staff_in_position" or "staff_unavailable"
    short_hours: float = 0.0  # position-hours of the period left uncovered


@dataclass
class DayAssignment:
    assignments: list[Assignment] = field(default_factory=list)
    filled: dict[str, dict[str, int]] = field(default_factory=dict)  # period -> position -> heads
    gaps: list[Gap] = field(default_factory=list)
    demanded_hours: float = 0.0
    filled_hours: float = 0.0
    staff_on_day_off: int = 0
    extra_hours: float = 0.0  # budget heads staffed above demand (not in the coverage)

    @property
    def coverage(self) -> float:
        return self.filled_hours / self.demanded_hours if self.demanded_hours else 1.0


@dataclass
class _Load:
    """A working member's hours and shifts while the day is being filled (local to one call)."""

    member: StaffMember
    week_hours: float
    booked: list[Span]  # shifts of other days (rest applies) and of this day (added while filling)
    other_days: int = 0  # the first `other_days` spans of `booked` are other days'
    day_hours: float = 0.0
    day: dt.date = dt.date.min  # the day being filled (availability is per weekday)

    def free(self, starts: dt.datetime, ends: dt.datetime, rest: dt.timedelta) -> bool:
        for i, (s, e) in enumerate(self.booked):
            gap = rest if i < self.other_days else dt.timedelta(0)
            if s - gap < ends and e + gap > starts:
                return False
        return True

    def hours_left(self, rules: Rules) -> float:
        return min(self.member.weekly_cap - self.week_hours, rules.max_hours_per_day - self.day_hours)

    def eligible(self, starts: dt.datetime, ends: dt.datetime, rules: Rules) -> bool:
        """Free (with rest), within the caps and the day's availability (the position was matched
        when the pool was drawn, days off and leave when the day's loads were made)."""
        hours = (ends - starts).total_seconds() / 3600
        return (
            hours <= self.hours_left(rules) + EPSILON
            and self.free(starts, ends, dt.timedelta(hours=rules.min_rest_hours))
            and self.member.available(self.day, starts, ends)
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

    def book(self, starts: dt.datetime, ends: dt.datetime) -> None:
        hours = (ends - starts).total_seconds() / 3600
        self.booked.append((starts, ends))
        self.week_hours += hours
        self.day_hours += hours


def _pick(pool: Sequence[_Load], slot: Slot, position: str, rules: Rules) -> _Load | None:
    eligible = [load for load in pool if load.eligible(slot.starts, slot.ends, rules)]
    if not eligible:
        return None
    return min(eligible, key=lambda load: load.rank(slot, position))


HALF_HOUR = dt.timedelta(minutes=30)


def _peak_windows(slot: Slot, hours: float) -> list[Span]:
    """Windows of `hours` (whole half hours) inside the slot: centred on its peak hour, then flush
    with its start and with its end."""
    length = HALF_HOUR * int(hours * 2 + EPSILON)
    if length <= dt.timedelta(0):
        return []
    if length >= slot.ends - slot.starts:
        return [(slot.starts, slot.ends)]
    windows = []
    if slot.peak is not None:
        start = slot.peak + dt.timedelta(minutes=30) - length / 2
        start = slot.starts + HALF_HOUR * round((start - slot.starts) / HALF_HOUR)
        start = min(max(start, slot.starts), slot.ends - length)
        windows.append((start, start + length))
    windows += [(slot.starts, slot.starts + length), (slot.ends - length, slot.ends)]
    return list(dict.fromkeys(windows))


def _pick_peak(pool: Sequence[_Load], slot: Slot, position: str, rules: Rules) -> tuple[_Load, Span] | None:
    """Who covers most of the slot around its peak (at least the minimum peak shift), and when."""
    best: tuple[tuple, _Load, Span] | None = None
    for load in pool:
        hours = min(load.hours_left(rules), slot.hours)
        if hours + EPSILON < rules.min_partial_hours:
            continue
        # Longest first: a shorter window of the same member is only tried if the longer ones clash.
        for length in (hours - 0.5 * k for k in range(int((hours - rules.min_partial_hours) * 2 + EPSILON) + 1)):
            window = next((w for w in _peak_windows(slot, length) if load.eligible(*w, rules)), None)
            if window is not None:
                key = (-(window[1] - window[0]), *load.rank(slot, position))
                if best is None or key < best[0]:
                    best = (key, load, window)
                break
    return None if best is None else (best[1], best[2])


def _fill(
    slots: Sequence[Slot], loads: Sequence[_Load], rules: Rules, *, extra: bool = False
) -> tuple[list[Assignment], dict]:
    """Breadth first: every period gets its first waiter, chef... before any gets a second, and within
    a round the peak period goes first. When hands are short no service is left empty for another's depth.
    Then the heads still missing are offered as peak shifts. `extra`: staff the optional heads instead."""
    assignments: list[Assignment] = []
    needs_of = {slot.name: (slot.extra if extra else slot.needs) for slot in slots}
    filled = {slot.name: dict.fromkeys(needs_of[slot.name], 0) for slot in slots}
    blocked: set[tuple[str, str]] = set()
    # Who can work each position at all (own position or skill), drawn once per day.
    pools = {p: [load for load in loads if load.member.can_work(p)] for slot in slots for p in needs_of[slot.name]}
    by_peak = sorted(slots, key=lambda s: (-sum(s.needs.values()), s.starts))
    rounds = max((n for needs in needs_of.values() for n in needs.values()), default=0)
    kind = "extra" if extra else "full"
    for round_ in range(1, rounds + 1):
        for slot in by_peak:
            for position, needed in needs_of[slot.name].items():
                if needed < round_ or (slot.name, position) in blocked:
                    continue
                best = _pick(pools[position], slot, position, rules)
                if best is None:
                    blocked.add((slot.name, position))  # nobody now means nobody in later rounds
                    continue
                best.book(slot.starts, slot.ends)
                filled[slot.name][position] += 1
                assignments.append(
                    Assignment(slot.name, position, best.member.id, slot.shift_type, slot.starts, slot.ends, kind)
                )
    if extra:
        return assignments, filled
    for _round in range(rounds):
        for slot in by_peak:
            for position, needed in needs_of[slot.name].items():
                if filled[slot.name][position] >= needed or (slot.name, position) not in blocked:
                    continue
                found = _pick_peak(pools[position], slot, position, rules)
                if found is None:
                    continue
                load, (starts, ends) = found
                load.book(starts, ends)
                filled[slot.name][position] += 1
                assignments.append(
                    Assignment(slot.name, position, load.member.id, slot.shift_type, starts, ends, "peak")
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
    same_day: Mapping[Hashable, Sequence[Span]] | None = None,
    required: bool = True,
) -> DayAssignment:
    """Staff the day's slots from `staff` (the store's active employees).

    `booked`: shifts each member already holds on other days that could overlap the day or be too
    close to it (the neighbouring days'); `week_hours`: hours each already works in the ISO week of
    `day`. Neither is modified. `same_day`: shifts already held on this day (no rest needed between
    them, counted in the daily cap); `required=False` staffs only the optional heads (a second pass
    over a day whose demand is staffed already: its shifts come in `same_day`).
    """
    booked = booked or {}
    same_day = same_day or {}
    week_hours = week_hours or {}
    rules = rules or Rules()
    loads = []
    for m in staff:
        if m.off_on(day):  # a day off or approved leave: not in the day's pool at all
            continue
        spans = list(booked.get(m.id, ()))
        today = list(same_day.get(m.id, ()))
        load = _Load(
            member=m, week_hours=week_hours.get(m.id, 0.0), booked=spans + today, other_days=len(spans), day=day
        )
        load.day_hours = sum((e - s).total_seconds() / 3600 for s, e in today)
        loads.append(load)
    if required:
        assignments, filled = _fill(slots, loads, rules)
    else:
        assignments, filled = [], {slot.name: dict.fromkeys(slot.needs, 0) for slot in slots}
    extras, _extra_filled = _fill(slots, loads, rules, extra=True)
    result = DayAssignment(assignments=assignments + extras, filled=filled, staff_on_day_off=len(staff) - len(loads))
    result.extra_hours = sum(a.hours for a in extras)
    hours_by_need: dict[tuple[str, str], float] = defaultdict(float)
    for a in assignments:
        hours_by_need[(a.period, a.position)] += a.hours
    for slot in slots:
        for position, needed in slot.needs.items():
            count = filled[slot.name].get(position, 0)
            result.demanded_hours += needed * slot.hours
            covered = min(hours_by_need[(slot.name, position)], needed * slot.hours)
            result.filled_hours += covered
            if covered + EPSILON < needed * slot.hours:
                anyone = any(m.can_work(position) for m in staff)
                reason = "staff_unavailable" if anyone else "no_staff_in_position"
                result.gaps.append(Gap(slot.name, position, needed, count, reason, needed * slot.hours - covered))
    return result


# --- the rules, re-checked over any set of shifts ---------------------------------------------------


@dataclass(frozen=True)
class ShiftRecord:
    """A shift as the checker sees it (a generated one, a hand-made one, a row from the database)."""

    id: Hashable
    employee_id: Hashable
    day: dt.date  # the schedule's day (a split day's shifts share it; rest applies across days)
    starts: dt.datetime
    ends: dt.datetime
    position: str = ""

    @property
    def hours(self) -> float:
        return (self.ends - self.starts).total_seconds() / 3600


@dataclass(frozen=True)
class Violation:
    kind: str  # one of VIOLATION_KINDS
    employee_id: Hashable
    shifts: tuple  # ids of the shifts at fault
    detail: str


VIOLATION_KINDS = (
    "not_on_staff",
    "position",
    "day_off",
    "leave",
    "availability",
    "overlap",
    "rest",
    "daily_cap",
    "weekly_cap",
)


def shift_refusals(
    member: StaffMember, shift: ShiftRecord, others: Sequence[ShiftRecord], rules: Rules | None = None
) -> list[Violation]:
    """The one rule function: every rule of assignment that `member` taking `shift` would break.

    `others`: the member's other shifts, at least those of the shift's ISO week and any within the
    rest period of it (adjacent days' overnight shifts). Checks the position (own or a skill), the
    stated days off, approved leave, the weekday's availability ranges, overlaps, rest between
    shifts of different days and the daily and weekly caps. Generation applies the same parts
    (`StaffMember.can_work`, `off_on`, `available`, `_Load.free` and the caps) on its in-memory
    loads; manual edits (scheduling.services.edits.shift_check) call this. Empty when all is well.
    """
    rules = rules or Rules()
    found: list[Violation] = []
    me = member.id

    def refuse(kind: str, detail: str, *ids: Hashable) -> None:
        found.append(Violation(kind, me, (shift.id, *ids), detail))

    if shift.position and not member.can_work(shift.position):
        refuse("position", f"cannot work as {shift.position}")
    if WEEKDAYS[shift.day.weekday()] in member.days_off:
        refuse("day_off", f"{shift.day} is a day off")
    if shift.day in member.leave:
        refuse("leave", f"on approved leave on {shift.day}")
    if not member.available(shift.day, shift.starts, shift.ends):
        refuse("availability", f"not available then on {WEEKDAYS[shift.day.weekday()]}")
    rest = dt.timedelta(hours=rules.min_rest_hours)
    day_hours = week_hours = shift.hours
    week = shift.day.isocalendar()[:2]
    for other in others:
        if other.id == shift.id:
            continue
        if other.starts < shift.ends and other.ends > shift.starts:
            refuse("overlap", "shifts overlap", other.id)
        elif other.day != shift.day and other.starts - rest < shift.ends and other.ends + rest > shift.starts:
            gap = max((shift.starts - other.ends), (other.starts - shift.ends)).total_seconds() / 3600
            refuse("rest", f"{gap:g} h of rest between days", other.id)
        if other.day == shift.day:
            day_hours += other.hours
        if other.day.isocalendar()[:2] == week:
            week_hours += other.hours
    if day_hours > rules.max_hours_per_day + EPSILON:
        refuse("daily_cap", f"{day_hours:g} h on {shift.day}")
    if week_hours > member.weekly_cap + EPSILON:
        refuse("weekly_cap", f"{week_hours:g} h in week {week[0]}-W{week[1]:02d}")
    return found


def violations(
    shifts: Sequence[ShiftRecord], staff: Mapping[Hashable, StaffMember], rules: Rules | None = None
) -> list[Violation]:
    """Every broken rule of assignment in `shifts`: an employee not among `staff` (the store's active
    employees), a position they neither hold nor list as a skill (a blank position is their own),
    a day off, approved leave, a time outside availability, two shifts that overlap, less than the
    rest between shifts of different days, and the daily and weekly caps (pass every shift of the
    ISO weeks concerned). Empty when all is well."""
    rules = rules or Rules()
    found: list[Violation] = []
    by_employee: dict[Hashable, list[ShiftRecord]] = defaultdict(list)
    for shift in shifts:
        by_employee[shift.employee_id].append(shift)
    rest = dt.timedelta(hours=rules.min_rest_hours)
    for employee_id, own in by_employee.items():
        member = staff.get(employee_id)
        own.sort(key=lambda s: (s.starts, s.ends))
        if member is None:
            found += [Violation("not_on_staff", employee_id, (s.id,), "not an active employee") for s in own]
            continue
        for s in own:
            if s.position and not member.can_work(s.position):
                found.append(Violation("position", employee_id, (s.id,), f"cannot work as {s.position}"))
            if WEEKDAYS[s.day.weekday()] in member.days_off:
                found.append(Violation("day_off", employee_id, (s.id,), f"{s.day} is a day off"))
            if s.day in member.leave:
                found.append(Violation("leave", employee_id, (s.id,), f"on approved leave on {s.day}"))
            if not member.available(s.day, s.starts, s.ends):
                found.append(Violation("availability", employee_id, (s.id,), "outside the weekday's availability"))
        for i, first in enumerate(own):
            for second in own[i + 1 :]:
                if second.starts >= first.ends + rest:
                    break  # sorted by start: no later shift comes closer
                if second.starts < first.ends:
                    found.append(Violation("overlap", employee_id, (first.id, second.id), "shifts overlap"))
                elif first.day != second.day:
                    gap = (second.starts - first.ends).total_seconds() / 3600
                    found.append(
                        Violation("rest", employee_id, (first.id, second.id), f"{gap:g} h of rest between days")
                    )
        per_day: dict[dt.date, list[ShiftRecord]] = defaultdict(list)
        per_week: dict[tuple, list[ShiftRecord]] = defaultdict(list)
        for s in own:
            per_day[s.day].append(s)
            per_week[tuple(s.day.isocalendar()[:2])].append(s)
        for day, day_shifts in per_day.items():
            hours = sum(s.hours for s in day_shifts)
            if hours > rules.max_hours_per_day + EPSILON:
                ids = tuple(s.id for s in day_shifts)
                found.append(Violation("daily_cap", employee_id, ids, f"{hours:g} h on {day}"))
        for week, week_shifts in per_week.items():
            hours = sum(s.hours for s in week_shifts)
            if hours > member.weekly_cap + EPSILON:
                ids = tuple(s.id for s in week_shifts)
                found.append(Violation("weekly_cap", employee_id, ids, f"{hours:g} h in week {week[0]}-W{week[1]:02d}"))
    return found
