"""The host stand and the ticket changelist in the admin: scoped, through the services."""

import pytest
from django.test import Client

from stores.tests.factories import TableFactory
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue
from waitlist.tests.factories import WaitlistTicketFactory
from zhilian.testing.queries import assert_constant_queries

HOST_STAND = "/admin/waitlist/waitlistticket/host-stand/"
CHANGELIST = "/admin/waitlist/waitlistticket/"
pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_host_stand_takes_calls_and_seats(actors):
    table = TableFactory(store=actors.store, number="A1", capacity=2)
    client = logged_in(actors.manager)
    response = client.post(HOST_STAND, {"action": "issue", "party_size": "2", "phone": ""}, follow=True)
    assert "Number A001 taken." in response.content.decode()
    ticket = WaitlistTicket.objects.get(store=actors.store)
    assert ticket.created_by == actors.manager
    client.post(HOST_STAND, {"action": "call", "ticket": ticket.pk})
    client.post(HOST_STAND, {"action": "seat", "ticket": ticket.pk, "table": table.pk})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.table, ticket.call_count) == ("seated", table, 1)
    # A refused move is a message, not an error page.
    page = client.post(HOST_STAND, {"action": "cancel", "ticket": ticket.pk}, follow=True).content.decode()
    assert "cannot become" in page and "Seated" in page
    bad = client.post(HOST_STAND, {"action": "issue", "party_size": "x"}, follow=True).content.decode()
    assert "Give a party size from 1 to 50." in bad


def test_host_stand_shows_the_queues(actors):
    for size in (2, 3, 6):
        waitlist_ticket_issue(actor=actors.staff, store=actors.store, party_size=size)
    waitlist_ticket_issue(actor=actors.other_staff, store=actors.other_store, party_size=2)
    page = logged_in(actors.manager).get(HOST_STAND).content.decode()
    for code in ("A001", "B001", "C001"):
        assert f'data-code="{code}"' in page
    assert page.count('data-code="A001"') == 1  # the other store's A001 is not shown


def test_other_stores_tickets_are_not_found(actors):
    theirs = waitlist_ticket_issue(actor=actors.other_staff, store=actors.other_store, party_size=2)
    client = logged_in(actors.manager)
    assert client.post(HOST_STAND, {"action": "call", "ticket": theirs.pk}).status_code == 404
    assert client.get(HOST_STAND, {"store": "STORE002"}).status_code == 404
    assert client.get(f"{CHANGELIST}{theirs.pk}/change/").status_code == 302  # "does not exist" redirect
    assert WaitlistTicket.objects.get(pk=theirs.pk).status == "waiting"
    admin = logged_in(actors.admin)
    assert 'data-code="A001"' in admin.get(HOST_STAND, {"store": "STORE002"}).content.decode()


def test_changelist_is_scoped_and_its_queries_do_not_grow(actors):
    WaitlistTicketFactory(store=actors.other_store, number=99)
    client = logged_in(actors.manager)

    def make(n):
        for _ in range(n):
            WaitlistTicketFactory(store=actors.store, table=TableFactory(store=actors.store), status="seated")

    few, many = assert_constant_queries(make, lambda: client.get(CHANGELIST))
    assert many.status_code == 200
    assert "A099" not in many.content.decode()
    assert 'id="host-stand-link"' in many.content.decode()
