"""Stock counts in the admin: open, the editable sheet, the close button, the variance page."""

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from inventory import services
from inventory.models import InventoryTransaction, StockCount
from inventory.tests.factories import StockCountFactory
from inventory.tests.helpers import stocked

D = Decimal
LIST = reverse("admin:inventory_stockcount_changelist")
ADD = reverse("admin:inventory_stockcount_add")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(count) -> str:
    return reverse("admin:inventory_stockcount_change", args=[count.pk])


def sheet_post(count, counted: dict, **extra) -> dict:
    lines = list(count.lines.order_by("item__category", "item__name", "item_id"))
    data = {
        "notes": count.notes,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "0",
    }
    for i, line in enumerate(lines):
        data[f"lines-{i}-id"] = str(line.pk)
        data[f"lines-{i}-count"] = str(count.pk)
        value = counted.get(line.item_id, line.counted_quantity)
        data[f"lines-{i}-counted_quantity"] = "" if value is None else str(value)
    return {**data, **extra}


def _open(actors):
    beef = stocked(actors.store, 10, name="Beef", unit_cost_cents=80_00)
    rice = stocked(actors.store, 25, name="Rice", unit_cost_cents=6_00)
    return services.stock_count_open(store=actors.store, user=actors.manager), beef, rice


def test_a_manager_opens_a_count_in_the_admin(actors):
    stocked(actors.store, 3, name="Tofu")
    response = browser(actors.manager).post(ADD, {"store": actors.store.pk, "count_date": "2026-03-31", "notes": ""})
    assert response.status_code == 302, response.context["errors"] if response.context else response
    count = StockCount.objects.get()
    assert (count.status, count.opened_by, count.lines.get().expected_quantity) == ("open", actors.manager, D("3"))


def test_the_sheet_saves_counted_quantities_through_the_service(actors):
    count, beef, rice = _open(actors)
    client = browser(actors.manager)
    page = client.get(change_url(count)).content.decode()
    assert "Beef" in page and "Save and close the count" in page
    response = client.post(change_url(count), sheet_post(count, {beef.pk: "9.5"}, _continue="1"))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert dict(count.lines.values_list("item_id", "counted_quantity")) == {beef.pk: D("9.5"), rice.pk: None}
    assert not InventoryTransaction.objects.filter(transaction_type="adjustment").exists()


def test_a_negative_count_is_a_form_error(actors):
    count, beef, _rice = _open(actors)
    response = browser(actors.manager).post(change_url(count), sheet_post(count, {beef.pk: "-1"}))
    assert response.status_code == 200
    assert count.lines.get(item=beef).counted_quantity is None


def test_close_button_refuses_an_incomplete_sheet_with_a_message(actors):
    count, beef, _rice = _open(actors)
    client = browser(actors.manager)
    response = client.post(change_url(count), sheet_post(count, {beef.pk: "9"}, _close_count="1"), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 line is not counted yet" in m for m in messages), messages
    count.refresh_from_db()
    assert count.status == "open"
    assert count.lines.get(item=beef).counted_quantity == D("9")  # the sheet itself was saved


def test_close_button_closes_into_adjustments(actors):
    count, beef, rice = _open(actors)
    client = browser(actors.manager)
    response = client.post(change_url(count), sheet_post(count, {beef.pk: "9", rice.pk: "25"}, _close_count="1"))
    assert response.status_code == 302
    count.refresh_from_db()
    assert (count.status, count.closed_by) == ("closed", actors.manager)
    rows = InventoryTransaction.objects.filter(reference_id=f"COUNT-{count.pk}")
    assert [(r.item_id, r.quantity) for r in rows] == [(beef.pk, D("-1"))]
    # Now read-only: the page has no inputs for the sheet and no close button.
    page = client.get(change_url(count)).content.decode()
    assert "Save and close the count" not in page and 'name="lines-0-counted_quantity"' not in page
    assert client.post(change_url(count), sheet_post(count, {beef.pk: "1"})).status_code == 403


def test_changelist_is_scoped(actors):
    mine = StockCountFactory(store=actors.store)
    theirs = StockCountFactory(store=actors.other_store)
    client = browser(actors.manager)
    page = client.get(LIST).content.decode()
    assert change_url(mine) in page and change_url(theirs) not in page
    assert client.get(change_url(theirs)).status_code == 302  # "does not exist" redirect


def test_variance_page_links_from_the_closed_count_and_sorts(actors):
    StockCountFactory(store=actors.store, count_date=dt.date(2026, 2, 28))
    count, beef, rice = _open(actors)
    services.stock_count_record(
        count=count,
        quantities=[{"item": beef.pk, "counted_quantity": "9"}, {"item": rice.pk, "counted_quantity": "20"}],
        user=actors.manager,
    )
    services.stock_count_close(count=count, user=actors.manager)
    client = browser(actors.manager)
    url = reverse("admin:inventory_stockcount_variance", args=[count.pk])
    assert url in client.get(change_url(count)).content.decode()
    page = client.get(url).content.decode()
    assert "Theoretical food cost %" in page
    # The opening count has no lines (opening 0); both were bought in the period: beef 10 - 9 = 1 kg
    # unexplained × ¥80, rice 25 - 20 = 5 kg × ¥6 = ¥30: worst cost of variance first.
    assert "¥80.00" in page and "¥30.00" in page
    assert page.index(">Beef<") < page.index(">Rice<")
    by_name = client.get(url, {"sort": "name"}).content.decode()
    assert by_name.index(">Beef<") < by_name.index(">Rice<")
    reverse_name = client.get(url, {"sort": "-name"}).content.decode()
    assert reverse_name.index(">Rice<") < reverse_name.index(">Beef<")


def test_variance_page_without_an_earlier_count_explains(actors):
    count = StockCountFactory(store=actors.store)
    response = browser(actors.manager).get(reverse("admin:inventory_stockcount_variance", args=[count.pk]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("no earlier closed count" in m for m in messages), messages


def test_the_variance_table_exports_as_csv_and_xlsx(actors):
    import csv
    import io

    from openpyxl import load_workbook

    StockCountFactory(store=actors.store, count_date=dt.date(2026, 2, 28))
    count, beef, rice = _open(actors)
    services.stock_count_record(
        count=count,
        quantities=[{"item": beef.pk, "counted_quantity": "9"}, {"item": rice.pk, "counted_quantity": "20"}],
        user=actors.manager,
    )
    services.stock_count_close(count=count, user=actors.manager)
    client = browser(actors.manager)
    url = reverse("admin:inventory_stockcount_variance", args=[count.pk])
    page = client.get(url).content.decode()
    assert 'id="variance-csv"' in page and 'id="variance-xlsx"' in page
    text = client.get(url, {"format": "csv", "sort": "name"}).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "item" and rows[0][-1] == "unit"
    assert [r[0] for r in rows[1:]] == ["Beef", "Rice"]  # the page's order
    cost = rows[0].index("variance cost")
    assert [r[cost] for r in rows[1:]] == ["80.00", "30.00"]  # yuan, not cents
    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Beef" and sheet.cell(row=2, column=cost + 1).value == 80
    # Another store's count: no report, no file.
    other = StockCountFactory(store=actors.other_store)
    assert (
        browser(actors.manager)
        .get(reverse("admin:inventory_stockcount_variance", args=[other.pk]), {"format": "csv"})
        .status_code
        == 302
    )
