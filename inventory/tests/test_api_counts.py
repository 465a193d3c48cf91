"""Stock counts API (/api/v1/stock-counts/): open, enter counted quantities, close, read."""

import datetime as dt
from decimal import Decimal

from inventory import services
from inventory.models import InventoryTransaction, StockCount
from inventory.tests.factories import StockCountFactory
from inventory.tests.helpers import stocked
from zhilian.testing.api import APIResourceTests

D = Decimal
COUNTS = "/api/v1/stock-counts/"


class TestStockCountAPI(APIResourceTests):
    list_url = COUNTS

    def make(self, store, **kwargs):
        # Closed counts: a store has at most one open count.
        return StockCountFactory(store=store, **kwargs)

    def create_payload(self, actors):
        stocked(actors.store, 4, name="Tofu")
        return {"count_date": "2026-03-31", "notes": "month end"}

    def update_payload(self, obj):
        return {"notes": "after dinner"}

    def check_created(self, obj, payload):
        assert (obj.status, str(obj.count_date), obj.notes) == ("open", "2026-03-31", "month end")
        assert obj.opened_by.username == "manager1"
        assert [(line.item.name, line.expected_quantity) for line in obj.lines.all()] == [("Tofu", D("4"))]

    def test_invalid_body_is_400_with_field_errors(self, actors, client_for):
        # Every field has a default (an empty body opens today's count): send a bad one instead.
        response = client_for(actors.manager).post(self.list_url, {"count_date": "soon"}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["count_date"]
        assert not StockCount.objects.exists()

    def make_open(self, store, manager):
        return services.stock_count_open(store=store, user=manager)

    def test_partial_update(self, actors, client_for):
        count = self.make_open(actors.store, actors.manager)
        response = client_for(actors.manager).patch(self.detail_url(count), {"notes": "after dinner"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["notes"] == "after dinner"
        count.refresh_from_db()
        assert count.notes == "after dinner"


def _sheet(actors):
    beef = stocked(actors.store, 10, name="Beef", unit_cost_cents=80_00)
    rice = stocked(actors.store, 25, name="Rice", unit_cost_cents=6_00)
    return beef, rice


def test_open_answers_with_the_sheet(actors, client_for):
    beef, rice = _sheet(actors)
    response = client_for(actors.manager).post(COUNTS, {"count_date": "2026-03-31"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["store"], body["status"], body["line_count"], body["counted_count"]) == ("STORE001", "open", 2, 0)
    assert body["opened_by_name"] == actors.manager.full_name or actors.manager.username
    assert [(line["item"], line["expected_quantity"], line["counted_quantity"]) for line in body["lines"]] == [
        (beef.pk, "10.000", None),
        (rice.pk, "25.000", None),
    ]
    again = client_for(actors.manager).post(COUNTS, {}, format="json")
    assert again.status_code == 409, again.content
    assert again.json()["code"] == "count_open"


def test_staff_record_lines_but_neither_open_nor_close(actors, client_for):
    beef, rice = _sheet(actors)
    assert client_for(actors.staff).post(COUNTS, {}, format="json").status_code == 403
    count = services.stock_count_open(store=actors.store, user=actors.manager)
    staff = client_for(actors.staff)
    response = staff.patch(
        f"{COUNTS}{count.pk}/lines/",
        [{"item": beef.pk, "counted_quantity": "9.500"}, {"item": rice.pk, "counted_quantity": "24"}],
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counted_count"] == 2
    assert {line["item"]: line["counted_quantity"] for line in body["lines"]} == {beef.pk: "9.500", rice.pk: "24.000"}
    assert staff.post(f"{COUNTS}{count.pk}/close/").status_code == 403
    closed = client_for(actors.manager).post(f"{COUNTS}{count.pk}/close/")
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["closed_by"]) == ("closed", str(actors.manager.pk))
    rows = InventoryTransaction.objects.filter(reference_id=f"COUNT-{count.pk}").order_by("item_id")
    assert [(r.item_id, r.quantity) for r in rows] == [(beef.pk, D("-0.5")), (rice.pk, D("-1"))]


def test_lines_answer_400_per_line(actors, client_for):
    beef, rice = _sheet(actors)
    count = services.stock_count_open(store=actors.store, user=actors.manager)
    response = client_for(actors.staff).patch(
        f"{COUNTS}{count.pk}/lines/",
        {"lines": [{"item": beef.pk, "counted_quantity": "1"}, {"item": rice.pk, "counted_quantity": "abc"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"lines": [{}, {"counted_quantity": ["Enter a number."]}]}
    assert not count.lines.filter(counted_quantity__isnull=False).exists()


def test_close_with_uncounted_lines_is_409_naming_how_many(actors, client_for):
    _sheet(actors)
    count = services.stock_count_open(store=actors.store, user=actors.manager)
    response = client_for(actors.manager).post(f"{COUNTS}{count.pk}/close/")
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["uncounted"]) == ("count_incomplete", 2)


def test_a_closed_count_refuses_changes_with_409(actors, client_for):
    count = StockCountFactory(store=actors.store)
    client = client_for(actors.manager)
    assert client.patch(f"{COUNTS}{count.pk}/", {"notes": "x"}, format="json").status_code == 409
    response = client.patch(f"{COUNTS}{count.pk}/lines/", [{"item": "X", "counted_quantity": "1"}], format="json")
    assert (response.status_code, response.json()["code"]) == (409, "locked")
    assert client.post(f"{COUNTS}{count.pk}/close/").json()["code"] == "locked"
    assert client.delete(f"{COUNTS}{count.pk}/").status_code == 405


def test_another_stores_count_is_404_for_every_action(actors, client_for):
    theirs = services.stock_count_open(store=actors.other_store, user=None)
    client = client_for(actors.manager)
    for response in (
        client.get(f"{COUNTS}{theirs.pk}/"),
        client.patch(f"{COUNTS}{theirs.pk}/lines/", [], format="json"),
        client.post(f"{COUNTS}{theirs.pk}/close/"),
        client.get(f"{COUNTS}{theirs.pk}/variance/"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_list_filters(actors, client_for):
    march = StockCountFactory(store=actors.store, count_date=dt.date(2026, 3, 31))
    StockCountFactory(store=actors.store, count_date=dt.date(2026, 2, 28))
    open_ = services.stock_count_open(store=actors.store, user=actors.manager, count_date=dt.date(2026, 4, 30))
    client = client_for(actors.admin)
    ids = lambda params: [row["id"] for row in client.get(COUNTS, params).json()["results"]]  # noqa: E731
    assert ids({"store": "STORE001", "status": "open"}) == [open_.pk]
    assert ids({"store": "STORE001", "count_date_after": "2026-03-01", "count_date_before": "2026-03-31"}) == [march.pk]
    assert StockCount.objects.count() == 3


def test_variance_without_an_earlier_count_is_409(actors, client_for):
    count = StockCountFactory(store=actors.store)
    response = client_for(actors.staff).get(f"{COUNTS}{count.pk}/variance/")
    assert (response.status_code, response.json()["code"]) == (409, "no_previous_count")
