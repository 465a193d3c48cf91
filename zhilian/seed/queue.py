"""A little walk-in waitlist history (排队取号) for the demo: the last week's dinner queues, taken and
moved through `waitlist.services` at the times they happened, so the waitlist KPIs and the host
stand have something to show. Today's numbers after the seed's "now" are not taken; moves after it
are left for the simulation (or a person) to make, so today's queue may still hold parties."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from stores.models import Store, Table
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue, waitlist_ticket_transition
from zhilian.seed.plan import StorePlan, mobile

if TYPE_CHECKING:
    from zhilian.seed.runner import Seeder

QUEUE_DAYS = 7
PARTY_SIZES = ((1, 2, 3, 4, 5, 6, 8), (8, 30, 14, 22, 8, 10, 4))
S = WaitlistTicket.Status
M = dt.timedelta(minutes=1)


def seed_waitlist(seeder: Seeder, plan: StorePlan, store: Store, actor) -> int:
    """Numbers taken at dinner on the last QUEUE_DAYS days; returns how many."""
    rng = random.Random(f"zhilian-seed:{plan.seed}:waitlist:{plan.number}")  # apart from the plan's
    now = seeder.now
    tables = list(Table.objects.filter(store=store, is_active=True, kind=Table.Kind.HALL).order_by("number"))
    size = float((store.config.get("seed") or {}).get("size") or 1.0)
    taken = 0
    first = max(plan.first_day, seeder.end_date - dt.timedelta(days=QUEUE_DAYS - 1))
    for offset in range((seeder.end_date - first).days + 1):
        day = first + dt.timedelta(days=offset)
        intervals = plan.hours(day)
        if not intervals:
            continue
        opens = max(intervals[-1][0], 17 * 60 + 30)
        busy = 1.5 if day.weekday() >= 4 else 1.0
        count = round(rng.randint(5, 10) * size * busy)
        for minute in sorted(rng.uniform(opens, opens + 150) for _ in range(count)):
            issued = plan.at(day, minute)
            if issued > now:
                break
            party = rng.choices(*PARTY_SIZES)[0]
            phone = mobile(rng) if rng.random() < 0.6 else ""
            ticket = waitlist_ticket_issue(actor=actor, store=store, party_size=party, phone=phone, at=issued)
            taken += 1
            _outcome(rng, ticket, issued, now, tables, actor)
    seeder.result.services["waitlist"] = "waitlist_ticket_issue, waitlist_ticket_transition"
    return taken


def _outcome(rng: random.Random, ticket: WaitlistTicket, issued: dt.datetime, now: dt.datetime, tables, actor):
    """Called after about the quoted wait, then seated; some leave first, a few are not there."""
    quoted = ticket.quoted_wait_minutes if ticket.quoted_wait_minutes is not None else 20
    # About the quote, plus the minutes a freed table takes to be cleared and set.
    waited = max(1.0, quoted * rng.uniform(0.6, 1.4) + rng.uniform(2, 15))
    r = rng.random()
    if r < 0.12:  # gave up before being called
        steps = [(issued + rng.uniform(8, 40) * M, S.CANCELLED, "等太久 left")]
    else:
        called = issued + waited * M
        steps = [(called, S.CALLED, "")]
        if r < 0.18:  # not there when called (过号)
            steps.append((called + rng.uniform(4, 8) * M, S.SKIPPED, "过号 not there"))
        else:
            steps.append((called + rng.uniform(1, 4) * M, S.SEATED, ""))
    fitting = [t for t in tables if t.capacity >= ticket.party_size] or tables
    for at, status, reason in steps:
        if at > now:
            return
        table = rng.choice(fitting) if status == S.SEATED and fitting else None
        waitlist_ticket_transition(actor=actor, ticket=ticket, status=status, table=table, reason=reason, at=at)
