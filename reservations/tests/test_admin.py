import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from reservations.admin import ReservationTableFormSet
from reservations.models import Reservation
from reservations.tests.conftest import numbers
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import TableFactory
from zhilian.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reservations_reservation_add")
CHANGELIST = reverse("admin:reservations_reservation_changelist")


@pytest.fixture
def admin_client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def web(manager, admin_client_for):
    return admin_client_for(manager)


def form_data(day, tables=(), initial=0, **fields):
    data = {
        "store": "STORE001",
        "reservation_type": "regular",
        "customer_name": "Chen Jing",
        "customer_phone": "13700000000",
        "customer_email": "",
        "party_size": "4",
        "reservation_date": day.isoformat(),
        "reservation_time": "18:00",
        "duration_minutes": "120",
        "room_name": "",
        "banquet_details": "{}",
        "estimated_budget_cents": "0",
        "deposit_cents": "0",
        "special_requests": "",
        "dietary_restrictions": "[]",
        "notes": "",
        "table_links-TOTAL_FORMS": str(len(tables)),
        "table_links-INITIAL_FORMS": str(initial),
        "table_links-MIN_NUM_FORMS": "0",
        "table_links-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, table in enumerate(tables):
        data[f"table_links-{i}-table"] = str(table.pk)
    data.update(fields)
    return data


def errors_of(response) -> str:
    assert response.status_code == 200, "expected the form again, with errors"
    parts = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        parts += [str(inline.formset.non_form_errors()), str(inline.formset.errors)]
    return " ".join(parts)


def test_add_books_through_the_service(floor, day, web, manager):
    response = web.post(ADD, form_data(day, [floor.A3], estimated_budget_cents="1234.50"))
    assert response.status_code == 302, errors_of(response)
    reservation = Reservation.objects.get()
    assert reservation.id == f"STORE001-R{day:%Y%m%d}-0001"
    assert numbers(reservation.tables.all()) == ["A3"]
    assert reservation.estimated_budget_cents == 123450  # edited in yuan
    assert reservation.created_by == manager
    assert reservation.starts_at.date() == day


def test_add_without_tables_assigns_the_best_fit(floor, day, web):
    response = web.post(ADD, form_data(day, party_size="3"))
    assert response.status_code == 302, errors_of(response)
    assert numbers(Reservation.objects.get().tables.all()) == ["A3"]


def test_double_booking_is_a_form_error(floor, day, web, book):
    book(floor.store, [floor.A3])
    response = web.post(ADD, form_data(day, [floor.A3], reservation_time="19:00"))
    assert "already reserved" in errors_of(response)
    assert Reservation.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reservation_time": "15:00"}, "opening interval"),
        ({"reservation_date": "2020-01-01"}, "past"),
        ({"party_size": "9"}, "does not fit"),
    ],
)
def test_rules_are_form_errors(floor, day, web, fields, message):
    response = web.post(ADD, form_data(day, [floor.A3], **fields))
    assert message in errors_of(response)
    assert not Reservation.objects.exists()


def test_other_stores_table_cannot_be_chosen(floor, day, web, other_store):
    theirs = TableFactory(store=other_store, number="Z1")
    response = web.post(ADD, form_data(day, [theirs]))
    assert "Select a valid choice" in errors_of(response)
    assert not Reservation.objects.exists()


def test_change_rechecks_and_replaces_tables(floor, day, web, book):
    book(floor.store, [floor.A4], reservation_time=dt.time(19, 0))
    mine = book(floor.store, [floor.A3], party_size=4)
    url = reverse("admin:reservations_reservation_change", args=[mine.pk])
    link = mine.table_links.get()
    existing = {"table_links-0-id": str(link.pk), "table_links-0-reservation": mine.pk}
    data = form_data(day, [floor.A4], initial=1, **existing)
    data.pop("store")
    response = web.post(url, data)
    assert "already reserved" in errors_of(response)
    data["table_links-0-table"] = str(floor.A5.pk)
    response = web.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert numbers(Reservation.objects.get(pk=mine.pk).tables.all()) == ["A5"]


def test_finished_reservation_is_read_only(floor, web, store):
    done = ReservationFactory(store=store, status="completed", tables=[floor.A3])
    url = reverse("admin:reservations_reservation_change", args=[done.pk])
    response = web.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_actions_move_through_the_service(floor, web, store, book):
    pending = book(floor.store, [floor.A3])
    seated = ReservationFactory(store=store, status="seated")
    # The action form posts to the page's own URL, filters included (the list shows every date here).
    response = web.post(
        f"{CHANGELIST}?when=all", {"action": "mark_confirmed", "_selected_action": [pending.pk, seated.pk]}, follow=True
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("1 reservation moved to Confirmed" in t for t in texts)
    assert any(t.startswith(f"{seated.pk}:") for t in texts)
    assert Reservation.objects.get(pk=pending.pk).status == "confirmed"
    assert Reservation.objects.get(pk=pending.pk).confirmed_at is not None
    assert Reservation.objects.get(pk=seated.pk).status == "seated"
    web.post(f"{CHANGELIST}?when=all", {"action": "mark_cancelled", "_selected_action": [pending.pk]})
    cancelled = Reservation.objects.get(pk=pending.pk)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Cancelled in the admin")


def test_changelist_is_scoped_and_query_count_constant(floor, web, store, other_store):
    theirs = ReservationFactory(store=other_store)

    def make_rows(n):
        for _ in range(n):
            table = TableFactory(store=store, number=f"L{make_rows.count}")
            make_rows.count += 1
            ReservationFactory(store=store, tables=[table])

    make_rows.count = 0
    few, many = assert_constant_queries(make_rows, lambda: web.get(CHANGELIST, {"when": "all"}))
    assert many.status_code == 200
    assert theirs.pk not in many.content.decode()


def test_other_stores_reservation_is_not_found(floor, web, other_store):
    theirs = ReservationFactory(store=other_store)
    response = web.get(reverse("admin:reservations_reservation_change", args=[theirs.pk]))
    assert response.status_code == 302  # Django redirects "does not exist" to the admin index
    assert "STORE002" not in response.content.decode()


def test_add_page_renders(floor, web):
    response = web.get(ADD)
    assert response.status_code == 200
    assert b"table_links-TOTAL_FORMS" in response.content


def test_a_booking_lost_between_validation_and_save_rolls_back_with_a_message(floor, day, web, book, monkeypatch):
    book(floor.store, [floor.A3])

    # Simulate a concurrent booking that lands after the form was validated.
    def clean_without_checks(formset):
        formset.instance._admin_tables = [f.cleaned_data["table"] for f in formset.forms if f.cleaned_data]

    monkeypatch.setattr(ReservationTableFormSet, "clean", clean_without_checks)
    response = web.post(ADD, form_data(day, [floor.A3], reservation_time="19:00"), follow=True)
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("already reserved" in t for t in texts)
    assert Reservation.objects.count() == 1


def test_the_changelist_opens_on_today_in_arrival_order_with_quick_day_filters(floor, web, store):
    from django.utils import timezone

    today = timezone.localdate()
    late = ReservationFactory(store=store, reservation_date=today, reservation_time=dt.time(19, 30))
    early = ReservationFactory(store=store, reservation_date=today, reservation_time=dt.time(11, 0))
    tomorrow = ReservationFactory(store=store, reservation_date=today + dt.timedelta(days=1))
    next_week = ReservationFactory(store=store, reservation_date=today + dt.timedelta(days=5))
    far = ReservationFactory(store=store, reservation_date=today + dt.timedelta(days=40))
    past = ReservationFactory(store=store, reservation_date=today - dt.timedelta(days=3))

    def shown(**params):
        response = web.get(CHANGELIST, params)
        assert response.status_code == 200
        return [obj.pk for obj in response.context["cl"].result_list]

    assert shown() == [early.pk, late.pk]  # today, in the order the guests arrive
    assert shown(when="tomorrow") == [tomorrow.pk]
    assert shown(when="next7") == [early.pk, late.pk, tomorrow.pk, next_week.pk]
    assert shown(when="past") == [past.pk]
    assert set(shown(when="all")) == {early.pk, late.pk, tomorrow.pk, next_week.pk, far.pk, past.pk}
    # A search looks at every date unless a day range is chosen.
    assert far.pk in shown(q=far.customer_phone)
    body = web.get(CHANGELIST).content.decode()
    assert "?when=tomorrow" in body and "?when=all" in body
