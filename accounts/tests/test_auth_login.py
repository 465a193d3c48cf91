"""The auth flow end to end: /api/v1/auth/ login, refresh and logout."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.auth_helpers import LOGIN, LOGOUT, ME, REFRESH, bearer, login
from accounts.tests.factories import UserFactory
from zhilian.roles import Role

pytestmark = pytest.mark.usefixtures("clear_throttle_counters")


class TestLogin:
    def test_login_by_username_returns_token_pair_and_user(self, anon_client, staff, settings):
        response = login(anon_client, "staff1")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())
        assert body["access"] and body["refresh"]
        assert body["user"] == {
            "id": str(staff.pk),
            "username": "staff1",
            "full_name": staff.full_name,
            "role": "staff",
            "store": "STORE001",
        }
        staff.refresh_from_db()
        assert staff.last_login is not None

    def test_login_by_email_in_either_field(self, anon_client, staff):
        assert login(anon_client, "staff1@example.com").status_code == 200
        response = login(anon_client, "STAFF1@example.com", key="email")
        assert response.status_code == 200
        assert response.json()["user"]["username"] == "staff1"

    def test_the_access_token_authenticates(self, anon_client, staff):
        access = login(anon_client, "staff1").json()["access"]
        response = bearer(access).get(ME)
        assert response.status_code == 200
        assert response.json()["username"] == "staff1"

    def test_wrong_password_is_401_with_code(self, anon_client, staff):
        response = login(anon_client, "staff1", "wrong-password")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_unknown_user_is_the_same_401(self, anon_client, db):
        response = login(anon_client, "nobody")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"

    def test_missing_fields_are_400(self, anon_client, db):
        response = anon_client.post(LOGIN, {"password": "x"}, format="json")
        assert response.status_code == 400
        assert "username" in response.json()
        response = anon_client.post(LOGIN, {"username": "x"}, format="json")
        assert response.status_code == 400
        assert "password" in response.json()

    def test_inactive_user_cannot_log_in(self, anon_client, store):
        UserFactory(username="sleeper", store=store, is_active=False)
        response = login(anon_client, "sleeper")
        assert response.status_code == 401
        assert response.json()["code"] == "account_inactive"
        assert "access" not in response.json()

    def test_a_stale_authorization_header_does_not_block_login(self, staff):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
        assert login(client, "staff1").status_code == 200


class TestRefreshAndLogout:
    def test_refresh_rotates_and_the_old_refresh_token_is_spent(self, anon_client, staff):
        first = login(anon_client, "staff1").json()
        response = anon_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
        assert response.status_code == 200, response.content
        second = response.json()
        assert second["refresh"] != first["refresh"]
        assert second["token_type"] == "Bearer"
        assert bearer(second["access"]).get(ME).status_code == 200

        reuse = anon_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
        assert reuse.status_code == 401
        assert reuse.json()["code"] == "token_not_valid"
        # The rotated token still works (once).
        assert anon_client.post(REFRESH, {"refresh": second["refresh"]}, format="json").status_code == 200

    def test_garbage_refresh_token_is_401(self, anon_client, db):
        response = anon_client.post(REFRESH, {"refresh": "garbage"}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_an_access_token_is_not_a_refresh_token(self, anon_client, staff):
        access = login(anon_client, "staff1").json()["access"]
        assert anon_client.post(REFRESH, {"refresh": access}, format="json").status_code == 401

    def test_logout_then_refresh_is_refused(self, anon_client, staff):
        tokens = login(anon_client, "staff1").json()
        response = anon_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
        assert response.status_code == 204
        refused = anon_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_not_valid"

    def test_logout_everywhere_revokes_other_sessions(self, anon_client, staff):
        phone = login(anon_client, "staff1").json()
        laptop = login(anon_client, "staff1").json()
        assert (
            anon_client.post(LOGOUT, {"refresh": phone["refresh"], "everywhere": True}, format="json").status_code
            == 204
        )
        assert anon_client.post(REFRESH, {"refresh": laptop["refresh"]}, format="json").status_code == 401

    def test_inactive_user_cannot_refresh_or_use_an_old_access_token(self, anon_client, staff):
        tokens = login(anon_client, "staff1").json()
        User.objects.filter(pk=staff.pk).update(is_active=False)
        response = anon_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "user_inactive"
        # The access token says who the user is (accounts/tokens.py); deactivating revoked it.
        used = bearer(tokens["access"]).get(ME)
        assert used.status_code == 401
        assert used.json()["code"] == "token_revoked"

    def test_a_demoted_user_loses_power_immediately(self, anon_client, manager):
        tokens = login(anon_client, "manager1").json()
        payload = {"id": "EMP777", "name": "New Cook", "position": "chef"}
        assert bearer(tokens["access"]).post("/api/v1/employees/", payload, format="json").status_code == 201
        User.objects.filter(pk=manager.pk).update(role=Role.STAFF)
        payload["id"] = "EMP778"
        # The token that said "manager" is revoked; a refreshed one says "staff", who may not.
        response = bearer(tokens["access"]).post("/api/v1/employees/", payload, format="json")
        assert (response.status_code, response.json()["code"]) == (401, "token_revoked")
        refreshed = anon_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").json()
        response = bearer(refreshed["access"]).post("/api/v1/employees/", payload, format="json")
        assert response.status_code == 403
