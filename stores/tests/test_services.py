"""Deactivation instead of deletion: services and the admin actions that call them."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import ManagerFactory
from stores import services
from stores.models import Employee, Store, Table
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.errors import InvalidInput


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestServices:
    def test_employee_set_active_counts_only_changes(self, store):
        EmployeeFactory(store=store)
        EmployeeFactory(store=store, is_active=False)
        assert services.employee_set_active(employees=Employee.objects.all(), active=False) == 1
        assert not Employee.objects.filter(is_active=True).exists()

    def test_table_set_active(self, store):
        TableFactory(store=store)
        assert services.table_set_active(tables=Table.objects.all(), active=False) == 1
        assert services.table_set_active(tables=Table.objects.all(), active=False) == 0

    def test_store_set_status(self, store):
        assert services.store_set_status(store=store, status="closed").status == "closed"
        assert Store.objects.get(pk=store.pk).status == "closed"
        with pytest.raises(InvalidInput) as exc:
            services.store_set_status(store=store, status="vanished")
        assert "status" in exc.value.errors


class TestAdminActions:
    def test_manager_deactivates_own_employees_only(self, actors):
        mine = EmployeeFactory(store=actors.store)
        theirs = EmployeeFactory(store=actors.other_store)
        response = logged_in(actors.manager).post(
            reverse("admin:stores_employee_changelist"),
            {"action": "deactivate", "_selected_action": [mine.pk, theirs.pk]},
        )
        assert response.status_code == 302
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.is_active, theirs.is_active) == (False, True)

    def test_admin_closes_a_store(self, actors):
        response = logged_in(actors.admin).post(
            reverse("admin:stores_store_changelist"), {"action": "mark_closed", "_selected_action": ["STORE002"]}
        )
        assert response.status_code == 302
        assert Store.objects.get(pk="STORE002").status == "closed"

    def test_manager_deactivates_staff_but_not_a_fellow_manager(self, actors):
        peer = ManagerFactory(username="comanager", store=actors.store)
        response = logged_in(actors.manager).post(
            reverse("admin:accounts_user_changelist"),
            {"action": "deactivate", "_selected_action": [str(actors.staff.pk), str(peer.pk)]},
        )
        assert response.status_code == 302
        assert not User.objects.get(pk=actors.staff.pk).is_active
        assert User.objects.get(pk=peer.pk).is_active
        assert any("may not" in str(m) for m in get_messages(response.wsgi_request))
