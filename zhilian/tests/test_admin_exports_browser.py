"""Export and import in Chromium (English and Chinese, desktop and phone width): the buttons on a
changelist, the export form, an import preview with a row's error and one ready to confirm. The
screenshots land in test-artifacts/ to be looked at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts.tests.factories import TEST_PASSWORD
from stores.models import Employee
from stores.tests.factories import EmployeeFactory

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's Chromium: apt-get install -y chromium"),
]

BAD = "id,store,name,position,hourly_wage_cents\nEMP-B1,STORE001,赵敏,waiter,26.00\nEMP-B2,STORE002,钱坤,chef,30\n"
GOOD = "id,store,name,position,hourly_wage_cents\nEMP-G1,STORE001,赵敏,服务员,26.00\nEMP-G2,STORE001,孙丽,Chef,31.50\n"


def upload(page, url: str, content: str) -> None:
    """Choose CSV, attach the file and submit: the preview comes back."""
    page.goto(url)
    page.select_option("#id_format", index=0)
    page.set_input_files(
        "#id_import_file", files=[{"name": "employees.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.click('form[enctype="multipart/form-data"] input[type=submit]')
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_export_and_import_screens(live_server, store, other_store, manager):
    for name in ("王芳", "Li Wei", "陈静"):
        EmployeeFactory(store=store, name=name)
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for lang in ("en", "zh-hans"):
            for width in (1440, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
                page = context.new_page()
                page.goto(f"{live_server.url}/admin/login/?next=/admin/")
                page.fill("#id_username", manager.username)
                page.fill("#id_password", TEST_PASSWORD)
                page.click("[type=submit]")
                page.wait_for_url("**/admin/")

                def shot(name: str, page=page, lang=lang, width=width) -> None:
                    page.screenshot(path=str(ARTIFACTS / f"import-export-{name}-{lang}-{width}.png"), full_page=True)

                page.goto(f"{live_server.url}/admin/stores/employee/?is_active__exact=1")
                assert page.locator("#import-link").is_visible() and page.locator("#export-link").is_visible()
                shot("changelist")
                page.click("#export-link")
                assert "is_active__exact=1" in page.url
                shot("export")
                if lang == "zh-hans":
                    assert "全选" in page.content() and "时薪" in page.content()

                upload(page, f"{live_server.url}/admin/stores/employee/import/", BAD)
                assert "STORE002" in page.content()  # the row's error names the store
                shot("preview-errors")
                upload(page, f"{live_server.url}/admin/stores/employee/import/", GOOD)
                shot("preview")
                if lang == "zh-hans":
                    assert "导入" in page.content() and "确认导入" in page.content()
                if width == 390 and lang == "zh-hans":
                    page.click("input[name=confirm]")
                    page.wait_for_url("**/admin/stores/employee/")
                    shot("imported")
                context.close()
        browser.close()
    # Confirmed once (Chinese, phone): both rows written, the other file's not at all.
    assert sorted(Employee.objects.filter(pk__startswith="EMP-").values_list("pk", flat=True)) == ["EMP-G1", "EMP-G2"]
