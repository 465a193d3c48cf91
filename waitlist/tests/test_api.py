"""The waitlist API: a kiosk takes numbers (staff JWT), the guest's public position, staff moves,
the board, store scoping and list query counts."""

import pytest

from stores.tests.factories import TableFactory
from waitlist.models import WaitlistTicket
from waitlist.services import waitlist_ticket_issue
from waitlist.tests.factories import WaitlistTicketFactory
from zhilian.testing.queries import assert_constant_queries

TICKETS = "/api/v1/waitlist/tickets/"
pytestmark = pytest.mark.django_db


def test_kiosk_takes_a_number_and_the_guest_follows_it(actors, client_for, anon_client):
    TableFactory(store=actors.store, number="A1", capacity=2)
    kiosk = client_for(actors.staff)
    first = kiosk.post(TICKETS, {"party_size": 2, "phone": "13800001111"}, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["code"], body["store"], body["status"]) == ("A001", "STORE001", "waiting")
    assert body["quoted_wait_minutes"] == 0
    assert body["position"]["position"] == 1
    second = kiosk.post(TICKETS, {"party_size": 1}, format="json").json()
    assert (second["code"], second["position"]["ahead"], second["quoted_wait_minutes"]) == ("A002", 1, 60)

    url = f"/api/v1/waitlist/position/{second['token']}/"
    seen = anon_client.get(url)
    assert seen.status_code == 200
    assert seen.json()["position"] == 2 and seen.json()["code"] == "A002"
    assert "phone" not in seen.json() and "token" not in seen.json()
    # The first party is seated: the second moves up.
    assert kiosk.post(f"{TICKETS}{body['id']}/seat/", {"table_number": "A1"}, format="json").status_code == 200
    now = anon_client.get(url).json()
    assert (now["position"], now["ahead"], now["estimated_wait_minutes"]) == (1, 0, 60)
    assert anon_client.get("/api/v1/waitlist/position/not-a-token/").status_code == 404


def test_kiosk_needs_a_store_account(actors, client_for, anon_client):
    assert anon_client.post(TICKETS, {"party_size": 2}, format="json").status_code == 401
    admin = client_for(actors.admin)
    assert admin.post(TICKETS, {"party_size": 2}, format="json").json() == {"store": ["Name the store."]}
    assert admin.post(TICKETS, {"party_size": 2, "store": "STORE002"}, format="json").json()["code"] == "A001"
    manager = client_for(actors.manager)
    assert manager.post(TICKETS, {"party_size": 2, "store": "STORE002"}, format="json").status_code == 404
    bad = manager.post(TICKETS, {"party_size": 0, "phone": "x" * 40}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"party_size", "phone"}


def test_moves_and_refusals(actors, client_for):
    staff = client_for(actors.staff)
    ticket = waitlist_ticket_issue(actor=actors.staff, store=actors.store, party_size=3)
    url = f"{TICKETS}{ticket.pk}/"
    assert staff.post(url + "skip/", {}, format="json").json()["allowed"] == ["called", "seated", "cancelled"]
    called = staff.post(url + "call/", {}, format="json")
    assert called.status_code == 200 and called.json()["call_count"] == 1
    assert staff.post(url + "call/", {}, format="json").json()["call_count"] == 2
    assert staff.post(url + "seat/", {"table_number": "nope"}, format="json").json() == {
        "table_number": ["No such table."]
    }
    skipped = staff.post(url + "skip/", {"reason": "no answer"}, format="json").json()
    assert (skipped["status"], skipped["reason"]) == ("skipped", "no answer")
    refused = staff.post(url + "cancel/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition" and refused.json()["allowed"] == []


def test_other_stores_tickets_are_404(actors, client_for):
    theirs = waitlist_ticket_issue(actor=actors.other_staff, store=actors.other_store, party_size=2)
    staff = client_for(actors.staff)
    assert staff.get(f"{TICKETS}{theirs.pk}/").status_code == 404
    assert staff.post(f"{TICKETS}{theirs.pk}/call/", {}, format="json").status_code == 404
    assert staff.get(TICKETS).json()["results"] == []
    assert staff.get(f"{TICKETS}board/", {"store": "STORE002"}).status_code == 404
    assert WaitlistTicket.objects.get(pk=theirs.pk).status == "waiting"
    assert client_for(actors.admin).get(f"{TICKETS}{theirs.pk}/").json()["code"] == "A001"


def test_board(actors, client_for):
    for size in (2, 2, 4, 6):
        waitlist_ticket_issue(actor=actors.staff, store=actors.store, party_size=size)
    first = WaitlistTicket.objects.get(band="A", number=1)
    client = client_for(actors.staff)
    client.post(f"{TICKETS}{first.pk}/call/", {}, format="json")
    board = client.get(f"{TICKETS}board/").json()
    assert board["store"] == "STORE001"
    a, b, c = board["bands"]
    assert (a["code"], a["name"], a["waiting"], [t["code"] for t in a["called"]]) == ("A", "Small table", 1, ["A001"])
    assert [t["code"] for t in a["next"]] == ["A002"]
    assert (b["min_party"], b["max_party"], b["issued"]) == (3, 4, 1)
    assert (c["max_party"], [t["code"] for t in c["next"]]) == (None, ["C001"])


def test_list_query_count_does_not_depend_on_page_size(actors, client_for):
    client = client_for(actors.manager)

    def make(n):
        for _ in range(n):
            table = TableFactory(store=actors.store)
            WaitlistTicketFactory(store=actors.store, table=table, status="seated")

    few, many = assert_constant_queries(make, lambda: client.get(TICKETS, {"page_size": 100}))
    assert len(many.json()["results"]) == 50
    assert many.json()["results"][0]["table_number"]
