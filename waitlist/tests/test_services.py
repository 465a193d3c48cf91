"""Taking numbers and moving tickets through the services: numbering, every move, audit, events."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from stores.models import Store
from stores.tests.factories import TableFactory
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue, waitlist_ticket_transition
from waitlist.workflow import TRANSITIONS
from zhilian import events
from zhilian.errors import DomainError, InvalidInput, InvalidTransition

S = WaitlistTicket.Status


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(events, "_send", lambda groups, event: sent.append((groups, event)))
    return sent


def test_numbers_per_band_and_day(store, other_store, staff):
    codes = [waitlist_ticket_issue(actor=staff, store=store, party_size=n).code for n in (2, 1, 4, 6, 2, 3)]
    assert codes == ["A001", "A002", "B001", "C001", "A003", "B002"]
    assert waitlist_ticket_issue(actor=staff, store=other_store, party_size=2).code == "A001"
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert waitlist_ticket_issue(actor=staff, store=store, party_size=2, at=tomorrow).code == "A001"


def test_issue_quotes_and_records(store, staff, published, django_capture_on_commit_callbacks):
    TableFactory(store=store, number="A1", capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = waitlist_ticket_issue(actor=staff, store=store, party_size=2, phone="138 0000 1111")
        second = waitlist_ticket_issue(actor=staff, store=store, party_size=1)
    # One free 2-seat table: the first sits at once, the second waits a whole turn (60 min default).
    assert (first.quoted_wait_minutes, second.quoted_wait_minutes) == (0, 60)
    assert first.created_by == staff and first.business_date == timezone.localdate()
    assert len(first.token) >= 32 and first.token != second.token
    entry = LogEntry.objects.get_for_object(first).get()
    assert entry.actor == staff and entry.additional_data["event"] == "waitlist.issue"
    assert [(g, e["type"], e["data"]["code"]) for g, e in published] == [
        (["store.STORE001"], "waitlist.created", "A001"),
        (["store.STORE001"], "waitlist.created", "A002"),
    ]
    assert "phone" not in published[0][1]["data"] and "token" not in published[0][1]["data"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"party_size": 0}, "party_size"),
        ({"party_size": 51}, "party_size"),
        ({"party_size": 2, "phone": "call me"}, "phone"),
    ],  # fmt: skip
)
def test_issue_refuses_bad_input(store, staff, fields, field):
    with pytest.raises(InvalidInput) as exc:
        waitlist_ticket_issue(actor=staff, store=store, **fields)
    assert field in exc.value.errors
    assert not WaitlistTicket.objects.exists()


def test_issue_refuses_a_party_no_band_takes_and_a_closed_store(store, staff):
    store.config = {"waitlist_bands": [{"code": "A", "min": 1, "max": 4}, {"code": "B", "min": 5, "max": 8}]}
    store.save()
    with pytest.raises(InvalidInput):
        waitlist_ticket_issue(actor=staff, store=store, party_size=9)
    assert waitlist_ticket_issue(actor=staff, store=store, party_size=8).code == "B001"
    Store.objects.filter(pk=store.pk).update(status=Store.Status.RENOVATING)
    store.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        waitlist_ticket_issue(actor=staff, store=store, party_size=2)
    assert exc.value.code == "store_inactive"


def ticket_in(store, staff, status):
    ticket = waitlist_ticket_issue(actor=staff, store=store, party_size=2)
    path = {S.WAITING: [], S.CALLED: [S.CALLED], S.SEATED: [S.SEATED], S.SKIPPED: [S.CALLED, S.SKIPPED],
            S.CANCELLED: [S.CANCELLED]}[status]  # fmt: skip
    for step in path:
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=step)
    return ticket


@pytest.mark.parametrize("start", list(TRANSITIONS))
@pytest.mark.parametrize("target", [S.CALLED, S.SEATED, S.SKIPPED, S.CANCELLED])
def test_every_move_allowed_or_refused(store, staff, start, target):
    ticket = ticket_in(store, staff, start)
    if target in TRANSITIONS[start]:
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=target, reason="r")
        ticket.refresh_from_db()
        assert ticket.status == target
        stamp = {S.CALLED: "called_at", S.SEATED: "seated_at", S.SKIPPED: "skipped_at", S.CANCELLED: "cancelled_at"}
        assert getattr(ticket, stamp[target]) is not None
    else:
        with pytest.raises(InvalidTransition) as exc:
            waitlist_ticket_transition(actor=staff, ticket=ticket, status=target)
        assert exc.value.extra["allowed"] == list(TRANSITIONS[start])
        assert WaitlistTicket.objects.get(pk=ticket.pk).status == start


def test_recall_counts_and_seat_at_a_table(store, other_store, staff, published, django_capture_on_commit_callbacks):
    table = TableFactory(store=store, number="A7", capacity=2)
    foreign = TableFactory(store=other_store, number="X1", capacity=2)
    ticket = waitlist_ticket_issue(actor=staff, store=store, party_size=2)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=S.CALLED)
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=S.CALLED)
    assert ticket.call_count == 2
    with pytest.raises(InvalidInput):
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=S.SEATED, table=foreign)
    with pytest.raises(InvalidInput):
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=S.SKIPPED, table=table)
    waitlist_ticket_transition(actor=staff, ticket=ticket, status=S.SEATED, table=table)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.table, ticket.call_count) == (S.SEATED, table, 2)
    moves = [e["data"]["to"] for _g, e in published if e["type"] == "waitlist.status_changed"]
    assert moves == [S.CALLED, S.CALLED]
    trail = [e.additional_data["event"] for e in LogEntry.objects.get_for_object(ticket).order_by("pk")]
    assert trail == ["waitlist.issue", "waitlist.transition", "waitlist.transition", "waitlist.transition"]


def test_a_refused_move_publishes_nothing(store, staff, published, django_capture_on_commit_callbacks):
    ticket = ticket_in(store, staff, S.SEATED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        waitlist_ticket_transition(actor=staff, ticket=ticket, status=S.CANCELLED)
    assert published == []
