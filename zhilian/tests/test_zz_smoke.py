import pytest
from stores.tests.factories import EmployeeFactory

@pytest.mark.django_db
def test_smoke(client, manager, store, other_store):
    EmployeeFactory(store=store, name="Zhang")
    EmployeeFactory(store=other_store, name="Li")
    client.force_login(manager)
    r = client.get("/admin/stores/employee/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "export-link" in html and "import-link" in html, html[-3000:]
    r = client.get("/admin/stores/employee/export/")
    assert r.status_code == 200, r.content[:2000]
    print(r.content.decode()[:3000])
    r = client.post("/admin/stores/employee/export/", {"format": "0", "resource": "0", **{f"employeeresource_{f}": "on" for f in ["id","store","store_name","name","position","hourly_wage_cents"]}})
    print(r.status_code, r.get("Content-Disposition"))
    print(r.content.decode())
