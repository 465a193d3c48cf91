"""The user and store admins: passwords through Django's forms, roles limited to the grantable ones."""

import pytest
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import ManagerFactory
from stores.tests.factories import TableFactory

PASSWORD = "Admin-made-pass-42!"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_user_form(**extra):
    return {
        "username": "newcook",
        "email": "newcook@example.com",
        "full_name": "New Cook",
        "phone": "",
        "role": "staff",
        "store": "STORE001",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }


ADD = reverse("admin:accounts_user_add")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[quote(user.pk)])


class TestUserAdmin:
    def test_admin_creates_a_user_with_a_hashed_password(self, actors):
        response = logged_in(actors.admin).post(ADD, add_user_form(role="manager", store="STORE002"))
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        user = User.objects.get(username="newcook")
        assert (user.role, user.store_id) == ("manager", "STORE002")
        assert user.password != PASSWORD and user.check_password(PASSWORD)

    def test_manager_is_offered_only_the_staff_role_and_own_store(self, actors):
        response = logged_in(actors.manager).get(ADD)
        form = response.context["adminform"].form
        assert [value for value, _label in form.fields["role"].choices] == ["staff"]
        assert [str(choice[0]) for choice in form.fields["store"].choices] == ["STORE001"]

    def test_manager_cannot_create_a_manager(self, actors):
        response = logged_in(actors.manager).post(ADD, add_user_form(role="manager"))
        assert response.status_code == 200
        assert "role" in response.context["adminform"].form.errors
        assert not User.objects.filter(username="newcook").exists()

    def test_manager_cannot_create_in_another_store(self, actors):
        # The store is preset and fixed for a one-store manager: another store in the post is ignored.
        response = logged_in(actors.manager).post(ADD, add_user_form(store="STORE002"))
        assert response.status_code == 302
        assert User.objects.get(username="newcook").store_id == "STORE001"

    def test_manager_creates_staff_of_own_store(self, actors):
        response = logged_in(actors.manager).post(ADD, add_user_form())
        assert response.status_code == 302
        user = User.objects.get(username="newcook")
        assert (user.role, user.store_id) == ("staff", "STORE001")

    def test_weak_password_is_refused(self, actors):
        response = logged_in(actors.admin).post(ADD, add_user_form(password1="123", password2="123"))
        assert response.status_code == 200
        assert "password2" in response.context["adminform"].form.errors

    def test_another_manager_is_read_only_for_a_manager(self, actors):
        peer = ManagerFactory(username="comanager", store=actors.store)
        client = logged_in(actors.manager)
        response = client.get(change_url(peer))
        assert response.status_code == 200
        assert not response.context["has_change_permission"]
        response = client.post(change_url(peer), {"username": "hijack", "email": peer.email})
        assert response.status_code == 403
        peer.refresh_from_db()
        assert peer.username == "comanager"

    def test_own_role_store_and_flag_are_read_only(self, actors):
        response = logged_in(actors.manager).get(change_url(actors.manager))
        form = response.context["adminform"].form
        assert not {"role", "store", "is_active"} & set(form.fields)

    def test_manager_resets_a_staff_password(self, actors):
        url = reverse("admin:auth_user_password_change", args=[quote(actors.staff.pk)])
        client = logged_in(actors.manager)
        assert client.get(url).status_code == 200
        response = client.post(url, {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"})
        assert response.status_code == 302
        actors.staff.refresh_from_db()
        assert actors.staff.check_password(PASSWORD)

    def test_manager_cannot_reset_another_stores_password(self, actors):
        url = reverse("admin:auth_user_password_change", args=[quote(actors.other_staff.pk)])
        response = logged_in(actors.manager).post(url, {"password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code in (403, 404)
        actors.other_staff.refresh_from_db()
        assert not actors.other_staff.check_password(PASSWORD)

    def test_staff_edit_by_manager_cannot_promote(self, actors):
        staff = actors.staff
        data = {"username": staff.username, "email": staff.email, "full_name": "X", "phone": "", "role": "manager"}
        data.update(store="STORE001", is_active="on")
        response = logged_in(actors.manager).post(change_url(staff), data)
        assert response.status_code == 200
        assert "role" in response.context["adminform"].form.errors
        staff.refresh_from_db()
        assert staff.role == "staff"


class TestStoreAdmin:
    def test_changelist_shows_money_in_yuan(self, actors):
        response = logged_in(actors.admin).get(reverse("admin:stores_store_changelist"))
        assert "¥150,000.00" in response.content.decode()

    def test_change_page_has_the_table_inline(self, actors):
        TableFactory(store=actors.store, number="T-INLINE")
        response = logged_in(actors.manager).get(reverse("admin:stores_store_change", args=["STORE001"]))
        assert response.status_code == 200
        assert "T-INLINE" in response.content.decode()

    def test_manager_cannot_add_or_delete_stores(self, actors):
        client = logged_in(actors.manager)
        assert client.get(reverse("admin:stores_store_add")).status_code == 403
        assert client.get(reverse("admin:stores_store_delete", args=["STORE001"])).status_code == 403

    @pytest.mark.parametrize("model_name", ["table", "employee", "user"])
    def test_store_autocomplete_offers_only_own_store(self, actors, model_name):
        response = logged_in(actors.manager).get(
            "/admin/autocomplete/",
            {"app_label": "stores" if model_name != "user" else "accounts"}
            | {"model_name": model_name, "field_name": "store", "term": ""},
        )
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == ["STORE001"]
