"""Changelist exports (zhilian/admin/exports.py): what the changelist shows, as CSV and XLSX,
scoped like the changelist, filtered like it, headed in the user's language, in constant queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from attendance.models import Timesheet
from attendance.tests.factories import TimesheetFactory
from orders.tests.factories import OrderFactory
from stores.tests.factories import EmployeeFactory
from zhilian import roles
from zhilian.testing.queries import assert_constant_queries

CSV, XLSX = "0", "1"
pytestmark = pytest.mark.django_db


def browser(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def export(client: Client, changelist: str, fmt: str = CSV, query: str = "", resource: int = 0):
    """Ask for the export form of the changelist (with its query string), tick every column of the
    chosen resource, and post it, as the export page does."""
    url = f"{changelist}export/{query}"
    page = client.get(url)
    assert page.status_code == 200
    data = {"format": fmt, "resource": str(resource)}
    for name, field in page.context["form"].fields.items():
        if getattr(field, "is_selectable_field", False) and field.resource_index == resource:
            data[name] = "on"
    return client.post(url, data)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, for Excel"
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


EMPLOYEES = "/admin/stores/employee/"
ORDERS = "/admin/orders/order/"


def test_the_changelist_shows_an_export_button_with_its_filters(store, manager):
    page = browser(manager).get(EMPLOYEES, {"is_active__exact": "1"}).content.decode()
    assert 'id="export-link"' in page
    assert f'href="{EMPLOYEES}export/?is_active__exact=1"' in page


def test_a_manager_exports_only_their_store(store, other_store, manager):
    EmployeeFactory(store=store, id="EMP-MINE", name="Zhang Wei", hourly_wage_cents=25_50)
    EmployeeFactory(store=other_store, id="EMP-THEIRS", name="Li Na")
    rows = csv_rows(export(browser(manager), EMPLOYEES))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Employee ID", "Store ID", "Store name", "Name"]
    assert [r[0] for r in body] == ["EMP-MINE"]
    mine = dict(zip(header, body[0], strict=True))
    # Money in yuan, choices as labels, the store by name.
    assert (mine["Hourly wage"], mine["Position"], mine["Store name"]) == ("25.50", "Waiter", "Jing'an Flagship")


def test_an_admin_exports_every_store(store, other_store, admin_user):
    EmployeeFactory(store=store, id="EMP-A")
    EmployeeFactory(store=other_store, id="EMP-B")
    body = csv_rows(export(browser(admin_user), EMPLOYEES))[1:]
    assert sorted(r[0] for r in body) == ["EMP-A", "EMP-B"]


def test_the_export_respects_the_active_filter_and_search(store, other_store, admin_user):
    EmployeeFactory(store=store, id="EMP-ACTIVE", name="Zhang Wei")
    EmployeeFactory(store=store, id="EMP-GONE", name="Zhang San", is_active=False)
    EmployeeFactory(store=other_store, id="EMP-OTHER", name="Wang Fang", is_active=False)
    client = browser(admin_user)
    inactive = csv_rows(export(client, EMPLOYEES, query="?is_active__exact=0"))[1:]
    assert sorted(r[0] for r in inactive) == ["EMP-GONE", "EMP-OTHER"]
    searched = csv_rows(export(client, EMPLOYEES, query="?q=Zhang&is_active__exact=0"))[1:]
    assert [r[0] for r in searched] == ["EMP-GONE"]
    in_store = csv_rows(export(client, EMPLOYEES, query=f"?store__id__exact={other_store.pk}"))[1:]
    assert [r[0] for r in in_store] == ["EMP-OTHER"]


def test_xlsx_cells_hold_numbers_and_translated_headers(store, manager):
    EmployeeFactory(store=store, id="EMP-1", name="张伟", hourly_wage_cents=30_00)
    rows = xlsx_rows(export(browser(manager, "zh-hans"), EMPLOYEES, fmt=XLSX))
    header, first = rows[0], rows[1]
    assert header[0] == "员工 ID" and "时薪" in header and "岗位" in header
    cells = dict(zip(header, first, strict=True))
    assert cells["员工 ID"] == "EMP-1" and cells["名称"] == "张伟"
    assert cells["时薪"] == 30  # a number in the cell, in yuan
    assert cells["岗位"] == "服务员"


def test_the_export_page_is_in_chinese(store, manager):
    page = browser(manager, "zh-hans").get(f"{EMPLOYEES}export/").content.decode()
    assert "导出" in page  # django-import-export's own zh_Hans catalogue
    assert "时薪" in page  # our column labels


def test_orders_export_scoped_in_constant_queries(store, other_store, manager):
    client = browser(manager)
    OrderFactory(store=other_store, id="ORDER-THEIRS")

    def make_rows(n):
        for _ in range(n):
            OrderFactory(store=store)

    few, many = assert_constant_queries(make_rows, lambda: export(client, ORDERS, fmt=XLSX), small=3, large=30)
    rows = xlsx_rows(many)
    assert len(rows) == 31
    header = rows[0]
    ids = [r[header.index("Order ID")] if "Order ID" in header else r[0] for r in rows[1:]]
    assert "ORDER-THEIRS" not in ids
    total = header.index("Total")
    assert all(isinstance(r[total], (int, float, Decimal)) for r in rows[1:])
    assert {r[header.index("Store name")] for r in rows[1:]} == {store.name}


def test_the_timesheet_export_offers_the_payroll_file(store, manager):
    approved = TimesheetFactory(employee=EmployeeFactory(store=store, name="Zhang Wei"))
    Timesheet.objects.filter(pk=approved.pk).update(
        status=Timesheet.Status.APPROVED, gross_pay_cents=1234_50, approved_at=timezone.now(), approved_by=manager
    )
    TimesheetFactory(employee=EmployeeFactory(store=store, name="Draft Person"))
    client = browser(manager)
    page = client.get("/admin/attendance/timesheet/").content.decode()
    assert 'id="export-link"' in page
    shown = csv_rows(export(client, "/admin/attendance/timesheet/"))
    assert len(shown) == 3  # both rows as the changelist shows them
    payroll = csv_rows(export(client, "/admin/attendance/timesheet/", resource=1))
    assert payroll[0][:3] == ["Store", "Employee ID", "Employee"]
    assert [r[2] for r in payroll[1:]] == ["Zhang Wei"]
    assert payroll[1][payroll[0].index("Gross pay (¥)")] == "1234.5"


def test_export_needs_the_view_permission_only(store, manager, monkeypatch):
    # Managers read the chain menu (view only): they export it.
    assert browser(manager).get("/admin/menu/dish/export/").status_code == 200
    # Without `view` in the role matrix, no export (and no changelist).
    monkeypatch.setitem(roles.PERMISSIONS["stores.employee"], roles.MANAGER, frozenset({"add"}))
    client = browser(manager)
    assert client.get(f"{EMPLOYEES}export/").status_code == 403
    assert client.post(f"{EMPLOYEES}export/", {"format": CSV, "resource": "0"}).status_code == 403


def test_a_password_hash_is_never_exported(store, admin_user):
    rows = csv_rows(export(browser(admin_user), "/admin/accounts/user/"))
    assert not any("pbkdf2" in cell or "bcrypt" in cell for row in rows for cell in row)
    assert "Password" not in rows[0]


def test_text_that_looks_like_a_formula_is_exported_as_text(store, manager):
    from zhilian.admin.exports import defuse_formula

    EmployeeFactory(store=store, id="EMP-F", name='=HYPERLINK("http://x","y")')
    client = browser(manager)
    header, row = csv_rows(export(client, EMPLOYEES))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["Name"] == '\'=HYPERLINK("http://x","y")'
    assert [defuse_formula(v) for v in ("-5.00", "+86 138", "@SUM(A1)", 12)] == ["-5.00", "'+86 138", "'@SUM(A1)", 12]
    sheet_header, sheet_row = xlsx_rows(export(client, EMPLOYEES, fmt=XLSX))[:2]
    assert dict(zip(sheet_header, sheet_row, strict=True))["Name"].startswith("'=")
