"""Waitlist reads: the inputs of a quoted wait, a store's queue board, a ticket's position and the
KPIs' day figures. Each is a fixed handful of queries, whatever the size of the queue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from orders.models import Order
from reservations.models import ReservationTable
from stores.models import Store, Table
from waitlist.bands import Band, band_by_code, store_bands, ticket_code
from waitlist.models import WaitlistTicket
from waitlist.quote import (
    DEFAULT_TURN_MINUTES,
    MAX_TURN_MINUTES,
    MIN_TURN_MINUTES,
    TURN_LOOKBACK_DAYS,
    quoted_wait_minutes,
)
from waitlist.workflow import ABANDONED, QUEUED

Status = WaitlistTicket.Status
# A dine-in order or seated reservation older than this is a forgotten one, not a busy table.
OCCUPANCY_LOOKBACK = dt.timedelta(hours=8)
# How many of the next numbers a board shows per band.
BOARD_NEXT = 5


@dataclass
class QuoteState:
    """What the quoted wait of every band of a store reads at one moment (5 queries)."""

    tables: list[tuple] = field(default_factory=list)  # (table id, capacity) of active hall tables
    busy: set = field(default_factory=set)  # ids of the tables occupied at the moment
    turns: dict = field(default_factory=dict)  # table id -> (Σ seconds, count) of recent turns

    def band_tables(self, band: Band) -> list:
        """The tables serving a band: its party range's sizes, else every table seating its smallest party."""
        exact = [pk for pk, capacity in self.tables if band.fits(capacity)]
        return exact or [pk for pk, capacity in self.tables if capacity >= band.min_party]

    def turn_minutes(self, table_ids: Iterable) -> float:
        seconds = count = 0
        for pk in table_ids:
            s, n = self.turns.get(pk, (0, 0))
            seconds, count = seconds + s, count + n
        return seconds / count / 60 if count else DEFAULT_TURN_MINUTES

    def quote(self, band: Band, ahead: int) -> int | None:
        ids = self.band_tables(band)
        return quoted_wait_minutes(
            tables=len(ids), busy=len(self.busy.intersection(ids)), ahead=ahead, turn_minutes=self.turn_minutes(ids)
        )

    def inputs(self, band: Band) -> dict:
        ids = self.band_tables(band)
        return {"tables": len(ids), "busy": len(self.busy.intersection(ids)), "turn_minutes": self.turn_minutes(ids)}


def _seconds(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # SQLite sums durations as microseconds


def quote_state(store: Store, at: dt.datetime | None = None) -> QuoteState:
    """Tables, occupancy at `at` (default now) and recent turn times of the store's hall tables."""
    at = at or timezone.now()
    tables = list(
        Table.objects.filter(store=store, is_active=True, kind=Table.Kind.HALL)
        .order_by("capacity", "number")
        .values_list("pk", "capacity")
    )
    since = at - OCCUPANCY_LOOKBACK
    open_orders = Order.objects.filter(
        store=store, order_type=Order.Type.DINE_IN, table__isnull=False, order_time__lte=at, order_time__gt=since
    ).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gt=at), Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=at)
    )
    busy = set(open_orders.order_by().values_list("table_id", flat=True).distinct())
    seated = ReservationTable.objects.filter(
        reservation__store=store, reservation__seated_at__lte=at, reservation__seated_at__gt=since
    ).filter(Q(reservation__completed_at__isnull=True) | Q(reservation__completed_at__gt=at))
    busy |= set(seated.order_by().values_list("table_id", flat=True).distinct())
    # A walk-in seated at a table holds it until an order on that table closes after the seating
    # (the order a seated walk-in places is usually what makes the table busy, but not at once).
    closed_since = Order.objects.filter(
        table=OuterRef("table"), completed_at__gt=OuterRef("seated_at"), completed_at__lte=at
    )
    walk_ins = WaitlistTicket.objects.filter(
        store=store, status=Status.SEATED, table__isnull=False, seated_at__lte=at, seated_at__gt=since
    ).exclude(Exists(closed_since))
    busy |= set(walk_ins.order_by().values_list("table_id", flat=True).distinct())
    duration = ExpressionWrapper(F("completed_at") - F("order_time"), output_field=DurationField())
    turns = (
        Order.objects.filter(
            store=store,
            order_type=Order.Type.DINE_IN,
            table__isnull=False,
            status=Order.Status.COMPLETED,
            completed_at__lte=at,
            completed_at__gt=at - dt.timedelta(days=TURN_LOOKBACK_DAYS),
            completed_at__gte=F("order_time") + dt.timedelta(minutes=MIN_TURN_MINUTES),
        )
        .filter(completed_at__lte=F("order_time") + dt.timedelta(minutes=MAX_TURN_MINUTES))
        .order_by()
        .values("table_id")
        .annotate(total=Sum(duration), n=Count("pk"))
    )
    return QuoteState(
        tables=tables,
        busy=busy,
        turns={row["table_id"]: (_seconds(row["total"]), row["n"]) for row in turns},
    )


def ticket_ahead(ticket: WaitlistTicket) -> int:
    """Parties of the same band still queued before this ticket (0 once it left the queue)."""
    if ticket.status not in QUEUED:
        return 0
    return WaitlistTicket.objects.filter(
        store_id=ticket.store_id,
        business_date=ticket.business_date,
        band=ticket.band,
        status__in=QUEUED,
        number__lt=ticket.number,
    ).count()


def ticket_position(ticket: WaitlistTicket, at: dt.datetime | None = None) -> dict:
    """What a guest's phone shows: the number, status, place in the queue and the wait now."""
    queued = ticket.status in QUEUED
    ahead = ticket_ahead(ticket)
    estimate = None
    if ticket.status == Status.WAITING:
        band = band_by_code(store_bands(ticket.store.config), ticket.band)
        estimate = quote_state(ticket.store, at).quote(band, ahead) if band else None
    elif ticket.status == Status.CALLED:
        estimate = 0
    return {
        "code": ticket.code,
        "store": ticket.store_id,
        "store_name": ticket.store.name,
        "band": ticket.band,
        "party_size": ticket.party_size,
        "status": ticket.status,
        "position": ahead + 1 if queued else None,
        "ahead": ahead if queued else None,
        "quoted_wait_minutes": ticket.quoted_wait_minutes,
        "estimated_wait_minutes": estimate,
        "issued_at": ticket.issued_at,
        "called_at": ticket.called_at,
    }


def waitlist_board(*, store: Store, day: dt.date | None = None, at: dt.datetime | None = None) -> dict:
    """The queue per band of a store-day: who is waiting and called, the next numbers, the wait a
    party joining now would be quoted, and the day's counts so far (6 queries)."""
    day = day or timezone.localdate()
    bands = store_bands(store.config)
    queued = list(
        WaitlistTicket.objects.filter(store=store, business_date=day, status__in=QUEUED)
        .order_by("band", "number")
        .values("id", "band", "number", "party_size", "status", "issued_at", "called_at", "call_count")
    )
    counts = {
        row["band"]: row
        for row in WaitlistTicket.objects.filter(store=store, business_date=day)
        .order_by()
        .values("band")
        .annotate(
            issued=Count("pk"),
            seated=Count("pk", filter=Q(status=Status.SEATED)),
            abandoned=Count("pk", filter=Q(status__in=ABANDONED)),
        )
    }
    state = quote_state(store, at) if day == timezone.localdate() else None
    by_band: dict[str, list] = defaultdict(list)
    for row in queued:
        by_band[row["band"]].append(row)
    out = []
    for band in bands:
        rows = by_band.get(band.code, [])
        done = counts.get(band.code, {})
        out.append(
            {
                "code": band.code,
                "name": band.label(),
                "min_party": band.min_party,
                "max_party": band.max_party,
                "waiting": sum(1 for r in rows if r["status"] == Status.WAITING),
                "called": [
                    {
                        "id": r["id"],
                        "code": ticket_code(r["band"], r["number"]),
                        "party_size": r["party_size"],
                        "called_at": r["called_at"],
                        "call_count": r["call_count"],
                    }
                    for r in rows
                    if r["status"] == Status.CALLED
                ],  # fmt: skip
                "next": [
                    {
                        "id": r["id"],
                        "code": ticket_code(r["band"], r["number"]),
                        "party_size": r["party_size"],
                        "issued_at": r["issued_at"],
                    }
                    for r in rows
                    if r["status"] == Status.WAITING
                ][:BOARD_NEXT],  # fmt: skip
                "quoted_wait_minutes": state.quote(band, len(rows)) if state else None,
                "issued": done.get("issued", 0),
                "seated": done.get("seated", 0),
                "abandoned": done.get("abandoned", 0),
            }
        )
    return {"store": store.pk, "date": day, "bands": out}


def daily_waitlist_figures(store_ids: Iterable[str], start: dt.date, end: dt.date) -> QuerySet:
    """One row per (store_id, business_date) over [start, end] (one grouped query): issued,
    seated, abandoned (skipped or cancelled) and wait_total, the Σ of ``seated_at − issued_at``
    over the seated tickets (a duration; None without any)."""
    seated = Q(status=Status.SEATED, seated_at__isnull=False)
    wait = ExpressionWrapper(F("seated_at") - F("issued_at"), output_field=DurationField())
    return (
        WaitlistTicket.objects.filter(store_id__in=list(store_ids), business_date__range=(start, end))
        .order_by()
        .values("store_id", "business_date")
        .annotate(
            issued=Count("pk"),
            seated=Count("pk", filter=seated),
            abandoned=Count("pk", filter=Q(status__in=ABANDONED)),
            wait_total=Sum(wait, filter=seated),
        )
    )
