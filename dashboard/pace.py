"""Pace for today: the day so far against what the same weekday had sold by this time.

At 15:00 a day's revenue is far below the full-day target whatever happens, so the tiles judge
the partial day against the expected value by now: the mean, over the last `PACE_WEEKS` same
weekdays that traded (a closed day teaches nothing), of their revenue and covers (guests) from
local midnight up to the same local time. Within `PACE_TOLERANCE` of it the day is "on pace",
else "ahead" or "behind" by the difference; with no such day in the history there is nothing to
judge by ("no_history").

scheduling.forecast's hourly forecast was considered and not reused: it works in whole hours
(15:40 would count 15:00-16:00 in full or not at all) and adds a trend and holiday factors that
make "the same weekday's history" harder to explain to a manager; this is one query instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from orders.models import Order
from orders.selectors import NOT_CANCELLED
from stores.models import Store
from zhilian.dates import local_midnight

PACE_WEEKS = 4
# Within 5 % of the expected value (either way) counts as on pace.
PACE_TOLERANCE = Decimal("0.05")

ON_PACE, AHEAD, BEHIND, NO_HISTORY = "on_pace", "ahead", "behind", "no_history"


def pace_verdict(actual: int, expected: int | None) -> dict[str, Any]:
    """{"actual", "expected", "difference", "status"}: the rule above on plain numbers."""
    if expected is None:
        return {"actual": actual, "expected": None, "difference": None, "status": NO_HISTORY}
    difference = actual - expected
    if abs(difference) <= PACE_TOLERANCE * expected:
        status = ON_PACE
    else:
        status = AHEAD if difference > 0 else BEHIND
    return {"actual": actual, "expected": expected, "difference": difference, "status": status}


def _mean(values: list[int]) -> int | None:
    if not values:
        return None
    return int((Decimal(sum(values)) / len(values)).quantize(Decimal(1), ROUND_HALF_UP))


def today_pace(*, store: Store, now: dt.datetime | None = None) -> dict[str, Any]:
    """Revenue (cents) and covers of the local day up to `now` against the same weekdays' by the
    same time: {"as_of": "HH:MM", "samples": n, "revenue": verdict, "covers": verdict}. One query."""
    now = timezone.localtime(now)
    day = now.date()
    elapsed = now - local_midnight(day)
    days = [day - dt.timedelta(weeks=w) for w in range(PACE_WEEKS + 1)]
    windows, figures = Q(), {}
    for i, d in enumerate(days):
        start = local_midnight(d)
        until = Q(order_time__gte=start, order_time__lt=start + elapsed)
        windows |= Q(order_time__gte=start, order_time__lt=local_midnight(d + dt.timedelta(days=1)))
        figures[f"revenue_{i}"] = Sum("total_cents", filter=NOT_CANCELLED & until, default=0)
        figures[f"covers_{i}"] = Sum("guest_count", filter=NOT_CANCELLED & until, default=0)
        if i:
            # Whether that day traded at all (any order that day, not only by this time).
            figures[f"orders_{i}"] = Count(
                "pk",
                filter=NOT_CANCELLED
                & Q(order_time__gte=start, order_time__lt=local_midnight(d + dt.timedelta(days=1))),
            )
    row = Order.objects.filter(windows, store=store).order_by().aggregate(**figures)
    traded = [i for i in range(1, PACE_WEEKS + 1) if row[f"orders_{i}"]]
    return {
        "as_of": now.strftime("%H:%M"),
        "samples": len(traded),
        "revenue": pace_verdict(int(row["revenue_0"]), _mean([int(row[f"revenue_{i}"]) for i in traded])),
        "covers": pace_verdict(int(row["covers_0"]), _mean([int(row[f"covers_{i}"]) for i in traded])),
    }


def pace_text(verdict: dict[str, Any], *, money: bool) -> str:
    """ "On pace" / "Behind pace by ¥320.00" in the active language (the admin home; the
    dashboard's script words it from the same strings)."""
    from django.utils.translation import gettext

    from zhilian.formatting import format_yuan

    status = verdict["status"]
    if status == NO_HISTORY:
        return gettext("No same-weekday history yet")
    if status == ON_PACE:
        return gettext("On pace")
    amount = format_yuan(abs(verdict["difference"])) if money else str(abs(verdict["difference"]))
    template = gettext("Ahead of pace by %(amount)s") if status == AHEAD else gettext("Behind pace by %(amount)s")
    return template % {"amount": amount}
