import datetime as dt

import pytest

from reservations.models import Reservation
from reservations.tests.conftest import LUNCH_AND_DINNER, future_weekday
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import TableFactory
from zhilian.testing.api import APIResourceTests
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/reservations/"
AVAILABILITY = f"{URL}availability/"
DAY = future_weekday(2)


def body(table_ids=(), **fields):
    return {
        "customer_name": "Zhang San",
        "customer_phone": "13912345678",
        "reservation_date": DAY.isoformat(),
        "reservation_time": "18:00",
        "duration_minutes": 120,
        "party_size": 4,
        **({"tables": [str(pk) for pk in table_ids]} if table_ids else {}),
        **fields,
    }


class TestReservationResource(APIResourceTests):
    list_url = URL

    def make(self, store, **kwargs):
        table = TableFactory(store=store)
        return ReservationFactory(store=store, tables=[table], **kwargs)

    def create_payload(self, actors):
        return body([TableFactory(store=actors.store, capacity=4).pk])

    def update_payload(self, obj):
        return {"customer_name": "Zhang Updated", "notes": "near the window"}

    def check_created(self, obj, payload):
        assert obj.customer_name == "Zhang San"
        assert [str(t.pk) for t in obj.tables.all()] == payload["tables"]
        assert obj.status == Reservation.Status.PENDING


@pytest.fixture
def manager_client(manager, client_for):
    return client_for(manager)


# --- create --------------------------------------------------------------------------------------
def test_create_shows_tables_and_ignores_server_fields(floor, manager_client):
    response = manager_client.post(
        URL,
        body([floor.A3.pk], id="HACKED", status="completed", confirmed_at="2020-01-01T00:00:00Z"),
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] == f"STORE001-R{DAY:%Y%m%d}-0001"
    assert data["store"] == "STORE001"  # filled for a manager
    assert data["status"] == "pending"
    assert data["confirmed_at"] is None
    assert data["tables"] == [{"id": str(floor.A3.pk), "number": "A3", "capacity": 4, "kind": "hall", "room_name": ""}]
    assert data["starts_at"].startswith(f"{DAY.isoformat()}T18:00:00")


def test_create_without_tables_assigns_the_best_fit(floor, manager_client):
    response = manager_client.post(URL, body(party_size=3), format="json")
    assert response.status_code == 201, response.content
    assert [t["number"] for t in response.json()["tables"]] == ["A3"]


def test_create_when_nothing_fits_is_409(floor, manager_client):
    response = manager_client.post(URL, body(party_size=60), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "unavailable"


def test_double_booking_is_409_naming_the_tables(floor, manager_client):
    assert manager_client.post(URL, body([floor.A3.pk]), format="json").status_code == 201
    response = manager_client.post(URL, body([floor.A3.pk], reservation_time="19:00"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "unavailable"
    assert response.json()["tables"] == ["A3"]
    assert manager_client.post(URL, body([floor.A3.pk], reservation_time="20:00"), format="json").status_code == 201


def test_table_of_another_store_is_400_naming_tables(floor, other_store, manager_client, client_for, admin_user):
    theirs = TableFactory(store=other_store, capacity=4)
    response = manager_client.post(URL, body([theirs.pk]), format="json")
    assert response.status_code == 400
    assert "tables" in response.json()
    # An admin sees every table, and is still refused a table outside the reservation's store.
    response = client_for(admin_user).post(URL, body([theirs.pk], store="STORE001"), format="json")
    assert response.status_code == 400
    assert "another store" in response.json()["tables"][0]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"reservation_date": "2020-01-01"}, "reservation_date"),  # past
        ({"reservation_date": "9999-12-31", "reservation_time": "21:00"}, "reservation_date"),  # too far ahead
        ({"reservation_date": "0001-01-01"}, "reservation_date"),
        ({"reservation_time": "15:00"}, "reservation_time"),  # the afternoon break
        ({"party_size": 9}, "party_size"),  # larger than A3
        ({"party_size": 0}, "party_size"),
        ({"party_size": 10**12}, "party_size"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"reservation_date": "2026-02-30"}, "reservation_date"),
        ({"reservation_time": "25:00"}, "reservation_time"),
        ({"reservation_type": "wedding"}, "reservation_type"),
        ({"estimated_budget_cents": 10**30}, "estimated_budget_cents"),
        ({"deposit_cents": -1}, "deposit_cents"),
        ({"estimated_budget_cents": 100, "deposit_cents": 500}, "deposit_cents"),
        ({"banquet_details": ["not", "an", "object"]}, "banquet_details"),
        ({"dietary_restrictions": "no pork"}, "dietary_restrictions"),
        ({"tables": ["not-a-uuid"]}, "tables"),
        ({"tables": "A3"}, "tables"),
    ],
)
def test_bad_input_is_400_naming_the_field(floor, manager_client, fields, error_field):
    response = manager_client.post(URL, body([floor.A3.pk], **fields), format="json")
    assert response.status_code == 400, response.content
    assert error_field in response.json()
    assert not Reservation.objects.exists()


def test_staff_creates_and_moves_but_cannot_delete(floor, staff, client_for):
    client = client_for(staff)
    created = client.post(URL, body([floor.A3.pk]), format="json")
    assert created.status_code == 201
    rid = created.json()["id"]
    assert client.post(f"{URL}{rid}/transition/", {"status": "confirmed"}, format="json").status_code == 200
    assert client.delete(f"{URL}{rid}/").status_code == 403
    assert client.patch(f"{URL}{rid}/", {"notes": "x"}, format="json").status_code == 403


# --- update ------------------------------------------------------------------------------------
def test_patch_rechecks_the_slot(floor, manager_client, book):
    book(floor.store, [floor.A4], reservation_time=dt.time(18, 0))
    mine = book(floor.store, [floor.A3], reservation_time=dt.time(12, 0))
    response = manager_client.patch(f"{URL}{mine.pk}/", {"tables": [str(floor.A4.pk)]}, format="json")
    assert response.status_code == 200, response.content  # A4 is free at noon
    response = manager_client.patch(f"{URL}{mine.pk}/", {"reservation_time": "18:30"}, format="json")
    assert response.status_code == 409
    response = manager_client.patch(f"{URL}{mine.pk}/", {"reservation_time": "18:30", "tables": []}, format="json")
    assert response.status_code == 200, response.content
    assert [t["number"] for t in response.json()["tables"]] == ["A1"]
    assert response.json()["reservation_time"] == "18:30:00"


def test_patch_cannot_move_store(floor, manager_client, book, other_store):
    mine = book(floor.store, [floor.A3])
    response = manager_client.patch(f"{URL}{mine.pk}/", {"store": "STORE002"}, format="json")
    assert response.status_code == 400


def test_patch_after_arrival_is_409_locked(floor, manager_client, book):
    mine = book(floor.store, [floor.A3])
    Reservation.objects.filter(pk=mine.pk).update(status="seated")
    response = manager_client.patch(f"{URL}{mine.pk}/", {"party_size": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "locked"


# --- transition ------------------------------------------------------------------------------
def test_transition_moves_and_stamps(floor, manager_client, book):
    mine = book(floor.store, [floor.A3])
    response = manager_client.post(f"{URL}{mine.pk}/transition/", {"status": "confirmed"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["confirmed_at"] is not None
    assert response.json()["tables"][0]["number"] == "A3"


def test_forbidden_transition_is_409_with_allowed(floor, manager_client, book):
    mine = book(floor.store, [floor.A3])
    response = manager_client.post(f"{URL}{mine.pk}/transition/", {"status": "seated"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["allowed"] == ["confirmed", "cancelled", "no_show"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"status": "eaten"}, "status"), ({}, "status"), ({"status": "cancelled"}, "reason"), ([1, 2], None)],
)
def test_bad_transition_body_is_400(floor, manager_client, book, payload, field):
    mine = book(floor.store, [floor.A3])
    response = manager_client.post(f"{URL}{mine.pk}/transition/", payload, format="json")
    assert response.status_code == 400
    if field:
        assert field in response.json()


def test_transition_of_another_stores_reservation_is_404(other_store, manager_client):
    theirs = ReservationFactory(store=other_store)
    response = manager_client.post(f"{URL}{theirs.pk}/transition/", {"status": "confirmed"}, format="json")
    assert response.status_code == 404


# --- availability ----------------------------------------------------------------------------
def test_availability_for_own_store(floor, manager_client, book):
    book(floor.store, [floor.A5], party_size=6)
    params = {"date": DAY.isoformat(), "time": "18:30", "party_size": 7, "duration": 90}
    response = manager_client.get(AVAILABILITY, params)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["store"] == "STORE001"
    assert data["bookable"] is True and data["problems"] == []
    assert [t["number"] for t in data["tables"]] == ["P2", "P1", "B1"]
    assert [[t["number"] for t in combo] for combo in data["combinations"]] == [
        ["A3", "A4"],
        ["A1", "A2", "A3"],
        ["A1", "A2", "A4"],
    ]
    assert data["combinations"][0][0] == {
        "id": str(floor.A3.pk),
        "number": "A3",
        "capacity": 4,
        "kind": "hall",
        "room_name": "",
    }
    kind = manager_client.get(AVAILABILITY, {**params, "kind": "private_room"}).json()
    assert [t["number"] for t in kind["tables"]] == ["P2", "P1"]


def test_availability_outside_hours_is_not_bookable(floor, manager_client):
    response = manager_client.get(AVAILABILITY, {"date": DAY.isoformat(), "time": "15:00", "party_size": 2})
    assert response.status_code == 200
    assert response.json()["bookable"] is False
    assert response.json()["tables"] == []
    assert "opening interval" in response.json()["problems"][0]


def test_availability_of_a_past_date_is_not_bookable(floor, manager_client):
    response = manager_client.get(
        AVAILABILITY, {"date": "2020-01-01", "time": "21:00", "party_size": 2, "duration": 720}
    )
    assert response.status_code == 200
    assert response.json()["bookable"] is False


@pytest.mark.parametrize("date", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_availability_of_dates_outside_the_calendar_bounds_is_400_naming_the_date(floor, manager_client, date):
    response = manager_client.get(AVAILABILITY, {"date": date, "time": "21:00", "party_size": 2, "duration": 720})
    assert response.status_code == 400
    assert response.json() == {"date": ["Choose a date between 2000-01-01 and 2099-12-31."]}


def test_availability_of_another_store_is_404(floor, other_store, manager_client):
    params = {"store": "STORE002", "date": DAY.isoformat(), "time": "18:00", "party_size": 2}
    assert manager_client.get(AVAILABILITY, params).status_code == 404
    assert manager_client.get(AVAILABILITY, {**params, "store": "NOPE"}).status_code == 404


def test_availability_for_admin_needs_a_store(floor, other_store, admin_user, client_for):
    client = client_for(admin_user)
    other_store.business_hours = {"wed": LUNCH_AND_DINNER}
    other_store.save()
    TableFactory(store=other_store, number="Z1", capacity=4)
    params = {"date": DAY.isoformat(), "time": "18:00", "party_size": 2}
    response = client.get(AVAILABILITY, params)
    assert response.status_code == 400
    assert "store" in response.json()
    response = client.get(AVAILABILITY, {**params, "store": "STORE002"})
    assert response.status_code == 200
    assert [t["number"] for t in response.json()["tables"]] == ["Z1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "tomorrow"}, "date"),
        ({"time": "25:61"}, "time"),
        ({"party_size": 0}, "party_size"),
        ({"party_size": 10**20}, "party_size"),
        ({"party_size": "many"}, "party_size"),
        ({"duration": 5000}, "duration"),
        ({"kind": "terrace"}, "kind"),
    ],
)
def test_availability_bad_params_are_400(floor, manager_client, params, field):
    response = manager_client.get(AVAILABILITY, {"date": DAY.isoformat(), "time": "18:00", "party_size": 2, **params})
    assert response.status_code == 400
    assert field in response.json()


def test_availability_missing_params_are_400(floor, manager_client):
    response = manager_client.get(AVAILABILITY)
    assert response.status_code == 400
    assert {"date", "time", "party_size"} <= set(response.json())


def test_availability_query_count_is_constant(floor, manager_client, book):
    params = {"date": DAY.isoformat(), "time": "18:00", "party_size": 2}
    few, _ = count_queries(lambda: manager_client.get(AVAILABILITY, params))
    for n in range(15):
        book(floor.store, [TableFactory(store=floor.store, number=f"X{n}", capacity=2)])
    many, response = count_queries(lambda: manager_client.get(AVAILABILITY, params))
    assert response.status_code == 200
    assert few == many


# --- list: filters, search, ordering ---------------------------------------------------------
@pytest.fixture
def listed(store):
    day = DAY
    return {
        "a": ReservationFactory(store=store, reservation_date=day, customer_name="Alpha Chen", customer_phone="111"),
        "b": ReservationFactory(
            store=store, reservation_date=day + dt.timedelta(days=1), status="confirmed", customer_phone="222"
        ),
        "c": ReservationFactory(
            store=store,
            reservation_date=day + dt.timedelta(days=5),
            status="cancelled",
            reservation_type="banquet",
            party_size=20,
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": ["pending", "confirmed"]}, {"a", "b"}),
        ({"status": "cancelled"}, {"c"}),
        ({"reservation_type": "banquet"}, {"c"}),
        ({"date": DAY.isoformat()}, {"a"}),
        ({"date_from": (DAY + dt.timedelta(days=1)).isoformat()}, {"b", "c"}),
        ({"date_from": DAY.isoformat(), "date_to": (DAY + dt.timedelta(days=1)).isoformat()}, {"a", "b"}),
        ({"customer_phone": "222"}, {"b"}),
        ({"search": "alpha"}, {"a"}),
        ({"search": "111"}, {"a"}),
        ({"store": "STORE001"}, {"a", "b", "c"}),
        ({"store": "STORE002"}, set()),
        ({"party_size_min": 10}, {"c"}),
    ],
)
def test_filters(listed, manager_client, params, expected):
    response = manager_client.get(URL, params)
    assert response.status_code == 200, response.content
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {listed[k].pk for k in expected}


def test_search_by_id_and_ordering(listed, manager_client):
    response = manager_client.get(URL, {"search": listed["b"].pk})
    assert [row["id"] for row in response.json()["results"]] == [listed["b"].pk]
    response = manager_client.get(URL, {"ordering": "-reservation_date"})
    assert [row["id"] for row in response.json()["results"]] == [listed[k].pk for k in "cba"]


@pytest.mark.parametrize("params", [{"status": "eaten"}, {"date": "x"}, {"reservation_type": "y"}, {"table": "z"}])
def test_bad_filters_are_400(listed, manager_client, params):
    assert manager_client.get(URL, params).status_code == 400
