"""The reservation book's day view (grid selector, booking and moving through the services) and
the floor of now (states, API, admin page)."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from orders.tests.factories import OrderFactory
from reservations import services
from reservations.models import Reservation
from reservations.selectors import floor_state, reservation_book_grid
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import TableFactory
from zhilian.testing.queries import count_queries

pytestmark = pytest.mark.django_db

BOOK = reverse("admin:reservations_reservation_book")
SLOT = reverse("admin:reservations_reservation_book_slot")
MOVE = reverse("admin:reservations_reservation_book_move")
FLOOR = reverse("admin:reservations_reservation_floor")
FLOOR_API = "/api/v1/floor/"


@pytest.fixture
def web(manager):
    client = Client()
    client.force_login(manager)
    return client


def cells(grid, number):
    return next(t for area in grid["areas"] for t in area["tables"] if t["number"] == number)["cells"]


# --- the grid selector ---------------------------------------------------------------------------


def test_grid_covers_the_business_hours_in_slots_and_groups_tables_by_area(floor, day):
    grid = reservation_book_grid(store=floor.store, day=day, step=30)
    labels = [s["label"] for s in grid["slots"]]
    assert labels[0] == "10:30" and labels[-1] == "21:30" and len(labels) == 23
    closed = [s["label"] for s in grid["slots"] if not s["open"]]
    assert closed == ["14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    assert [(a["kind"], a["room_name"], [t["number"] for t in a["tables"]]) for a in grid["areas"]] == [
        ("hall", "", ["A1", "A2", "A3", "A4", "A5"]),  # A9 is out of service
        ("private_room", "Orchid", ["P2"]),
        ("private_room", "Peony", ["P1"]),
        ("banquet_hall", "Grand Hall", ["B1"]),
    ]
    assert len(reservation_book_grid(store=floor.store, day=day, step=15)["slots"]) == 46
    monday = day - dt.timedelta(days=2)
    assert reservation_book_grid(store=floor.store, day=monday)["slots"] == []


def test_a_booking_is_one_block_over_its_slots_and_joined_tables_one_block_over_their_rows(floor, day, book):
    single = book(floor.store, [floor.A3], reservation_time=dt.time(18, 0), duration_minutes=90, party_size=4)
    joined = book(floor.store, [floor.A1, floor.A2], reservation_time=dt.time(11, 0), party_size=4)
    grid = reservation_book_grid(store=floor.store, day=day, step=30)
    a3 = cells(grid, "A3")
    block = next(c for c in a3 if c["type"] == "booking")
    assert (block["id"], block["colspan"], block["rowspan"], block["joined"]) == (single.pk, 3, 1, False)
    # 23 slots, three of them in one block: 21 cells in the row.
    assert len(a3) == 21
    a1, a2 = cells(grid, "A1"), cells(grid, "A2")
    block = next(c for c in a1 if c["type"] == "booking")
    assert (block["id"], block["colspan"], block["rowspan"], block["joined"]) == (joined.pk, 4, 2, True)
    # A2's slots lie under A1's block: A2 has no cell of its own there and no block.
    assert len(a1) == 20 and len(a2) == 19 and all(c["type"] == "free" for c in a2)
    assert grid["bookings"][joined.pk]["tables"] == ["A1", "A2"]
    assert grid["bookings"][joined.pk]["start_label"] == "11:00" and grid["bookings"][joined.pk]["end_label"] == "13:00"


def test_joined_tables_that_are_not_neighbours_show_one_block_per_row(floor, day, book):
    joined = book(floor.store, [floor.A1, floor.A3], reservation_time=dt.time(18, 0), party_size=5)
    grid = reservation_book_grid(store=floor.store, day=day)
    for number in ("A1", "A3"):
        block = next(c for c in cells(grid, number) if c["type"] == "booking")
        assert (block["id"], block["rowspan"], block["joined"]) == (joined.pk, 1, True)
    assert all(c["type"] == "free" for c in cells(grid, "A2"))


def test_cancelled_bookings_leave_their_slots_free(floor, day, book):
    gone = book(floor.store, [floor.A3])
    services.reservation_transition(reservation=gone, status="cancelled", reason="ill")
    grid = reservation_book_grid(store=floor.store, day=day)
    assert gone.pk not in grid["bookings"]
    assert all(c["type"] == "free" for c in cells(grid, "A3"))


def test_grid_queries_do_not_grow_with_tables_or_bookings(floor, day, book):
    counts = []
    for round_ in range(2):
        for n in range(6 if round_ else 1):
            table = TableFactory(store=floor.store, number=f"C{round_}{n}", capacity=4)
            book(floor.store, [table], reservation_time=dt.time(11 + n % 2, 0), customer_name=f"G{round_}{n}")
        queries, grid = count_queries(lambda: reservation_book_grid(store=floor.store, day=day))
        counts.append(queries)
    assert len(grid["bookings"]) == 7
    assert counts[0] == counts[1] == 3, counts


# --- the day view page ---------------------------------------------------------------------------


def test_day_view_shows_the_tables_and_the_bookings(web, floor, day, book):
    booked = book(floor.store, [floor.A1, floor.A2], customer_name="Zhou Min", party_size=4)
    response = web.get(BOOK, {"day": day.isoformat()})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="bk-grid"' in body and 'data-table="A5"' in body and 'data-table="A9"' not in body
    assert f'data-reservation="{booked.pk}"' in body and "Zhou Min" in body and "A1+A2" in body
    assert 'rowspan="2"' in body
    assert f"{MOVE}?reservation={booked.pk}" in body
    # Free open slots link to the booking form; closed ones do not.
    assert f"{SLOT}?store=STORE001&amp;day={day.isoformat()}&amp;time=11%3A00&amp;table={floor.A3.pk}" in body
    assert "time=15%3A00" not in body


def test_day_view_defaults_to_today_and_links_the_neighbour_days(web, floor):
    today = timezone.localdate()
    response = web.get(BOOK)
    assert response.status_code == 200
    assert response.context["day"] == today
    body = response.content.decode()
    assert f"day={(today + dt.timedelta(days=1)).isoformat()}" in body
    assert f"day={(today - dt.timedelta(days=1)).isoformat()}" in body


def test_manager_of_another_store_gets_404(floor, day, book, other_manager):
    booked = book(floor.store, [floor.A3])
    client = Client()
    client.force_login(other_manager)
    assert client.get(BOOK, {"store": "STORE001", "day": day.isoformat()}).status_code == 404
    assert client.get(FLOOR, {"store": "STORE001"}).status_code == 404
    assert client.get(MOVE, {"reservation": booked.pk}).status_code == 404
    response = client.post(
        f"{MOVE}?reservation={booked.pk}",
        {"reservation_date": day.isoformat(), "reservation_time": "20:00", "duration_minutes": "60"},
    )
    assert response.status_code == 404
    query = urlencode({"store": "STORE001", "day": day.isoformat(), "time": "18:00", "table": floor.A1.pk})
    assert client.get(f"{SLOT}?{query}").status_code == 404
    booked.refresh_from_db()
    assert booked.reservation_time == dt.time(18, 0)


def slot_url(day, time, table):
    return f"{SLOT}?{urlencode({'store': 'STORE001', 'day': day.isoformat(), 'time': time, 'table': table.pk})}"


def test_booking_a_free_slot_creates_the_reservation_through_the_service(
    web, floor, day, sent, manager, django_capture_on_commit_callbacks
):
    url = slot_url(day, "18:30", floor.A3)
    form = web.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["duration_minutes"] == 120
    assert form.context["form"].initial["tables"] == [floor.A3.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            url,
            {
                "customer_name": "Sun Li",
                "customer_phone": "13912345678",
                "party_size": "3",
                "reservation_date": day.isoformat(),
                "reservation_time": "18:30",
                "duration_minutes": "90",
                "tables": [str(floor.A3.pk)],
            },
        )
    assert response.status_code == 302
    assert response["Location"].startswith(BOOK) and f"day={day.isoformat()}" in response["Location"]
    reservation = Reservation.objects.get(customer_phone="13912345678")
    assert (reservation.customer_name, reservation.party_size, reservation.duration_minutes) == ("Sun Li", 3, 90)
    assert reservation.reservation_time == dt.time(18, 30) and reservation.status == "pending"
    assert [t.number for t in reservation.tables.all()] == ["A3"]
    assert reservation.created_by == manager
    assert reservation.id.startswith(f"STORE001-R{day:%Y%m%d}-")
    assert [e["type"] for _g, e in sent if e["type"].startswith("reservation.")] == ["reservation.created"]


def test_booking_from_the_dialog_answers_204_with_the_book_to_reload(web, floor, day):
    response = web.post(
        slot_url(day, "11:00", floor.A1),
        {
            "customer_name": "Wu Hao",
            "customer_phone": "13900000001",
            "party_size": "2",
            "reservation_date": day.isoformat(),
            "reservation_time": "11:00",
            "duration_minutes": "60",
            "tables": [],  # none ticked: the best free fit
        },
        headers={"X-Book-Dialog": "1"},
    )
    assert response.status_code == 204
    assert response["X-Book-Location"].startswith(BOOK)
    assert Reservation.objects.get(customer_name="Wu Hao").tables.get().number == "A1"


def test_a_refused_booking_shows_the_service_message_and_books_nothing(web, floor, day, book):
    book(floor.store, [floor.A3], reservation_time=dt.time(18, 0))
    data = {
        "customer_name": "Sun Li",
        "customer_phone": "13912345678",
        "party_size": "2",
        "reservation_date": day.isoformat(),
        "reservation_time": "19:00",
        "duration_minutes": "60",
        "tables": [str(floor.A3.pk)],
    }
    response = web.post(slot_url(day, "19:00", floor.A3), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="bk-refusal"' in body and "Tables A3 are already reserved at that time." in body
    # Capacity and hours: the service's own words.
    response = web.post(slot_url(day, "19:00", floor.A1), {**data, "party_size": "5", "tables": [str(floor.A1.pk)]})
    assert "A party of 5 does not fit the chosen tables (2 seats)." in response.content.decode()
    response = web.post(slot_url(day, "21:30", floor.A1), {**data, "reservation_time": "21:30", "tables": []})
    assert "within one opening interval" in response.content.decode()
    assert Reservation.objects.filter(customer_name="Sun Li").count() == 0


def test_moving_a_booking_to_a_free_table_and_time(web, floor, day, book, sent, django_capture_on_commit_callbacks):
    booked = book(floor.store, [floor.A3])
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            f"{MOVE}?reservation={booked.pk}",
            {
                "reservation_date": day.isoformat(),
                "reservation_time": "19:00",
                "duration_minutes": "120",
                "tables": [str(floor.A4.pk)],
            },
        )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.reservation_time == dt.time(19, 0)
    assert [t.number for t in booked.tables.all()] == ["A4"]
    assert [e["type"] for _g, e in sent if e["type"].startswith("reservation.")] == ["reservation.updated"]


def test_a_conflicting_move_shows_the_refusal_and_changes_nothing(web, floor, day, book):
    booked = book(floor.store, [floor.A3], customer_name="Li Wei")
    book(floor.store, [floor.A4], reservation_time=dt.time(19, 0), customer_name="Wang Fang")
    response = web.post(
        f"{MOVE}?reservation={booked.pk}",
        {
            "reservation_date": day.isoformat(),
            "reservation_time": "18:30",
            "duration_minutes": "120",
            "tables": [str(floor.A4.pk)],
        },
        headers={"X-Book-Dialog": "1"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="bk-refusal"' in body and "Tables A4 are already reserved at that time." in body
    booked.refresh_from_db()
    assert booked.reservation_time == dt.time(18, 0)
    assert [t.number for t in booked.tables.all()] == ["A3"]


def test_a_seated_booking_is_not_offered_for_a_move(web, floor, day, book):
    booked = book(floor.store, [floor.A3])
    Reservation.objects.filter(pk=booked.pk).update(status="seated")
    body = web.get(BOOK, {"day": day.isoformat()}).content.decode()
    assert f'data-reservation="{booked.pk}"' in body and f"{MOVE}?reservation={booked.pk}" not in body
    assert web.get(MOVE, {"reservation": booked.pk}).status_code == 403


def test_bad_slot_parameters_never_answer_500(web, floor):
    assert web.get(SLOT, {"day": "nonsense", "time": "25:99", "table": "x"}).status_code == 200
    assert web.get(BOOK, {"day": "2026-13-45", "step": "7"}).status_code == 200
    assert web.get(MOVE, {"reservation": "nope"}).status_code == 404


# --- the floor ------------------------------------------------------------------------------------


@pytest.fixture
def open_now(floor):
    """The store open all day, every day (the floor is about now, whatever the clock says)."""
    floor.store.business_hours = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    floor.store.save(update_fields=["business_hours"])
    return floor


def states(state):
    return {t["number"]: t["state"] for t in state["tables"]}


def test_floor_states_from_orders_and_reservations(open_now):
    floor = open_now
    now = timezone.now()
    # A1: an open dine-in order. A2: a seated reservation. A3: a booking in 20 minutes.
    # A4: an order completed 5 minutes ago. A5: a booking in 2 hours (free now).
    # P1: an order completed 30 minutes ago (cleared by now). P2: a reservation completed 3 minutes ago.
    # B1: a takeaway order that names no table, and a cancelled booking starting now.
    OrderFactory(store=floor.store, table=floor.A1, status=Order.Status.PREPARING, guest_count=2)
    OrderFactory(
        store=floor.store, table=floor.A4, status=Order.Status.COMPLETED, completed_at=now - dt.timedelta(minutes=5)
    )
    OrderFactory(
        store=floor.store, table=floor.P1, status=Order.Status.COMPLETED, completed_at=now - dt.timedelta(minutes=30)
    )
    OrderFactory(store=floor.store, order_type=Order.Type.TAKEAWAY, status=Order.Status.PENDING)

    def at(minutes):
        local = timezone.localtime(now + dt.timedelta(minutes=minutes))
        return {"reservation_date": local.date(), "reservation_time": local.time().replace(microsecond=0)}

    ReservationFactory(store=floor.store, tables=[floor.A2], status="seated", **at(-40))
    soon = ReservationFactory(store=floor.store, tables=[floor.A3], status="confirmed", customer_name="Soon", **at(20))
    ReservationFactory(store=floor.store, tables=[floor.A5], status="confirmed", **at(120))
    ReservationFactory(
        store=floor.store,
        tables=[floor.P2],
        status="completed",
        completed_at=now - dt.timedelta(minutes=3),
        **at(-100),
    )
    ReservationFactory(store=floor.store, tables=[floor.B1], status="cancelled", **at(0))
    state = floor_state(store=floor.store, now=now)
    assert states(state) == {
        "A1": "seated",
        "A2": "seated",
        "A3": "soon",
        "A4": "clearing",
        "A5": "free",
        "P2": "clearing",
        "P1": "free",
        "B1": "free",
    }
    assert state["counts"] == {"free": 3, "soon": 1, "seated": 2, "clearing": 2}
    a3 = next(t for t in state["tables"] if t["number"] == "A3")
    assert a3["reservation"]["id"] == soon.pk and a3["reservation"]["customer_name"] == "Soon"
    assert 19 <= a3["reservation"]["minutes_to_start"] <= 20
    a1 = next(t for t in state["tables"] if t["number"] == "A1")
    assert a1["order"]["status"] == "preparing" and a1["order"]["guest_count"] == 2


def test_a_new_order_on_a_table_being_cleared_seats_it(open_now):
    floor = open_now
    now = timezone.now()
    OrderFactory(
        store=floor.store, table=floor.A1, status=Order.Status.COMPLETED, completed_at=now - dt.timedelta(minutes=2)
    )
    assert states(floor_state(store=floor.store, now=now))["A1"] == "clearing"
    OrderFactory(store=floor.store, table=floor.A1, status=Order.Status.PENDING, order_time=now)
    assert states(floor_state(store=floor.store, now=now))["A1"] == "seated"


def test_a_booking_that_started_but_is_not_seated_still_holds_the_table(open_now):
    floor = open_now
    now = timezone.now()
    local = timezone.localtime(now - dt.timedelta(minutes=10))
    ReservationFactory(
        store=floor.store,
        tables=[floor.A1],
        status="arrived",
        reservation_date=local.date(),
        reservation_time=local.time().replace(microsecond=0),
    )
    table = next(t for t in floor_state(store=floor.store, now=now)["tables"] if t["number"] == "A1")
    assert table["state"] == "soon" and table["reservation"]["minutes_to_start"] == 0


def test_floor_queries_do_not_grow_with_tables_orders_or_reservations(open_now):
    floor = open_now
    now = timezone.now()
    local = timezone.localtime(now + dt.timedelta(minutes=10))
    counts = []
    for round_, n in ((0, 1), (1, 8)):
        for i in range(n):
            table = TableFactory(store=floor.store, number=f"T{round_}{i}")
            OrderFactory(store=floor.store, table=table, status=Order.Status.SERVED)
            other = TableFactory(store=floor.store, number=f"U{round_}{i}")
            ReservationFactory(
                store=floor.store,
                tables=[other],
                status="confirmed",
                reservation_date=local.date(),
                reservation_time=local.time().replace(microsecond=0),
            )
        queries, state = count_queries(lambda: floor_state(store=floor.store, now=now))
        counts.append(queries)
    assert state["counts"]["seated"] == 9 and state["counts"]["soon"] == 9
    assert counts[0] == counts[1] == 3, counts


def test_floor_api_returns_the_states_and_scopes_the_store(open_now, client_for, manager, other_manager, staff):
    floor = open_now
    OrderFactory(store=floor.store, table=floor.A1, status=Order.Status.PENDING)
    response = client_for(manager).get(FLOOR_API)
    assert response.status_code == 200
    body = response.json()
    assert body["store"] == "STORE001" and body["soon_minutes"] == 30
    assert {t["number"]: t["state"] for t in body["tables"]}["A1"] == "seated"
    assert body["counts"]["seated"] == 1 and len(body["tables"]) == 8
    # Staff at the host stand read it too; another store's manager does not see this store.
    assert client_for(staff).get(FLOOR_API).status_code == 200
    assert client_for(other_manager).get(FLOOR_API, {"store": "STORE001"}).status_code == 404
    assert client_for(None).get(FLOOR_API).status_code == 401


def test_floor_page_renders_the_tiles_and_links_from_the_home(web, open_now):
    OrderFactory(store=open_now.store, table=open_now.A1, status=Order.Status.PENDING)
    response = web.get(FLOOR)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-table="A1" data-state="seated"' in body and 'data-table="A2" data-state="free"' in body
    assert 'id="floor-config"' in body and "/ws/stores/STORE001/" in body
    home = web.get(reverse("admin:index")).content.decode()
    assert FLOOR in home and BOOK in home


def test_floor_and_book_show_in_chinese(web, floor, day):
    web.cookies["django_language"] = "zh-hans"
    body = web.get(BOOK, {"day": day.isoformat()}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预订簿" in body and "前一天" in body
    body = web.get(FLOOR, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "空闲" in body and "即将到店" in body
