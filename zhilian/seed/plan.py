"""One store's plan: its calendar, its random generator and the rows generated so far.

Everything draws from the store's own `random.Random`, so a store's data depends only on the
seed, its number and the calendar (end date, reference "now"), never on other stores or on the
order the stores are generated in. Rows are plain dicts keyed by model attnames; the writers
turn them into rows (COPY or bulk_create). The builders (premises, sales, stock, bookings,
rosters) fill the plan in memory, without database access, so a worker thread can run them.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass, field
from typing import Any

from stores.models import WEEKDAYS
from zhilian.dates import parse_hhmm
from zhilian.seed import catalog as cat

M = dt.timedelta(minutes=1)
ONE_DAY = dt.timedelta(days=1)


def rng_uuid(rng: random.Random) -> str:
    """A version-4 UUID (as text) drawn from the store's generator: same seed, same IDs.

    Text rather than uuid.UUID: building ~500k UUID objects costs seconds; both COPY and
    UUIDField accept the canonical string.
    """
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def time_uuid(rng: random.Random, ms: int) -> str:
    """A version-7 UUID (text): the time in milliseconds first, then random bits from the rng.

    Rows written in time order then land at the right-hand edge of the primary-key index
    instead of at random pages, which makes the bulk load of items and ledger rows much cheaper.
    """
    rand = rng.getrandbits(74)
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def ms_of(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def pick(rng: random.Random, population: list, cum: list[float]):
    """One weighted pick (cumulative weights): random.choices without its per-call overhead."""
    return population[bisect(cum, rng.random() * cum[-1])]


@dataclass
class StorePlan:
    """One store to generate, with its calendar and everything generated so far."""

    number: int
    seed: int
    end_date: dt.date
    days: int
    now: dt.datetime  # the reference "now" (aware, local): nothing is stamped after it
    tz: Any
    future_days: int = 14
    rng: random.Random = field(init=False)
    store: dict = field(default_factory=dict)
    site: cat.StoreSite | None = None
    size: float = 1.0
    tables: list[dict] = field(default_factory=list)
    employees: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    order_counts: dict[dt.date, int] = field(default_factory=dict)
    usage: dict[dt.date, dict[str, float]] = field(default_factory=dict)
    hourly: dict[dt.date, dict[int, tuple[int, int]]] = field(default_factory=dict)
    # {day: {local hour: (revenue cents, orders, guests)}} of non-cancelled orders (the forecast's input)
    sales: dict[dt.date, dict[int, tuple[float, float, float]]] = field(default_factory=dict)
    inventory_items: list[dict] = field(default_factory=list)
    ledger: list[dict] = field(default_factory=list)
    # Closed stock counts (inventory.StockCount rows, keyed by "key" until written), their lines
    # (with "count_key") and the ledger adjustments they wrote (reference_id set once written).
    stock_counts: list[dict] = field(default_factory=list)
    stock_count_lines: list[dict] = field(default_factory=list)
    count_adjustments: list[tuple[dict, int]] = field(default_factory=list)
    reservations: list[dict] = field(default_factory=list)
    reservation_tables: list[tuple[str, Any]] = field(default_factory=list)
    reservation_counts: dict[dt.date, int] = field(default_factory=dict)
    schedules: list[dict] = field(default_factory=list)
    shifts: list[dict] = field(default_factory=list)
    seconds: float = 0.0  # time spent generating

    def __post_init__(self):
        self.rng = random.Random(f"zhilian-seed:{self.seed}:store:{self.number}")

    @property
    def store_id(self) -> str:
        return f"STORE{self.number:03d}"

    @property
    def first_day(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    def history_days(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range(self.days)]

    def at(self, day: dt.date, minutes: float) -> dt.datetime:
        base = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return base + dt.timedelta(seconds=round(minutes * 60))

    def hours(self, day: dt.date) -> list[tuple[int, int]]:
        return [
            (parse_hhmm(a), parse_hhmm(b)) for a, b in self.store["business_hours"].get(WEEKDAYS[day.weekday()], [])
        ]

    def waiters(self) -> list[dict]:
        return [e for e in self.employees if e["position"] == "waiter"]


# --- people ----------------------------------------------------------------------------------------


def person_name(rng: random.Random) -> str:
    given = rng.choice(cat.GIVEN_CHARS) + (rng.choice(cat.GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(cat.SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def guest_name(rng: random.Random) -> str:
    return rng.choice(cat.SURNAMES) + rng.choice(("先生", "女士", "先生", "女士", "小姐"))
