"""The reservation list is built from rows (reservations.selectors.reservation_payloads); it must
stay equal, byte for byte, to ReservationSerializer over model instances, whatever the time zone."""

import datetime as dt

import pytest
from django.db.models import Prefetch
from django.utils import timezone

from reservations.models import Reservation
from reservations.selectors import reservation_payloads, reservation_rows
from reservations.serializers import ReservationSerializer
from reservations.tests.factories import ReservationFactory
from stores.models import Table
from stores.tests.factories import TableFactory
from zhilian.api.renderers import JSONRenderer

DAY = dt.date(2026, 11, 20)


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def instances():
    tables = Prefetch("tables", queryset=Table.objects.order_by("number"))
    return Reservation.objects.prefetch_related(tables).order_by("starts_at", "id")


@pytest.fixture
def bookings(store, other_store, manager):
    tables = [TableFactory(store=store, number=n, room_name=r) for n, r in (("B9", ""), ("A1", ""), ("V2", "牡丹厅"))]
    ReservationFactory(store=store, reservation_date=DAY, reservation_time=dt.time(12), id="R-1", tables=tables)
    ReservationFactory(store=store, reservation_date=DAY, reservation_time=dt.time(19, 30), id="R-2",
                       reservation_type=Reservation.Type.BANQUET, banquet_details={"menu": "set A", "tables": [1, 2]},
                       dietary_restrictions=["no pork", "素食"], estimated_budget_cents=5000_00, deposit_cents=500_00,
                       created_by=manager, notes="窗边", special_requests="cake")  # fmt: skip
    ReservationFactory(store=store, reservation_date=DAY, reservation_time=dt.time(12), id="R-0", tables=tables[1:2])
    Reservation.objects.filter(pk="R-1").update(confirmed_at=timezone.now(), status=Reservation.Status.CONFIRMED)
    ReservationFactory(store=other_store, reservation_date=DAY)
    return store


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_reservation_payloads_equal_the_serializer(bookings, zone):
    with timezone.override(zone):
        fast = reservation_payloads(reservation_rows().order_by("starts_at", "id"))
        declared = ReservationSerializer(instances(), many=True).data
    assert len(fast) == 4
    assert rendered(fast) == rendered(declared)
    assert [list(p) for p in fast] == [list(p) for p in declared]  # same keys, same order
    assert [t["number"] for t in fast[1]["tables"]] == ["A1", "B9", "V2"]


def test_reservation_list_answers_as_the_serializer(bookings, manager, client_for):
    client = client_for(manager)
    body = client.get("/api/v1/reservations/", {"store": bookings.pk, "date": DAY.isoformat()}).json()
    assert body["count"] == 3
    assert rendered(body["results"]) == rendered(
        ReservationSerializer(instances().filter(store=bookings), many=True).data
    )
    page = client.get("/api/v1/reservations/", {"ordering": "-reservation_time", "page_size": 1}).json()
    assert [r["id"] for r in page["results"]] == ["R-2"]
    assert client.get("/api/v1/reservations/", {"search": "R-1"}).json()["count"] == 1
