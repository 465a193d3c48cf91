"""`manage.py simulate`: a service playing on the demo chain, through the domain's services only.

Orders arrive by channel at the seeded demand (zhilian.seed.sales: the day's volume, the lunch
and dinner peaks, the dishes people pick, the ticket times and cancellations), reservations are
booked, confirmed, arrive, are seated (and order) and leave, walk-ins who find no table take a
waitlist number and are called and seated (a few give up or are not there when called),
perishables see some waste. Every
change goes through the public services (orders.services, reservations.services,
waitlist.services, inventory.services) with the store's manager (or front-desk staff) as the actor, so stock, the
audit trail, events and notifications follow as they do for people.

Two clocks: the *service clock* decides what is due (demand of the hour, a ticket's next step)
and runs `speed` times faster than the wall clock; outside opening hours it waits (speed 1) or
jumps to the next opening (speed > 1). Whatever is recorded is stamped by the services at the
real time, so nothing is ever dated in the future: at speed 60 an hour of service is played
in a real minute, with every step stamped when it happens.

A refused step (409/400 from a service: short stock, a table taken, a slot gone) is counted and
logged, never fatal; an order refused by the kitchen is cancelled as sold out.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from inventory.models import InventoryItem
from inventory.services import stock_record_purchase, stock_record_waste, stock_reorder_suggestions
from menu.models import Dish, StoreDishOverride
from menu.selectors import recipe_lines_on
from menu.services import dish_set_sold_out
from orders.models import Order
from orders.services import CLOSED_STATUSES, order_create, order_transition
from reservations.models import Reservation
from reservations.services import reservation_create, reservation_transition
from stores.models import Employee, Store, Table
from waitlist.bands import band_for, store_bands
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue, waitlist_ticket_transition
from waitlist.workflow import QUEUED
from zhilian.dates import parse_hhmm
from zhilian.errors import DomainError
from zhilian.roles import Role
from zhilian.seed import catalog as cat
from zhilian.seed.plan import guest_name, mobile, pick
from zhilian.seed.sales import (
    GUEST_COUNTS,
    GUEST_CUM,
    STAGE_STATUS,
    STAGES,
    Menu,
    _discount,
    _line,
    _order_minutes,
    _timeline,
)

M = dt.timedelta(minutes=1)
S = Order.Status
R = Reservation.Status

# The seed's shares (zhilian.seed.sales.build_orders, bookings.build_reservations), named here
# because the seed keeps them inline: orders a day per unit of store size, order types, channels.
DAILY_ORDERS_PER_SIZE = 135
DINE_IN_SHARE, TAKEAWAY_SHARE = 0.64, 0.12
MINI_PROGRAM_DINE_IN = 0.18
TAKEAWAY_CHANNELS = (("pos", "mini_program", "phone", "app"), (45, 35, 10, 10))
DELIVERY_CHANNELS = (("meituan", "eleme", "mini_program"), (55, 35, 10))
PARTY_SIZES = ((2, 3, 4, 5, 6, 7, 8, 10, 12), (26, 14, 24, 8, 12, 4, 6, 4, 2))
NO_SHOW_SHARE, RESERVATION_CANCEL_SHARE = 0.07, 0.06
PERISHABLE = {s.key for s in cat.STOCK if s.perishable}
WHOLE_UNITS = {"piece", "can", "bottle", "pair"}
WASTE_CHANCE = 0.05  # per perishable item and day
# How often (service minutes) each store's reservation book is looked at for guests due.
SWEEP_MINUTES = 5
SOLD_OUT_REASON = cat.CANCEL_REASONS["confirmed"][0]
DB_RETRIES = 3
# A walk-in party with no free table takes a waitlist number (排队取号) and waits, the host looking
# for a table every few minutes; it leaves (cancels) once it has waited longer than its patience:
# at least WALK_IN_PATIENCE_MINUTES, about the wait it was quoted (give or take), so a few give up.
# A called party is not there now and then (skipped).
WALK_IN_RETRY_MINUTES, WALK_IN_PATIENCE_MINUTES = 5, 20
NOT_THERE_WHEN_CALLED = 0.06
LEFT_REASON = "等太久离开 left after waiting"


class RealClock:
    """The wall clock; `sleep` wakes early when the run is asked to stop."""

    def now(self) -> dt.datetime:
        return timezone.now()

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        stop.wait(seconds)


@dataclass
class Tally:
    """What the run did (the summary printed at the end)."""

    orders_created: Counter = field(default_factory=Counter)  # by order type
    channels: Counter = field(default_factory=Counter)
    orders_moved: Counter = field(default_factory=Counter)  # by the status moved to
    orders_cancelled: int = 0
    walk_ins_waited: int = 0  # parties that found no free table at first
    walk_ins_turned_away: int = 0  # ... and left after waiting (their number cancelled)
    waitlist_issued: int = 0  # waitlist numbers taken
    waitlist_seated: int = 0  # ... called and seated
    waitlist_skipped: int = 0  # ... called and not there
    reservations_created: int = 0
    reservations_moved: Counter = field(default_factory=Counter)
    waste_rows: int = 0
    deliveries: int = 0  # purchase rows of the morning deliveries
    sold_out: int = 0  # dishes marked sold out (估清) when an ingredient ran out
    refused: Counter = field(default_factory=Counter)  # "action: error code"
    order_ids: list[str] = field(default_factory=list)
    reservation_ids: list[str] = field(default_factory=list)
    service_start: dt.datetime | None = None
    service_end: dt.datetime | None = None

    def lines(self) -> list[str]:
        out = []
        if self.service_start and self.service_end:
            fmt = "%Y-%m-%d %H:%M"
            start, end = timezone.localtime(self.service_start), timezone.localtime(self.service_end)
            out.append(f"service clock: {start:{fmt}} -> {end:{fmt}}")
        by_type = ", ".join(f"{k} {v}" for k, v in sorted(self.orders_created.items())) or "none"
        out.append(f"orders created: {sum(self.orders_created.values())} ({by_type})")
        if self.channels:
            out.append("  by channel: " + ", ".join(f"{k} {v}" for k, v in sorted(self.channels.items())))
        moved = ", ".join(f"{k} {v}" for k, v in self.orders_moved.items()) or "none"
        out.append(f"orders moved: {sum(self.orders_moved.values())} ({moved})")
        out.append(f"orders cancelled: {self.orders_cancelled}")
        out.append(f"walk-ins waiting for a table: {self.walk_ins_waited}, of whom left: {self.walk_ins_turned_away}")
        out.append(
            f"waitlist numbers: {self.waitlist_issued} taken, {self.waitlist_seated} seated, "
            f"{self.waitlist_skipped} skipped"
        )
        res_moved = ", ".join(f"{k} {v}" for k, v in self.reservations_moved.items()) or "none"
        out.append(f"reservations created: {self.reservations_created}; moved: {res_moved}")
        out.append(f"waste rows: {self.waste_rows}; delivery rows: {self.deliveries}")
        out.append(f"dishes marked sold out (ingredient ran out): {self.sold_out}")
        refused = ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items())) or "none"
        out.append(f"refused by the services: {sum(self.refused.values())} ({refused})")
        return out


@dataclass(order=True)
class _Event:
    when: dt.datetime
    seq: int
    action: Callable[[], None] = field(compare=False)
    tries: int = field(default=0, compare=False)


class StoreRun:
    """One store's state in the simulation: its generator, people, tables and today's plan."""

    def __init__(self, store: Store, seed: int | None):
        self.store = store
        self.rng = random.Random(f"zhilian-simulate:{seed}:{store.pk}" if seed is not None else None)
        # The waitlist's own draws (patience, called parties), apart so they leave the rest of the
        # service (orders, bookings) as it would be without a queue.
        self.queue_rng = random.Random(f"zhilian-simulate-queue:{seed}:{store.pk}" if seed is not None else None)
        config = store.config or {}
        self.size = float((config.get("seed") or {}).get("size") or 1.0)
        self.menu = Menu(bool(config.get("spicy_menu_boost")))
        self.city_zh = config.get("city_zh", "")
        self.manager = store.manager or (
            User.objects.filter(store_id=store.pk, role=Role.MANAGER, is_active=True).order_by("username").first()
        )
        staff = User.objects.filter(store_id=store.pk, role=Role.STAFF, is_active=True).order_by("username").first()
        self.front_desk = staff or self.manager
        self.waiters: list[Employee] = []
        self.tables: list[Table] = []
        self.refresh()
        self.planned_day: dt.date | None = None
        self.seen_reservations: set[str] = set()
        self.sold_out_dishes: set = set()  # the dishes this run marked sold out (until the delivery)

    def refresh(self) -> None:
        """Re-read the store's hours, waiters and tables (someone may have changed them)."""
        self.store.refresh_from_db(fields=["business_hours", "status"])
        self.waiters = list(
            Employee.objects.filter(store=self.store, position=Employee.Position.WAITER, is_active=True).order_by("pk")
        )
        self.tables = list(Table.objects.filter(store=self.store, is_active=True).order_by("capacity", "number"))

    def hours(self, day: dt.date) -> list[tuple[int, int]]:
        return [(parse_hhmm(a), parse_hhmm(b)) for a, b in self.store.hours_on(day.weekday())]

    def is_open(self, when: dt.datetime) -> bool:
        local = timezone.localtime(when)
        minute = local.hour * 60 + local.minute
        return any(a <= minute < b for a, b in self.hours(local.date()))

    def next_opening(self, when: dt.datetime) -> dt.datetime | None:
        local = timezone.localtime(when)
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            for opens, _closes in self.hours(day):
                at = at_minute(day, opens)
                if at > when:
                    return at
        return None

    def sellable_codes(self, day: dt.date) -> set[str]:
        """Codes of the dishes the store sells today: active, not hidden, not sold out (估清)."""
        codes = set(Dish.objects.filter(is_active=True).values_list("code", flat=True))
        off = StoreDishOverride.objects.filter(store=self.store).filter(Q(is_hidden=True) | Q(sold_out_on=day))
        return codes - set(off.values_list("dish__code", flat=True))


def at_minute(day: dt.date, minutes: float) -> dt.datetime:
    base = timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_current_timezone())
    return base + dt.timedelta(seconds=round(minutes * 60))


class Simulation:
    """The event loop: `step()` plays everything due on the service clock; `run()` repeats it."""

    def __init__(
        self,
        *,
        stores: list[Store],
        speed: float = 1.0,
        seed: int | None = None,
        clock: Any = None,
        start: dt.datetime | None = None,
        log: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
        tick: float = 1.0,
    ):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.clock = clock or RealClock()
        self.log = log or (lambda msg: None)
        self.stop = stop or threading.Event()
        self.tick = tick
        self.runs = [StoreRun(store, seed) for store in stores]
        self.tally = Tally()
        self.queue: list[_Event] = []
        self._seq = itertools.count()
        self.last_real = self.clock.now()
        self.sim = start or self.last_real
        self.tally.service_start = self.sim
        self._idle_logged = False

    # --- the loop -------------------------------------------------------------------------------

    def run(self, duration: float | None = None) -> Tally:
        """Step until stopped (SIGINT/SIGTERM set `stop`) or `duration` real seconds have passed."""
        started = self.clock.now()
        try:
            while not self.stop.is_set():
                self.step()
                if duration is not None and (self.clock.now() - started).total_seconds() >= duration:
                    break
                self.clock.sleep(self.tick, self.stop)
        finally:
            self.tally.service_end = self.sim
        return self.tally

    def step(self) -> None:
        """Advance the service clock by the real time since the last step (times the speed) and
        play what became due. Returns after the current event when asked to stop."""
        if not connection.in_atomic_block:  # (a test's transaction keeps its connection)
            # A long-running process: drop a connection the server closed or that is too old.
            close_old_connections()
        real = self.clock.now()
        before = self.sim
        self.sim += (real - self.last_real) * self.speed
        self.last_real = real
        if not any(r.is_open(self.sim) for r in self.runs):
            openings = [t for t in (r.next_opening(self.sim) for r in self.runs) if t is not None]
            if openings and self.speed > 1:
                self.log(f"closed: the service clock jumps to {timezone.localtime(min(openings)):%Y-%m-%d %H:%M}")
                self.sim = min(openings)
                self._idle_logged = False
            elif openings and not self._idle_logged:
                self.log(f"closed: idle until {timezone.localtime(min(openings)):%Y-%m-%d %H:%M}")
                self._idle_logged = True
        self.plan_days(before)
        while self.queue and self.queue[0].when <= self.sim and not self.stop.is_set():
            event = heapq.heappop(self.queue)
            try:
                event.action()
            except DatabaseError as exc:
                # E.g. SQLite busy while runserver writes: the service rolled back; try the step
                # again a service minute later (a few times) so the ticket does not stall.
                self.tally.refused[f"database: {type(exc).__name__}"] += 1
                self.log(f"database error ({exc}); retrying" if event.tries < DB_RETRIES else f"database error: {exc}")
                if event.tries < DB_RETRIES:
                    heapq.heappush(self.queue, _Event(self.sim + M, next(self._seq), event.action, event.tries + 1))
        self.tally.service_end = self.sim

    def plan_days(self, before: dt.datetime) -> None:
        """Plan every day the service clock entered (a jump may cross midnight): the first one
        from where the clock stood, later ones whole, so a jump still plays the morning delivery."""
        today = timezone.localtime(self.sim).date()
        for run in self.runs:
            if run.planned_day is None:
                self.adopt(run)
                self.plan_day(run, timezone.localtime(before).date(), since=before)
            while run.planned_day < today:
                day = run.planned_day + dt.timedelta(days=1)
                self.plan_day(run, day, since=at_minute(day, 0))

    def at(self, when: dt.datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.queue, _Event(when, next(self._seq), action))

    def refused(self, action: str, exc: DomainError) -> None:
        self.tally.refused[f"{action}: {exc.code}"] += 1
        self.log(f"refused ({action}): {exc}")

    # --- the day's plan -------------------------------------------------------------------------

    def plan_day(self, run: StoreRun, day: dt.date, *, since: dt.datetime) -> None:
        """The day's arrivals at the seeded demand, bookings, sweeps and waste, from `since` on."""
        run.planned_day = day
        if day != timezone.localtime(self.tally.service_start).date():
            run.refresh()
        rng = run.rng
        intervals = run.hours(day)
        if not intervals:
            return
        now = since
        weekend = day.weekday() >= 5
        count = max(
            5, round(DAILY_ORDERS_PER_SIZE * run.size * cat.WEEKDAY_VOLUME[day.weekday()] * rng.uniform(0.9, 1.1))
        )
        for minutes in sorted(_order_minutes(rng, intervals, weekend) for _ in range(count)):
            when = at_minute(day, minutes)
            if when >= now:
                self.at(when, lambda run=run, when=when: self.order_arrives(run, when))
        # Bookings come in over the opening hours (phone and online), as many as the seed books a day.
        bookings = [("regular", "lunch")] * round(rng.randint(1, 4) * run.size)
        bookings += [("regular", "dinner")] * round(rng.randint(3, 9) * run.size * (1.5 if day.weekday() >= 4 else 1))
        if any(t.kind == Table.Kind.PRIVATE_ROOM for t in run.tables):
            bookings += [("private_room", "dinner" if rng.random() < 0.8 else "lunch")] * rng.randint(1, 3)
        first, last = intervals[0][0], intervals[-1][1]
        # The morning delivery (as the seed's): what is at its reorder point is topped up to par.
        delivery = at_minute(day, first - 60)
        if delivery >= now:
            self.at(delivery, lambda run=run: self.receive_delivery(run))
        for kind, service in bookings:
            when = at_minute(day, rng.uniform(first, last))
            if when >= now:
                self.at(when, lambda run=run, kind=kind, service=service: self.booking_arrives(run, kind, service))
        sweep = at_minute(day, first - 30)
        while sweep <= at_minute(day, last):
            if sweep >= now:
                self.at(sweep, lambda run=run: self.sweep_reservations(run))
            sweep += SWEEP_MINUTES * M
        items = InventoryItem.objects.filter(store=run.store, is_active=True, sku__in=PERISHABLE).order_by("pk")
        for item in items:
            if rng.random() < WASTE_CHANCE:
                when = at_minute(day, 15 * 60 + rng.uniform(0, 60))
                if when >= now:
                    self.at(when, lambda run=run, pk=item.pk: self.record_waste(run, pk))

    def adopt(self, run: StoreRun) -> None:
        """Orders in flight and parties at their tables when the run starts (the seed's, or
        people's) carry on at the seeded pace, so their tables free up."""
        rng = run.rng
        open_orders = Order.objects.filter(store=run.store).exclude(status__in=CLOSED_STATUSES)
        for order in open_orders.order_by("order_time", "pk"):
            plan: dict[str, Any] = {}
            for _attempt in range(5):  # a fresh, uncancelled ticket timeline from now
                plan = {"order_time": self.sim, "order_type": order.order_type, "guest_count": order.guest_count}
                _timeline(rng, plan, order.items.count(), self.sim + dt.timedelta(days=7))
                if plan["status"] != S.CANCELLED:
                    break
            else:
                continue
            stages = list(STAGES)
            done = stages.index(f"{order.status}_at") + 1 if order.status != S.PENDING else 0
            base = plan[stages[done - 1]] if done else plan["order_time"]
            steps = [(self.sim + (plan[st] - base), STAGE_STATUS[st], "") for st in stages[done:]]
            self.next_order_step(run, order.pk, steps)
        seated = Reservation.objects.filter(store=run.store, status__in=[R.ARRIVED, R.SEATED]).order_by("pk")
        for reservation in seated:
            run.seen_reservations.add(reservation.pk)
            pk = reservation.pk
            if reservation.status == R.ARRIVED:
                self.at(self.sim + rng.uniform(0, 6) * M, lambda pk=pk: self.move_reservation(run, pk, R.SEATED))
            done_at = max(self.sim + 10 * M, reservation.ends_at + rng.uniform(-20, 15) * M)
            self.at(done_at, lambda pk=pk: self.move_reservation(run, pk, R.COMPLETED))

    # --- orders ---------------------------------------------------------------------------------

    def busy_tables(self, run: StoreRun) -> set:
        """Tables with an open dine-in order or a party arrived or seated on them."""
        open_orders = Order.objects.filter(store=run.store, table__isnull=False).exclude(status__in=CLOSED_STATUSES)
        busy = set(open_orders.values_list("table_id", flat=True))
        seated = Reservation.objects.filter(store=run.store, status__in=[R.ARRIVED, R.SEATED])
        busy |= set(seated.values_list("tables__id", flat=True))
        return busy

    def order_arrives(self, run: StoreRun, when: dt.datetime) -> None:
        """A walk-in, takeaway or delivery order, composed as the seed composes them."""
        rng = run.rng
        r = rng.random()
        if r < DINE_IN_SHARE:
            order_type = Order.Type.DINE_IN
        elif r < DINE_IN_SHARE + TAKEAWAY_SHARE:
            order_type = Order.Type.TAKEAWAY
        else:
            order_type = Order.Type.DELIVERY
        if order_type == Order.Type.DINE_IN:
            self.walk_in(run, pick(rng, GUEST_COUNTS, GUEST_CUM), waited=0)
            return
        fields: dict[str, Any] = {"order_type": order_type}
        lines: list = []
        guests = 1 if rng.random() < 0.7 else 2
        if order_type == Order.Type.TAKEAWAY:
            fields["sales_channel"] = rng.choices(*TAKEAWAY_CHANNELS)[0]
        else:
            fields["sales_channel"] = rng.choices(*DELIVERY_CHANNELS)[0]
            fields["metadata"] = {
                "platform_order_no": f"{rng.randrange(10**15, 10**16)}",
                "delivery_fee_cents": rng.choice((0, 300, 500, 600)),
                "address": f"{run.city_zh}某小区{rng.randint(1, 30)}栋",
            }
        fields.update(customer_name=guest_name(rng), customer_phone=mobile(rng))
        for dish in run.menu.dishes_for(rng, rng.randint(1, 3)):
            lines.append(_line(rng, dish, 1))
        if rng.random() < 0.7:
            lines.append((cat.RICE, guests, "", {}))
        if rng.random() < 0.4:
            lines.append((run.menu.drink(rng), 1, "", {}))
        fields["guest_count"] = guests
        self.place_order(run, when, lines, fields)

    def walk_in(
        self, run: StoreRun, guests: int, *, waited: int, ticket_id=None, patience: float | None = None
    ) -> None:
        """A walk-in party takes a free table and orders; with none free it takes a waitlist number
        and waits: the host looks again every few minutes, calls the number when a table fits and
        seats the party (or skips it when it is not there); past its patience it leaves."""
        ticket = WaitlistTicket.objects.filter(pk=ticket_id).first() if ticket_id else None
        if ticket_id and (ticket is None or ticket.status not in (WaitlistTicket.Status.WAITING,)):
            return  # someone at the host stand seated or cancelled it meanwhile
        table = self.free_table(run, guests)
        if table is not None and ticket is None and self.queue_ahead(run, guests):
            table = None  # parties of its size are queued already: it takes a number behind them
        if table is None:
            if ticket is None:
                self.tally.walk_ins_waited += 1
                try:
                    ticket = waitlist_ticket_issue(actor=run.front_desk, store=run.store, party_size=guests)
                except DomainError as exc:
                    self.refused("waitlist_ticket_issue", exc)
                    ticket = None
                else:
                    self.tally.waitlist_issued += 1
                    quoted = ticket.quoted_wait_minutes or 0
                    patience = max(WALK_IN_PATIENCE_MINUTES, quoted + run.queue_rng.uniform(-10, 25))
                    self.log(f"{run.store.pk}: {ticket.code} for {guests}, quoted {ticket.quoted_wait_minutes} min")
            limit = patience if patience is not None else WALK_IN_PATIENCE_MINUTES
            if waited + WALK_IN_RETRY_MINUTES > limit:
                self.tally.walk_ins_turned_away += 1
                if ticket is not None:
                    self.move_ticket(run, ticket, WaitlistTicket.Status.CANCELLED, reason=LEFT_REASON)
                return
            later = self.sim + WALK_IN_RETRY_MINUTES * M
            pk = ticket.pk if ticket else None
            self.at(
                later,
                lambda: self.walk_in(run, guests, waited=waited + WALK_IN_RETRY_MINUTES, ticket_id=pk, patience=limit),
            )
            return
        if ticket is not None:
            # The number is called; the party comes forward (or is not there) a minute or two later.
            if not self.move_ticket(run, ticket, WaitlistTicket.Status.CALLED):
                return
            when = self.sim + run.queue_rng.uniform(1, 4) * M
            self.at(when, lambda: self.called_party(run, ticket.pk, guests))
            return
        self.seat_walk_in(run, guests, table)

    def queue_ahead(self, run: StoreRun, guests: int) -> bool:
        band = band_for(store_bands(run.store.config), guests)
        return (
            bool(band)
            and WaitlistTicket.objects.filter(
                store=run.store, business_date=timezone.localdate(), band=band.code, status__in=QUEUED
            ).exists()
        )

    def move_ticket(self, run: StoreRun, ticket: WaitlistTicket, status: str, *, table=None, reason="") -> bool:
        try:
            waitlist_ticket_transition(actor=run.front_desk, ticket=ticket, status=status, table=table, reason=reason)
        except DomainError as exc:
            self.refused(f"waitlist -> {status}", exc)
            return False
        return True

    def called_party(self, run: StoreRun, ticket_id, guests: int) -> None:
        """A called number: seated at a free table, skipped when the party has gone, called
        again when the table was taken meanwhile."""
        ticket = WaitlistTicket.objects.filter(pk=ticket_id, status=WaitlistTicket.Status.CALLED).first()
        if ticket is None:
            return
        if run.queue_rng.random() < NOT_THERE_WHEN_CALLED:
            if self.move_ticket(run, ticket, WaitlistTicket.Status.SKIPPED, reason="过号 not there"):
                self.tally.waitlist_skipped += 1
            return
        table = self.free_table(run, guests)
        if table is None:
            if ticket.call_count < 3 and self.move_ticket(run, ticket, WaitlistTicket.Status.CALLED):
                self.at(self.sim + WALK_IN_RETRY_MINUTES * M, lambda: self.called_party(run, ticket_id, guests))
            return
        if self.move_ticket(run, ticket, WaitlistTicket.Status.SEATED, table=table):
            self.tally.waitlist_seated += 1
            self.seat_walk_in(run, guests, table)

    def seat_walk_in(self, run: StoreRun, guests: int, table: Table) -> None:
        """The party at its table orders."""
        rng = run.rng
        guests = min(guests, table.capacity)
        fields: dict[str, Any] = {
            "order_type": Order.Type.DINE_IN,
            "table": table,
            "waiter": rng.choice(run.waiters) if run.waiters else None,
            "sales_channel": "mini_program" if rng.random() < MINI_PROGRAM_DINE_IN else "pos",
            "notes": rng.choice(cat.ORDER_NOTES),
            "guest_count": guests,
        }
        lines = self.dine_in_lines(run, guests, self.sim)
        if rng.random() < 0.35:
            fields.update(customer_name=guest_name(rng), customer_phone=mobile(rng))
        self.place_order(run, self.sim, lines, fields)

    def dine_in_lines(self, run: StoreRun, guests: int, when: dt.datetime) -> list:
        rng, menu = run.rng, run.menu
        lines = []
        for dish in menu.dishes_for(rng, max(1, round(guests * 0.85 + rng.uniform(0.3, 1.6)))):
            qty = 2 if dish.category == "dim_sum" and guests >= 4 and rng.random() < 0.4 else 1
            lines.append(_line(rng, dish, qty))
        if rng.random() < 0.8:
            lines.append((cat.RICE, max(1, round(guests * rng.uniform(0.5, 1.0))), "", {}))
        for _ in range(rng.randint(0, max(1, guests // 2))):
            drink = menu.drink(rng)
            evening = timezone.localtime(when).hour >= 17
            lines.append((drink, rng.randint(2, 6) if drink.code == "B004" and evening else rng.randint(1, 2), "", {}))
        return lines

    def free_table(self, run: StoreRun, guests: int) -> Table | None:
        """The smallest free hall table seating the party (a private room for 8+ now and then)."""
        busy = self.busy_tables(run)
        free = [t for t in run.tables if t.pk not in busy]
        if guests >= 8 and run.rng.random() < 0.6:
            rooms = [t for t in free if t.kind == Table.Kind.PRIVATE_ROOM and t.capacity >= guests]
            if rooms:
                return rooms[0]
        hall = [t for t in free if t.kind == Table.Kind.HALL]
        fitting = [t for t in hall if t.capacity >= guests]
        if fitting:
            smallest = fitting[0].capacity
            return run.rng.choice([t for t in fitting if t.capacity == smallest])
        # A party larger than any hall table takes the largest (the seed seats it the same way).
        largest = max((t.capacity for t in run.tables if t.kind == Table.Kind.HALL), default=0)
        return hall[-1] if hall and guests > largest else None

    def place_order(self, run: StoreRun, when: dt.datetime, lines: list, fields: dict[str, Any]) -> Order | None:
        """order_create with the lines the store sells now, then the ticket's timeline."""
        rng = run.rng
        sellable = run.sellable_codes(timezone.localdate())
        lines = [line for line in lines if line[0].code in sellable]
        if not lines:
            self.tally.refused["order: nothing on the menu"] += 1
            return None
        items = [{"item_code": d.code, "quantity": q, "notes": n, "customizations": c} for d, q, n, c in lines]
        discount, promo = _discount(rng, fields["order_type"], sum(d.price_cents * q for d, q, _n, _c in lines))
        if promo:
            fields["metadata"] = {**fields.get("metadata", {}), "promotion": promo}
        try:
            order = order_create(store=run.store, items=items, user=run.manager, discount_cents=discount, **fields)
        except DomainError as exc:
            self.refused("order_create", exc)
            return None
        self.tally.orders_created[order.order_type] += 1
        self.tally.channels[order.sales_channel] += 1
        self.tally.order_ids.append(order.pk)
        self.log(f"{order.pk}: {order.order_type} via {order.sales_channel}, {order.total_cents / 100:.2f} yuan")
        # The seed's ticket times and cancellations, planned on the service clock.
        plan = {"order_time": when, "order_type": order.order_type, "guest_count": order.guest_count}
        _timeline(rng, plan, len(lines), when + dt.timedelta(days=7))
        steps = [(plan[stage], STAGE_STATUS[stage], "") for stage in STAGES if plan[stage] is not None]
        if plan["status"] == S.CANCELLED:
            steps.append((plan["cancelled_at"], S.CANCELLED, plan["cancel_reason"]))
        self.next_order_step(run, order.pk, steps)
        return order

    def next_order_step(self, run: StoreRun, order_id: str, steps: list) -> None:
        if steps:
            when, status, reason = steps[0]
            self.at(when, lambda: self.move_order(run, order_id, status, reason, steps[1:]))

    def move_order(self, run: StoreRun, order_id: str, status: str, reason: str, rest: list) -> None:
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            return  # deleted meanwhile (someone in the admin)
        try:
            order_transition(order=order, status=status, reason=reason, user=run.manager)
        except DomainError as exc:
            self.refused(f"order -> {status}", exc)
            if exc.code == "insufficient_stock" and exc.extra.get("ingredient"):
                self.sell_out(run, exc.extra["ingredient"])
            if status in (S.CONFIRMED, S.PREPARING) and order.status not in CLOSED_STATUSES:
                # The kitchen cannot make it (short stock): the guest is told it is sold out.
                self.move_order(run, order_id, S.CANCELLED, SOLD_OUT_REASON, [])
            return
        self.tally.orders_moved[status] += 1
        if status == S.CANCELLED:
            self.tally.orders_cancelled += 1
        self.next_order_step(run, order_id, rest)

    def sell_out(self, run: StoreRun, ingredient: str) -> None:
        """An ingredient ran out: the manager marks the dishes needing it sold out today (估清),
        so no new order asks for them until the next delivery."""
        today = timezone.localdate()
        dishes = Dish.objects.filter(is_active=True).order_by("code")
        recipes = recipe_lines_on([d.pk for d in dishes], today)
        for dish in dishes:
            if dish.pk in run.sold_out_dishes or not any(r.ingredient_sku == ingredient for r in recipes[dish.pk]):
                continue
            try:
                dish_set_sold_out(store=run.store, dish=dish, user=run.manager)
            except DomainError as exc:
                self.refused("dish_set_sold_out", exc)
                continue
            run.sold_out_dishes.add(dish.pk)
            self.tally.sold_out += 1
            self.log(f"{run.store.pk}: {dish.code} sold out ({ingredient} ran out)")

    def receive_delivery(self, run: StoreRun) -> None:
        """The suppliers deliver the reorder suggestions (up to par); the dishes this run marked
        sold out are back on the menu."""
        for group in stock_reorder_suggestions(store=run.store):
            for line in group["items"]:
                item = InventoryItem.objects.filter(pk=line["item"]).first()
                if item is None:
                    continue
                try:
                    stock_record_purchase(
                        item=item,
                        quantity=line["quantity"],
                        user=run.front_desk,
                        reference_id=f"SIM-{timezone.localdate():%Y%m%d}",
                        notes=f"早间到货 morning delivery: {group['supplier_name']}"[:255],
                    )
                except DomainError as exc:
                    self.refused("stock_record_purchase", exc)
                    continue
                self.tally.deliveries += 1
        for dish in Dish.objects.filter(pk__in=run.sold_out_dishes).order_by("code"):
            try:
                dish_set_sold_out(store=run.store, dish=dish, sold_out=False, user=run.manager)
            except DomainError as exc:
                self.refused("dish_set_sold_out", exc)
        run.sold_out_dishes.clear()

    # --- reservations ---------------------------------------------------------------------------

    def booking_arrives(self, run: StoreRun, kind: str, service: str) -> None:
        """A phone or online booking for later today or the next days (seed's slots and parties)."""
        rng = run.rng
        now = timezone.localtime()
        lead = rng.choices((0, 1, 2, 3, 5, 7), weights=(30, 25, 15, 10, 10, 10))[0]
        for _attempt in range(3):
            day = now.date() + dt.timedelta(days=lead)
            intervals = run.hours(day)
            if len(intervals) >= 2:
                (l_open, l_close), (d_open, d_close) = intervals[0], intervals[-1]
                if service == "lunch":
                    duration = 90
                    slots = range(l_open + 30, l_close - duration + 1, 30)
                else:
                    duration = 150 if kind == "private_room" else 120
                    slots = range(max(d_open + 30, 17 * 60 + 30), d_close - duration + 1, 30)
                slots = [m for m in slots if at_minute(day, m) > now + 30 * M]
                if slots:
                    break
            lead += 1
        else:
            return
        start = rng.choice(slots)
        if kind == "private_room":
            party = rng.randint(6, 14)
        else:
            party = rng.choices(*PARTY_SIZES)[0]
        fields: dict[str, Any] = {
            "customer_name": guest_name(rng),
            "customer_phone": mobile(rng),
            "reservation_type": kind,
            "reservation_date": day,
            "reservation_time": dt.time(start // 60, start % 60),
            "duration_minutes": duration,
            "party_size": party,
            "special_requests": rng.choice(cat.SPECIAL_REQUESTS),
        }
        if kind == "private_room":
            fields["estimated_budget_cents"] = party * rng.choice((180_00, 250_00, 380_00))
        # About half the bookings are taken by phone at the front desk, the others come in online.
        user = run.front_desk if rng.random() < 0.5 else None
        try:
            reservation = reservation_create(store=run.store, user=user, **fields)
        except DomainError as exc:
            self.refused("reservation_create", exc)
            return
        self.tally.reservations_created += 1
        self.tally.reservation_ids.append(reservation.pk)
        self.log(f"{reservation.pk}: {party} guests on {day} {fields['reservation_time']:%H:%M}")
        if rng.random() < RESERVATION_CANCEL_SHARE:
            reason = rng.choice(cat.RESERVATION_CANCEL_REASONS)
            self.at(
                self.sim + rng.uniform(10, 240) * M,
                lambda: self.move_reservation(run, reservation.pk, R.CANCELLED, reason),
            )
        else:
            self.at(self.sim + rng.uniform(5, 120) * M, lambda: self.move_reservation(run, reservation.pk, R.CONFIRMED))

    def sweep_reservations(self, run: StoreRun) -> None:
        """Guests due on the service clock's day: they come (confirmed first if still pending),
        are seated, order and leave; a few never show up."""
        rng = run.rng
        local = timezone.localtime(self.sim)
        soon = (local + 15 * M).time() if (local + 15 * M).date() == local.date() else dt.time.max
        due = (
            Reservation.objects.filter(
                store=run.store, reservation_date=local.date(), status__in=[R.PENDING, R.CONFIRMED]
            )
            .filter(reservation_time__lte=soon, reservation_time__gte=(local - 30 * M).time())
            .exclude(pk__in=run.seen_reservations)
            .order_by("reservation_time", "pk")
        )
        for reservation in due:
            run.seen_reservations.add(reservation.pk)
            starts = at_minute(
                local.date(), reservation.reservation_time.hour * 60 + reservation.reservation_time.minute
            )
            if reservation.reservation_type == Reservation.Type.REGULAR and rng.random() < NO_SHOW_SHARE:
                self.at(starts + 30 * M, lambda pk=reservation.pk: self.move_reservation(run, pk, R.NO_SHOW))
                continue
            if reservation.status == R.PENDING:
                self.move_reservation(run, reservation.pk, R.CONFIRMED)
            arrive = max(self.sim, starts + rng.uniform(-10, 15) * M)
            seated = arrive + rng.uniform(0, 6) * M
            done = max(seated + 30 * M, starts + (reservation.duration_minutes + rng.uniform(-20, 15)) * M)
            pk = reservation.pk
            self.at(arrive, lambda pk=pk: self.move_reservation(run, pk, R.ARRIVED))
            self.at(seated, lambda pk=pk: self.move_reservation(run, pk, R.SEATED))
            if reservation.reservation_type != Reservation.Type.BANQUET:
                self.at(seated + rng.uniform(2, 5) * M, lambda pk=pk: self.seated_order(run, pk))
            self.at(done, lambda pk=pk: self.move_reservation(run, pk, R.COMPLETED))

    def move_reservation(self, run: StoreRun, reservation_id: str, status: str, reason: str = "") -> None:
        reservation = Reservation.objects.filter(pk=reservation_id).first()
        if reservation is None:
            return
        try:
            reservation_transition(reservation=reservation, status=status, reason=reason, user=run.front_desk)
        except DomainError as exc:
            self.refused(f"reservation -> {status}", exc)
            return
        self.tally.reservations_moved[status] += 1

    def seated_order(self, run: StoreRun, reservation_id: str) -> None:
        """The seated party orders at its (first) table."""
        reservation = Reservation.objects.filter(pk=reservation_id, status=R.SEATED).first()
        table = reservation and reservation.tables.order_by("-capacity", "number").first()
        if table is None:
            return
        guests = min(reservation.party_size, table.capacity)
        fields = {
            "order_type": Order.Type.DINE_IN,
            "table": table,
            "waiter": run.rng.choice(run.waiters) if run.waiters else None,
            "sales_channel": "pos",
            "guest_count": guests,
            "customer_name": reservation.customer_name,
            "customer_phone": reservation.customer_phone,
            "notes": f"预订 reservation {reservation.pk}",
        }
        self.place_order(run, self.sim, self.dine_in_lines(run, guests, self.sim), fields)

    # --- waste ----------------------------------------------------------------------------------

    def record_waste(self, run: StoreRun, item_id: str) -> None:
        """A share of a perishable thrown away, with the seed's reasons and notes."""
        rng = run.rng
        item = InventoryItem.objects.filter(pk=item_id).first()
        if item is None or item.current_quantity <= 0:
            return
        lost = item.current_quantity * Decimal(f"{rng.uniform(0.02, 0.08):.3f}")
        lost = Decimal(max(1, round(lost))) if item.unit in WHOLE_UNITS else lost.quantize(Decimal("0.001"))
        lost = min(lost, item.current_quantity)
        if lost <= 0:
            return
        reason = rng.choices([r for r, _w in cat.WASTE_REASONS], weights=[w for _r, w in cat.WASTE_REASONS])[0]
        try:
            stock_record_waste(
                item=item, quantity=lost, reason=reason, user=run.front_desk, notes=cat.WASTE_NOTES[reason]
            )
        except DomainError as exc:
            self.refused("stock_record_waste", exc)
            return
        self.tally.waste_rows += 1
        self.log(f"waste: {lost} {item.unit} {item.name} ({reason})")


def default_stores() -> list[Store]:
    """The first three active stores (the demo chain's)."""
    return list(Store.objects.filter(status=Store.Status.ACTIVE).order_by("pk")[:3])
