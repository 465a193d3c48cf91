"""The employee form's skills: labelled position checkboxes, not a JSON list of codes."""

import pytest
from django.utils import translation

from stores.admin import EmployeeAdminForm
from stores.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_skills_are_position_checkboxes_that_keep_unknown_values(store):
    employee = EmployeeFactory(store=store, skills=["cashier", "wok"])
    with translation.override("zh-hans"):
        html = str(EmployeeAdminForm(instance=employee)["skills"])
    assert 'type="checkbox"' in html and "收银员" in html
    assert html.count("checked") == 2  # cashier and wok
    assert 'value="wok"' in html  # a skill outside the positions is kept, not dropped on save
    form = EmployeeAdminForm(data={"skills": ["waiter", "wok"]}, instance=employee)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["skills"] == ["waiter", "wok"]
    assert not EmployeeAdminForm(data={"skills": ["astronaut"]}, instance=employee).is_valid()
