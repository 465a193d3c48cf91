"""A row of the result table, its console form, and the goals it is judged against."""

from __future__ import annotations

from dataclasses import dataclass, field

# The goals, in milliseconds (the goals against the peer are in bench/peer.py).
GOAL_READ_P50_MS = 50.0
GOAL_ORDER_LIST_RATIO = 4.0
GOAL_ADMIN_MS = 300.0
GOAL_ADMIN_MANAGER_DAY_MS = 50.0  # a manager's changelist of one day, the page they open most
GOAL_KPI_DAY_MS = 200.0
# Orders that deduct their recipes from stock keep at least this share of the plain write's rate.
GOAL_MENU_WRITE_SHARE = 0.8
# The variance report of a store-month at chain scale (issue 12).
GOAL_VARIANCE_MS = 1000.0
# The chain report (HQ comparison of every store over a period) at chain scale (issue 14).
GOAL_CHAIN_REPORT_MS = 1000.0


@dataclass
class Row:
    """One line of the result table."""

    name: str
    p50_ms: float | None = None
    p95_ms: float | None = None
    floor_p50_ms: float | None = None
    rate: float | None = None  # per second with several clients
    rate_unit: str = "req/s"
    goal: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.p50_ms is None or not self.floor_p50_ms:
            return None
        return self.p50_ms / self.floor_p50_ms


def ms(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.1f}"


def fmt_row(r: Row) -> str:
    ratio = f"{r.ratio:.1f}x" if r.ratio is not None else ""
    rate = f"{r.rate:,.1f} {r.rate_unit}" if r.rate is not None else ""
    met = "" if r.met is None else ("yes" if r.met else "NO")
    return (
        f"{r.name:<52} p50 {ms(r.p50_ms):>9}  p95 {ms(r.p95_ms):>9}  floor {ms(r.floor_p50_ms):>7}  "
        f"{ratio:>6}  {rate:>22}  {met}"
    )
