"""/api/v1/users/: the generic resource suite plus the role rules of docs/architecture.md ("Roles")."""

import pytest

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ManagerFactory, UserFactory
from zhilian.testing.api import APIResourceTests

URL = "/api/v1/users/"
PASSWORD = "Fresh-pass-2026!"


class TestUserResource(APIResourceTests):
    list_url = URL
    actor = "manager"

    def make(self, store, **kwargs):
        return UserFactory(store=store, **kwargs)

    def create_payload(self, actors):
        return {"username": "cook7", "email": "cook7@example.com", "full_name": "Cook Seven", "password": PASSWORD}

    def update_payload(self, obj):
        return {"full_name": "Renamed Person", "phone": "13900000000"}

    def check_created(self, obj, payload):
        assert (obj.role, obj.store_id, obj.is_active) == ("staff", "STORE001", True)
        assert obj.check_password(PASSWORD)


def detail(user):
    return f"{URL}{user.pk}/"


class TestVisibility:
    def test_staff_sees_only_self(self, client_for, actors):
        body = client_for(actors.staff).get(URL).json()
        assert [row["username"] for row in body["results"]] == ["staff1"]
        assert client_for(actors.staff).get(detail(actors.manager)).status_code == 404

    def test_manager_sees_own_store(self, client_for, actors):
        names = {row["username"] for row in client_for(actors.manager).get(URL).json()["results"]}
        assert names == {"manager1", "staff1"}

    def test_admin_sees_all(self, client_for, actors):
        names = {row["username"] for row in client_for(actors.admin).get(URL).json()["results"]}
        assert names == {"chain_admin", "manager1", "staff1", "manager2", "staff2"}

    def test_password_is_never_shown(self, client_for, actors):
        body = client_for(actors.admin).get(detail(actors.staff)).json()
        assert "password" not in body

    def test_filters_and_search(self, client_for, actors):
        client = client_for(actors.admin)
        rows = client.get(URL, {"role": "manager"}).json()["results"]
        assert {r["username"] for r in rows} == {"manager1", "manager2"}
        rows = client.get(URL, {"store": "STORE002"}).json()["results"]
        assert {r["username"] for r in rows} == {"manager2", "staff2"}
        rows = client.get(URL, {"search": "staff2@"}).json()["results"]
        assert [r["username"] for r in rows] == ["staff2"]
        rows = client.get(URL, {"ordering": "-username"}).json()["results"]
        assert rows[0]["username"] == "staff2"
        assert client.get(URL, {"role": "emperor"}).status_code == 400


class TestManagerRules:
    def test_cannot_create_a_manager_or_admin(self, client_for, actors):
        for role in ("manager", "admin"):
            response = client_for(actors.manager).post(
                URL, {"username": "boss", "email": "boss@example.com", "role": role, "password": PASSWORD}
            )
            assert response.status_code == 400
            assert "role" in response.json()
        assert not User.objects.filter(username="boss").exists()

    def test_cannot_create_in_another_store(self, client_for, actors):
        response = client_for(actors.manager).post(
            URL, {"username": "spy", "email": "spy@example.com", "store": "STORE002", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert "store" in response.json()

    def test_cannot_promote_staff(self, client_for, actors):
        response = client_for(actors.manager).patch(detail(actors.staff), {"role": "manager"})
        assert response.status_code == 400
        assert "role" in response.json()
        actors.staff.refresh_from_db()
        assert actors.staff.role == "staff"

    def test_cannot_edit_another_manager_of_the_store(self, client_for, actors):
        peer = ManagerFactory(username="comanager", store=actors.store)
        response = client_for(actors.manager).patch(detail(peer), {"full_name": "Hijacked"})
        assert response.status_code == 403
        peer.refresh_from_db()
        assert peer.full_name != "Hijacked"

    def test_can_deactivate_staff_whose_tokens_then_stop_working(self, client_for, actors):
        staff_client = client_for(actors.staff)
        response = client_for(actors.manager).patch(detail(actors.staff), {"is_active": False})
        assert response.status_code == 200, response.content
        assert response.json()["is_active"] is False
        assert staff_client.get(URL).status_code == 401

    def test_can_reset_a_staff_password(self, client_for, actors):
        response = client_for(actors.manager).patch(detail(actors.staff), {"password": PASSWORD})
        assert response.status_code == 200
        actors.staff.refresh_from_db()
        assert actors.staff.check_password(PASSWORD)

    def test_cannot_delete(self, client_for, actors):
        assert client_for(actors.manager).delete(detail(actors.staff)).status_code == 403
        assert User.objects.filter(pk=actors.staff.pk).exists()

    def test_other_store_user_is_404(self, client_for, actors):
        assert client_for(actors.manager).patch(detail(actors.other_staff), {"full_name": "x"}).status_code == 404


class TestStaffRules:
    def test_edits_own_profile(self, client_for, actors):
        response = client_for(actors.staff).patch(detail(actors.staff), {"full_name": "Wang Fang"})
        assert response.status_code == 200
        assert response.json()["full_name"] == "Wang Fang"

    @pytest.mark.parametrize("change", [{"role": "manager"}, {"is_active": False}])
    def test_cannot_change_own_role_or_flag(self, client_for, actors, change):
        response = client_for(actors.staff).patch(detail(actors.staff), change)
        assert response.status_code == 400
        assert set(response.json()) == set(change)

    def test_cannot_move_self_to_another_store(self, client_for, actors):
        response = client_for(actors.staff).patch(detail(actors.staff), {"store": "STORE002"})
        assert response.status_code == 400
        assert "store" in response.json()
        actors.staff.refresh_from_db()
        assert actors.staff.store_id == "STORE001"

    def test_cannot_set_own_password_here(self, client_for, actors):
        response = client_for(actors.staff).patch(detail(actors.staff), {"password": PASSWORD})
        assert response.status_code == 400
        assert "password" in response.json()

    def test_cannot_edit_others(self, client_for, actors):
        colleague = UserFactory(username="colleague", store=actors.store)
        assert client_for(actors.staff).patch(detail(colleague), {"full_name": "x"}).status_code == 404
        assert client_for(actors.staff).patch(detail(actors.manager), {"full_name": "x"}).status_code == 404

    def test_cannot_create(self, client_for, actors):
        response = client_for(actors.staff).post(URL, {"username": "x", "email": "x@example.com"})
        assert response.status_code == 403


class TestAdminRules:
    def test_creates_a_manager_for_any_store(self, client_for, actors):
        response = client_for(actors.admin).post(
            URL,
            {"username": "m3", "email": "m3@example.com", "role": "manager", "store": "STORE002", "password": PASSWORD},
        )
        assert response.status_code == 201, response.content
        assert User.objects.get(username="m3").role == "manager"

    def test_creates_without_password_as_unusable(self, client_for, actors):
        response = client_for(actors.admin).post(
            URL, {"username": "nopass", "email": "nopass@example.com", "store": "STORE001"}
        )
        assert response.status_code == 201
        assert not User.objects.get(username="nopass").has_usable_password()

    def test_moves_a_user_between_stores_and_roles(self, client_for, actors):
        response = client_for(actors.admin).patch(detail(actors.staff), {"store": "STORE002", "role": "manager"})
        assert response.status_code == 200, response.content
        actors.staff.refresh_from_db()
        assert (actors.staff.store_id, actors.staff.role) == ("STORE002", "manager")

    def test_cannot_demote_or_deactivate_self(self, client_for, actors):
        response = client_for(actors.admin).patch(detail(actors.admin), {"is_active": False})
        assert response.status_code == 400
        assert set(response.json()) == {"is_active"}
        response = client_for(actors.admin).patch(detail(actors.admin), {"role": "manager", "store": "STORE001"})
        assert response.status_code == 400
        assert set(response.json()) == {"role"}
        actors.admin.refresh_from_db()
        assert (actors.admin.role, actors.admin.is_active) == ("admin", True)

    def test_non_admin_without_store_is_400(self, client_for, actors):
        response = client_for(actors.admin).patch(detail(actors.staff), {"store": None})
        assert response.status_code == 400
        assert response.json()

    def test_deletes_a_user_without_history(self, client_for, actors):
        victim = UserFactory(username="temp", store=actors.store)
        assert client_for(actors.admin).delete(detail(victim)).status_code == 204
        assert not User.objects.filter(username="temp").exists()

    def test_another_admin_can_be_created_without_store(self, client_for, actors):
        AdminFactory(username="admin2")
        response = client_for(actors.admin).post(
            URL, {"username": "admin3", "email": "a3@example.com", "role": "admin", "password": PASSWORD}
        )
        assert response.status_code == 201
        assert User.objects.get(username="admin3").store_id is None

    def test_reset_password_revokes_the_users_tokens(self, client_for, actors):
        staff_client = client_for(actors.staff)
        assert staff_client.get(URL).status_code == 200
        assert client_for(actors.admin).patch(detail(actors.staff), {"password": PASSWORD}).status_code == 200
        assert staff_client.get(URL).status_code == 401
        assert not User.objects.get(pk=actors.staff.pk).check_password(TEST_PASSWORD)


class TestCaseInsensitiveDuplicates:
    def test_api_refuses_usernames_and_emails_differing_only_in_case(self, client_for, actors):
        response = client_for(actors.admin).post(
            URL, {"username": "STAFF1", "email": "Staff1@EXAMPLE.com", "store": "STORE001", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert {"username", "email"} <= set(response.json())

    def test_service_names_the_field_when_the_constraint_fires(self, actors):
        from accounts import services
        from zhilian.errors import InvalidInput

        with pytest.raises(InvalidInput) as exc:
            services.user_create(actor=actors.admin, username="Staff1", email="z@example.com", store=actors.store)
        assert "username" in exc.value.errors

    def test_login_by_email_finds_the_one_account(self, anon_client, actors):
        response = anon_client.post(
            "/api/v1/auth/login/", {"username": "STAFF1@example.COM", "password": TEST_PASSWORD}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["user"]["username"] == "staff1"
