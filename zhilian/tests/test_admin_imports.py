"""Admin imports (zhilian/admin/imports.py) of employees, tables, inventory items, dishes and store
prices: a preview that shows each row's errors and writes nothing, an all-or-nothing apply
through the services, store scoping, the role matrix and the audit trail."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from inventory.models import InventoryItem
from inventory.tests.factories import InventoryItemFactory
from menu.models import Dish, StoreDishOverride
from menu.tests.factories import DishFactory, MenuCategoryFactory
from stores.models import Employee, Table
from stores.tests.factories import EmployeeFactory, TableFactory

CSV, XLSX = "0", "1"
pytestmark = pytest.mark.django_db


def browser(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def preview(client: Client, changelist: str, content: bytes, name: str = "rows.csv", fmt: str = CSV):
    upload = SimpleUploadedFile(name, content)
    return client.post(f"{changelist}import/", {"format": fmt, "resource": "0", "import_file": upload})


def confirm(client: Client, changelist: str, page):
    form = page.context["confirm_form"]
    assert form is not None, "no confirm form: the preview had errors"
    fields = ("import_file_name", "original_file_name", "format", "resource")
    return client.post(f"{changelist}process_import/", {k: form.initial.get(k, "") for k in fields})


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def row_errors(page) -> list[str]:
    result = page.context["result"]
    errors = [str(e.error) for _n, errs in result.row_errors() for e in errs]
    for row in result.invalid_rows:
        errors += [f"{field}: {m}" for field, messages in row.error_dict.items() for m in messages]
    return errors


@dataclass
class Case:
    """One importable changelist: a good two-row file, one with a bad row, and one naming the
    other store (for the store-scoped ones)."""

    changelist: str
    importer: str  # the fixture of the user who imports
    good: str
    bad: str
    bad_message: str
    other_store: str | None
    count: object  # () -> rows in the table that the good file adds to


def _employees(actors) -> Case:
    head = "id,store,name,position,hourly_wage_cents,hire_date"
    return Case(
        "/admin/stores/employee/",
        "manager",
        "\n".join([head, "EMP-N1,STORE001,张伟,waiter,25.50,2026-01-05", "EMP-N2,STORE001,李娜,Chef,30,"]),
        "\n".join([head, "EMP-N1,STORE001,张伟,waiter,25.50,", "EMP-N2,STORE001,李娜,astronaut,30,"]),
        "Choose one of",
        "\n".join([head, "EMP-N1,STORE002,王芳,waiter,25,"]),
        lambda: Employee.objects.filter(pk__startswith="EMP-N").count(),
    )


def _tables(actors) -> Case:
    head = "store,number,capacity,kind,room_name"
    return Case(
        "/admin/stores/table/",
        "manager",
        "\n".join([head, "STORE001,T-1,4,hall,", "STORE001,V-8,12,Private room,牡丹厅"]),
        "\n".join([head, "STORE001,T-1,4,hall,", "STORE001,T-2,0,hall,"]),
        "capacity",
        "\n".join([head, "STORE002,T-1,4,hall,"]),
        lambda: Table.objects.count(),
    )


def _items(actors) -> Case:
    head = "id,store,name,category,unit,min_quantity,max_quantity,unit_cost_cents"
    return Case(
        "/admin/inventory/inventoryitem/",
        "manager",
        "\n".join([head, "INV-N1,STORE001,Pork,meat,kg,5,20,32.80", "INV-N2,STORE001,Rice,dry_goods,kg,10,50,6"]),
        "\n".join([head, "INV-N1,STORE001,Pork,meat,kg,5,20,32.80", "INV-N2,STORE001,Rice,dry_goods,kg,10,5,6"]),
        "par level cannot be below",
        "\n".join([head, "INV-N1,STORE002,Pork,meat,kg,5,20,32.80"]),
        lambda: InventoryItem.objects.count(),
    )


def _dishes(actors) -> Case:
    MenuCategoryFactory(code="hot")
    head = "code,name_zh,name_en,category,base_price_cents,spice_level"
    return Case(
        "/admin/menu/dish/",
        "admin",
        "\n".join([head, "D-901,麻婆豆腐,Mapo tofu,hot,28.00,2", "D-902,米饭,Rice,hot,3,0"]),
        "\n".join([head, "D-901,麻婆豆腐,Mapo tofu,hot,28.00,2", "D-902,米饭,Rice,nosuch,3,0"]),
        "No such",
        None,
        lambda: Dish.objects.count(),
    )


def _overrides(actors) -> Case:
    DishFactory(code="D-1")
    DishFactory(code="D-2")
    head = "store,dish,price_cents,is_hidden"
    return Case(
        "/admin/menu/storedishoverride/",
        "manager",
        "\n".join([head, "STORE001,D-1,52.00,0", "STORE001,D-2,,1"]),
        "\n".join([head, "STORE001,D-1,52.00,0", "STORE001,D-2,-1,0"]),
        "",
        "\n".join([head, "STORE002,D-1,52.00,0"]),
        lambda: StoreDishOverride.objects.count(),
    )


CASES = {
    "employees": _employees,
    "tables": _tables,
    "items": _items,
    "dishes": _dishes,
    "overrides": _overrides,
}


@pytest.fixture(params=list(CASES))
def case(request, actors) -> Case:
    return CASES[request.param](actors)


def test_a_bad_row_shows_its_error_and_nothing_is_written(case, actors):
    client = browser(getattr(actors, case.importer))
    before = case.count()
    page = preview(client, case.changelist, csv_bytes(case.bad))
    assert page.status_code == 200
    errors = row_errors(page)
    assert errors, "the bad row is reported"
    assert case.bad_message in " ".join(errors)
    assert page.context.get("confirm_form") is None, "no way to confirm a file with errors"
    assert case.count() == before
    assert not LogEntry.objects.filter(additional_data__event="import").exists()


def test_a_good_file_previews_then_applies_every_row_with_an_audit_entry(case, actors):
    user = getattr(actors, case.importer)
    client = browser(user)
    before = case.count()
    page = preview(client, case.changelist, csv_bytes(case.good))
    assert row_errors(page) == []
    assert case.count() == before, "the preview writes nothing"
    done = confirm(client, case.changelist, page)
    assert done.status_code == 302 and done["Location"] == case.changelist
    assert case.count() == before + 2
    entry = LogEntry.objects.get(additional_data__event="import")
    assert entry.actor == user
    assert entry.additional_data["new"] == 2 and entry.additional_data["file"] == "rows.csv"


def test_a_manager_importing_another_stores_rows_gets_row_errors(case, actors):
    if case.other_store is None:
        pytest.skip("chain-level rows: imported by admins only")
    client = browser(actors.manager)
    before = case.count()
    page = preview(client, case.changelist, csv_bytes(case.other_store))
    assert any("No such store" in e for e in row_errors(page))
    assert case.count() == before


def test_the_import_button_follows_the_role_matrix(actors):
    assert 'id="import-link"' in browser(actors.manager).get("/admin/stores/employee/").content.decode()
    # The chain menu is HQ's: managers read and export it, never import it.
    dishes = browser(actors.manager).get("/admin/menu/dish/").content.decode()
    assert 'id="import-link"' not in dishes and 'id="export-link"' in dishes
    assert browser(actors.manager).get("/admin/menu/dish/import/").status_code == 403
    assert 'id="import-link"' in browser(actors.admin).get("/admin/menu/dish/").content.decode()


def test_updating_a_row_of_another_store_by_id_is_refused(actors):
    theirs = EmployeeFactory(store=actors.other_store, id="EMP-THEIRS", name="Li Na")
    client = browser(actors.manager)
    rows = csv_bytes("id,store,name,position", "EMP-THEIRS,STORE001,X,waiter")
    page = preview(client, "/admin/stores/employee/", rows)
    assert row_errors(page)
    theirs.refresh_from_db()
    assert (theirs.store_id, theirs.name) == ("STORE002", "Li Na")


def test_an_existing_row_never_moves_to_another_store(actors):
    EmployeeFactory(store=actors.store, id="EMP-1", name="Zhang")
    page = preview(browser(actors.admin), "/admin/stores/employee/", csv_bytes("id,store,name", "EMP-1,STORE002,Zhang"))
    assert any("cannot move to another store" in e for e in row_errors(page))
    assert Employee.objects.get(pk="EMP-1").store_id == "STORE001"


def test_updates_go_through_the_service_and_its_audit(actors):
    item = InventoryItemFactory(store=actors.store, id="INV-1", name="Beef", unit_cost_cents=80_00)
    client = browser(actors.manager)
    csv = csv_bytes("id,store,name,unit,unit_cost_cents,min_quantity,max_quantity", "INV-1,STORE001,Beef,kg,85.50,1,2")
    done = confirm(client, "/admin/inventory/inventoryitem/", preview(client, "/admin/inventory/inventoryitem/", csv))
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.unit_cost_cents, item.min_quantity) == (85_50, Decimal("1"))
    update = LogEntry.objects.get(additional_data__event="inventory_item.update")
    assert update.actor == actors.manager and update.changes["unit_cost_cents"] == ["8000", "8550"]
    assert LogEntry.objects.get(additional_data__event="import").additional_data["updated"] == 1


def test_a_file_exported_in_chinese_imports_back(actors):
    """The zh-hans export's headers (translated) are the import's columns."""
    TableFactory(store=actors.store, number="A1", capacity=4)
    client = browser(actors.manager, "zh-hans")
    form = client.get("/admin/stores/table/export/").context["form"]
    data = {"format": XLSX, "resource": "0"}
    data.update({n: "on" for n, f in form.fields.items() if getattr(f, "is_selectable_field", False)})
    exported = client.post("/admin/stores/table/export/", data).content
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exported))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert "容量" in header or any("\u4e00" <= ch <= "\u9fff" for h in header for ch in str(h))
    sheet.append(["STORE001", None, "B2", 6, "大厅", "", True])
    buffer = io.BytesIO()
    book.save(buffer)
    page = preview(client, "/admin/stores/table/", buffer.getvalue(), name="tables.xlsx", fmt=XLSX)
    assert row_errors(page) == []
    assert "导入" in page.content.decode()
    confirm(client, "/admin/stores/table/", page)
    assert Table.objects.get(number="B2").capacity == 6


def test_an_xlsx_file_imports(actors):
    book = Workbook()
    sheet = book.active
    sheet.append(["store", "number", "capacity"])
    sheet.append(["STORE001", "X1", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    client = browser(actors.manager)
    page = preview(client, "/admin/stores/table/", buffer.getvalue(), name="t.xlsx", fmt=XLSX)
    confirm(client, "/admin/stores/table/", page)
    assert Table.objects.get(number="X1").store_id == "STORE001"


def test_apply_is_all_or_nothing(actors):
    """A row that became invalid between the preview and the confirmation refuses the whole file."""
    client = browser(actors.manager)
    head = "id,store,name,position"
    rows = csv_bytes(head, "EMP-N1,STORE001,A,waiter", "EMP-N2,STORE001,B,chef")
    page = preview(client, "/admin/stores/employee/", rows)
    assert row_errors(page) == []
    EmployeeFactory(store=actors.other_store, id="EMP-N2")  # the id is taken meanwhile, in another store
    done = confirm(client, "/admin/stores/employee/", page)
    assert done.status_code == 302 and done["Location"].endswith("/admin/stores/employee/import/")
    assert not Employee.objects.filter(pk="EMP-N1").exists()
    assert not LogEntry.objects.filter(additional_data__event__in=["import", "employee.create"]).exists()
    messages = [str(m) for m in client.get("/admin/stores/employee/").context["messages"]]
    assert any("nothing was written" in m for m in messages)
