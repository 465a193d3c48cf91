"""`manage.py simulate`: a service played through the services on a freshly seeded store."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.db.models import F
from django.utils import timezone

from inventory.models import InventoryItem, InventoryTransaction
from inventory.services import stock_record_adjustment
from menu.models import StoreDishOverride
from orders.models import Order
from orders.tests.factories import OrderFactory
from reservations.models import Reservation
from reservations.services import reservation_create
from stores.models import Store
from stores.tests.factories import TableFactory
from waitlist.models import WaitlistTicket
from zhilian import events
from zhilian.audit import audit_entries
from zhilian.seed import catalog as cat
from zhilian.seed.runner import SeedOptions, run_seed
from zhilian.simulation import LEFT_REASON, SOLD_OUT_REASON, RealClock, Simulation

pytestmark = pytest.mark.django_db

STAMPS = ("order_time", "confirmed_at", "preparing_at", "ready_at", "served_at", "completed_at")


class FakeClock:
    """A wall clock that moves only when the loop sleeps (no real waiting in the tests)."""

    def __init__(self, start: dt.datetime, stop_after: int | None = None):
        self.t = start
        self.sleeps = 0
        self.stop_after = stop_after

    def now(self) -> dt.datetime:
        return self.t

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        self.sleeps += 1
        self.t += dt.timedelta(seconds=seconds)
        if self.stop_after is not None and self.sleeps >= self.stop_after:
            stop.set()  # what the SIGTERM handler does


@pytest.fixture
def seeded_store() -> Store:
    # History up to yesterday's dinner rush: today's bookings are still ahead, whatever the hour
    # the tests run at, and yesterday's orders in flight are picked up by the run.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    run_seed(SeedOptions(stores=1, days=1, seed=7, end_date=yesterday, use_copy=False))
    return Store.objects.get(pk="STORE001")


def lunch_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(11, 30)))


def simulate(store: Store, *, minutes: int, seed: int = 3, **kwargs) -> Simulation:
    """Play `minutes` service minutes at speed 60 with one-second ticks (a service minute a step)."""
    clock = FakeClock(timezone.now())
    sim = Simulation(stores=[store], speed=60, seed=seed, clock=clock, start=lunch_today(), **kwargs)
    sim.run(duration=minutes)
    return sim


def test_a_lunch_hour_creates_and_moves_orders_through_the_services(
    seeded_store, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(events, "_send", lambda groups, event: sent.append(event))
    before = set(Order.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        sim = simulate(seeded_store, minutes=75)
    tally = sim.tally

    created = Order.objects.filter(pk__in=tally.order_ids).prefetch_related("items")
    assert created.count() == len(tally.order_ids) == sum(tally.orders_created.values()) > 10
    assert not set(tally.order_ids) & before
    assert set(created.values_list("order_type", flat=True)) >= {"dine_in", "delivery"}
    for order in created:
        # IDs and totals are the service's: <store>-<day>-<n>, total = lines - discount.
        assert order.pk.startswith(f"STORE001-{timezone.localdate(order.order_time):%Y%m%d}-")
        lines = sum(i.quantity * i.unit_price_cents for i in order.items.all())
        assert order.subtotal_cents == lines and order.total_cents == lines - order.discount_cents
        assert all(i.dish_id is not None for i in order.items.all())
        if order.order_type == "dine_in":
            assert order.table_id is not None and order.guest_count <= order.table.capacity
        if order.order_type == "delivery":
            assert order.sales_channel in ("meituan", "eleme", "mini_program")
            assert order.metadata["platform_order_no"]
        stamps = [getattr(order, f) for f in STAMPS if getattr(order, f) is not None]
        assert stamps == sorted(stamps) and stamps[-1] <= timezone.now()
        if order.status == "cancelled":
            assert order.cancel_reason and order.cancelled_at >= order.order_time
        # The actor of every step is the store's manager.
        assert {e.actor_id for e in audit_entries(order)} == {seeded_store.manager_id}

    moved = tally.orders_moved
    assert moved["confirmed"] and moved["preparing"] and moved["ready"] and moved["served"]
    reached = created.filter(preparing_at__isnull=False)
    # (Yesterday's orders still in flight moved too: they are counted as well.)
    assert 0 < reached.count() <= moved["preparing"]
    # Stock followed sales: usage rows reference the orders that reached the kitchen.
    usage = InventoryTransaction.objects.filter(transaction_type="usage", reference_id__in=tally.order_ids)
    assert set(usage.values_list("reference_id", flat=True)) == set(reached.values_list("pk", flat=True))
    types = [e["type"] for e in sent]
    assert types.count("order.created") == len(tally.order_ids)
    assert types.count("order.status_changed") == sum(moved.values())
    assert tally.service_end >= lunch_today() + dt.timedelta(minutes=74)


def test_reservations_due_are_seated_and_completed_and_new_ones_booked(seeded_store):
    day = timezone.localdate()
    ours = reservation_create(
        store=seeded_store,
        check_slot=False,
        customer_name="王女士",
        customer_phone="13800000000",
        reservation_date=day,
        reservation_time=dt.time(12, 0),
        duration_minutes=90,
        party_size=4,
    )
    due = Reservation.objects.filter(
        store=seeded_store,
        reservation_date=day,
        reservation_time__gte=dt.time(11, 0),
        status__in=["pending", "confirmed"],
    ).filter(reservation_time__lte=dt.time(12, 30))
    expected = set(due.values_list("pk", flat=True))
    sim = simulate(seeded_store, minutes=150)
    moved = sim.tally.reservations_moved
    assert moved["arrived"] and moved["seated"] and moved["completed"]
    assert sum(moved.values()) >= len(expected)
    assert ours.pk in expected
    # Those whose party leaves before the played window ends (a party stays up to 15 minutes past
    # its booking's end, so a 12:30 booking of two hours may still be seated at 14:00).
    played_until = lunch_today() + dt.timedelta(minutes=150)
    done = Reservation.objects.filter(pk__in=expected, ends_at__lte=played_until - dt.timedelta(minutes=15))
    assert ours.pk in set(done.values_list("pk", flat=True))
    assert set(done.values_list("status", flat=True)) <= {"completed", "no_show", "cancelled"}
    completed = done.filter(status="completed")
    assert completed.exists()
    for r in completed:
        assert r.confirmed_at <= r.arrival_time <= r.seated_at <= r.completed_at
    # Seated parties order at their table.
    assert Order.objects.filter(pk__in=sim.tally.order_ids, notes__startswith="预订").exists()
    created = Reservation.objects.filter(pk__in=sim.tally.reservation_ids)
    assert created.count() == sim.tally.reservations_created
    assert all(r.starts_at > r.created_at for r in created)


def test_short_stock_is_refused_counted_and_sold_out_without_stopping_the_run(seeded_store):
    rice = InventoryItem.objects.get(store=seeded_store, sku="rice")
    stock_record_adjustment(item=rice, counted_quantity=0, notes="test: the rice ran out")
    started = timezone.now()
    sim = simulate(seeded_store, minutes=60)
    tally = sim.tally
    assert tally.refused["order -> preparing: insufficient_stock"] >= 1
    # The refused order was cancelled as sold out, the dishes needing rice were marked 估清,
    # and the run went on moving the other orders.
    # (The refused one may be an order of yesterday's still in flight that the run picked up.)
    assert Order.objects.filter(store=seeded_store, cancel_reason=SOLD_OUT_REASON, cancelled_at__gte=started).exists()
    assert StoreDishOverride.objects.filter(
        store=seeded_store, dish__code=cat.RICE.code, sold_out_on=timezone.localdate()
    ).exists()
    assert tally.sold_out >= 1 and tally.orders_moved["ready"] >= 1
    rice.refresh_from_db()
    assert rice.current_quantity == 0
    # A move the workflow forbids is counted, not raised.
    done = Order.objects.filter(pk__in=tally.order_ids).exclude(status="cancelled").first()
    run = sim.runs[0]
    sim.move_order(run, done.pk, "pending", "", [])
    assert tally.refused["order -> pending: invalid_transition"] == 1


def test_waste_and_the_morning_delivery_go_through_the_ledger(seeded_store, monkeypatch):
    monkeypatch.setattr("zhilian.simulation.WASTE_CHANCE", 1.0)
    short = InventoryItem.objects.filter(store=seeded_store, current_quantity__lte=F("min_quantity")).count()
    wasted_before = InventoryTransaction.objects.filter(transaction_type="waste").count()
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(8, 0)))
    sim = Simulation(stores=[seeded_store], speed=3600, seed=1, clock=FakeClock(timezone.now()), start=start)
    sim.run(duration=5)  # an hour a step: 08:00 jumps to the opening, 14:30 to 17:00; ends at 18:00
    assert timezone.localtime(sim.sim).time() == dt.time(18, 0)
    waste = InventoryTransaction.objects.filter(transaction_type="waste")
    assert sim.tally.waste_rows >= 1 and waste.count() - wasted_before == sim.tally.waste_rows
    assert all(w.waste_reason and w.notes in cat.WASTE_NOTES.values() for w in waste)
    purchases = InventoryTransaction.objects.filter(store=seeded_store, reference_id__startswith="SIM-")
    assert purchases.count() == sim.tally.deliveries
    # Everything at its reorder point at 09:30 was topped up to par.
    assert sim.tally.deliveries == short >= 1
    assert all(p.quantity > 0 and p.performed_by_id for p in purchases)


def test_a_walk_in_without_a_free_table_waits_then_leaves(store):
    # The factory store has no tables: the party takes a number, the host looks again every few
    # minutes, then the party leaves and its number is cancelled (through the service).
    sim = Simulation(stores=[store], speed=60, seed=1, clock=FakeClock(timezone.now()), start=lunch_today())
    sim.walk_in(sim.runs[0], 2, waited=0)
    assert sim.tally.walk_ins_waited == 1 and sim.tally.walk_ins_turned_away == 0
    ticket = WaitlistTicket.objects.get(store=store)
    assert (ticket.code, ticket.status, ticket.quoted_wait_minutes) == ("A001", "waiting", None)
    sim.run(duration=30)
    assert sim.tally.walk_ins_turned_away >= 1 and sim.tally.walk_ins_waited >= sim.tally.walk_ins_turned_away
    assert not Order.objects.filter(store=store, order_type="dine_in").exists()
    ticket.refresh_from_db()
    assert ticket.status == "cancelled" and ticket.reason == LEFT_REASON
    assert [e.additional_data["event"] for e in audit_entries(ticket)] == ["waitlist.transition", "waitlist.issue"]


def test_queued_walk_ins_are_called_and_seated_when_a_table_frees_up(store, staff):
    table = TableFactory(store=store, number="A1", capacity=2)
    busy = OrderFactory(store=store, table=table, status=Order.Status.SERVED)
    sim = Simulation(stores=[store], speed=60, seed=1, clock=FakeClock(timezone.now()), start=lunch_today())
    run = sim.runs[0]
    sim.walk_in(run, 2, waited=0)
    ticket = WaitlistTicket.objects.get(store=store)
    assert ticket.status == "waiting" and sim.tally.waitlist_issued == 1
    Order.objects.filter(pk=busy.pk).update(status=Order.Status.COMPLETED, completed_at=timezone.now())
    sim.run(duration=12)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.table_id, ticket.call_count) == ("seated", table.pk, 1)
    assert sim.tally.waitlist_seated == 1
    # The seated party then orders (refused and counted here: the factory store has no menu).
    assert sim.tally.refused["order: nothing on the menu"] == 1


def test_a_database_error_is_counted_and_the_step_retried(store):
    sim = Simulation(stores=[store], speed=60, seed=1, clock=FakeClock(timezone.now()), start=lunch_today())
    calls = []

    def busy_once():
        calls.append(sim.sim)
        if len(calls) == 1:
            raise OperationalError("database is locked")

    sim.at(sim.sim, busy_once)
    sim.step()
    sim.clock.t += dt.timedelta(seconds=1)  # a service minute later
    sim.step()
    assert len(calls) == 2 and calls[1] > calls[0]
    assert sim.tally.refused["database: OperationalError"] == 1


def test_a_stop_request_ends_the_loop(seeded_store):
    clock = FakeClock(timezone.now(), stop_after=3)
    sim = Simulation(stores=[seeded_store], speed=60, seed=1, clock=clock, start=lunch_today())
    sim.run()  # no duration: only the stop event ends it
    assert clock.sleeps == 3 and sim.stop.is_set()


def test_outside_opening_hours_speed_jumps_and_real_time_idles(seeded_store):
    night = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(3, 0)))
    fast = Simulation(stores=[seeded_store], speed=60, seed=1, clock=FakeClock(timezone.now()), start=night)
    fast.step()
    assert timezone.localtime(fast.sim).time() == dt.time(10, 30)
    slow = Simulation(stores=[seeded_store], speed=1, seed=1, clock=FakeClock(timezone.now()), start=night)
    slow.run(duration=30)
    assert timezone.localtime(slow.sim).time() == dt.time(3, 0, 30)
    assert not slow.tally.order_ids


def test_the_command_stops_on_sigterm_and_prints_its_summary(store, monkeypatch):
    monkeypatch.setattr(RealClock, "sleep", lambda self, seconds, stop: os.kill(os.getpid(), signal.SIGTERM))
    previous = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    call_command("simulate", "--stores=STORE001", "--speed=60", "--seed=1", stdout=out)
    text = out.getvalue()
    assert "Simulating STORE001 at speed 60" in text
    assert "Simulation stopped." in text and "orders created:" in text and "refused by the services:" in text
    assert signal.getsignal(signal.SIGTERM) == previous  # the handler is put back


def test_the_command_refuses_unknown_stores_and_bad_speeds(store):
    with pytest.raises(CommandError, match="STORE999"):
        call_command("simulate", "--stores=STORE999", "--duration=0")
    with pytest.raises(CommandError, match="speed"):
        call_command("simulate", "--speed=0", "--duration=0")
