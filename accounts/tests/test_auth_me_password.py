"""The auth flow end to end: /api/v1/auth/ me and password change."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.auth_helpers import ME, NEW_PASSWORD, PASSWORD, REFRESH, bearer, login
from accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("clear_throttle_counters")


class TestMe:
    def test_get_own_profile(self, client_for, staff):
        body = client_for(staff).get(ME).json()
        assert body["username"] == "staff1"
        assert body["role"] == "staff"
        assert body["store"] == "STORE001"
        assert "password" not in body

    def test_patch_profile_fields(self, client_for, staff):
        response = client_for(staff).patch(ME, {"full_name": "Li Wei", "phone": "13800000000"}, format="json")
        assert response.status_code == 200, response.content
        staff.refresh_from_db()
        assert (staff.full_name, staff.phone) == ("Li Wei", "13800000000")
        assert response.json()["full_name"] == "Li Wei"

    @pytest.mark.parametrize(
        "change",
        [{"role": "admin"}, {"role": "manager"}, {"store": "STORE002"}, {"is_active": False}],
    )
    def test_role_store_and_active_flag_cannot_be_changed(self, client_for, actors, change):
        staff = actors.staff
        response = client_for(staff).patch(ME, change, format="json")
        assert response.status_code == 400
        assert set(response.json()) == set(change)
        staff.refresh_from_db()
        assert (staff.role, staff.store_id, staff.is_active) == ("staff", "STORE001", True)

    def test_sending_the_current_values_is_fine(self, client_for, staff):
        response = client_for(staff).patch(ME, {"role": "staff", "store": "STORE001", "full_name": "X"}, format="json")
        assert response.status_code == 200

    def test_put_is_not_offered(self, client_for, staff):
        assert client_for(staff).put(ME, {"full_name": "x"}, format="json").status_code == 405

    def test_anonymous_is_401(self, anon_client, db):
        assert anon_client.get(ME).status_code == 401

    def test_session_login_works_for_the_browsable_api(self, staff, settings):
        settings.DEBUG = True  # the browsable API is offered only in development
        client = APIClient()
        client.force_login(staff)
        response = client.get(ME, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert b"staff1" in response.content


class TestPasswordChange:
    def test_change_revokes_old_tokens_and_returns_new_ones(self, anon_client, staff):
        tokens = login(anon_client, "staff1").json()
        client = bearer(tokens["access"])
        response = client.post(PASSWORD, {"old_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        fresh = response.json()
        # The old access token and the old refresh token are dead.
        stale = client.get(ME)
        assert stale.status_code == 401
        assert stale.json()["code"] == "token_revoked"
        assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
        # The new pair works, and so does the new password (and not the old one).
        assert bearer(fresh["access"]).get(ME).status_code == 200
        assert anon_client.post(REFRESH, {"refresh": fresh["refresh"]}, format="json").status_code == 200
        assert login(anon_client, "staff1", NEW_PASSWORD).status_code == 200
        assert login(anon_client, "staff1", TEST_PASSWORD).status_code == 401

    def test_wrong_old_password_is_a_field_error(self, client_for, staff):
        response = client_for(staff).post(
            PASSWORD, {"old_password": "nope", "new_password": NEW_PASSWORD}, format="json"
        )
        assert response.status_code == 400
        assert "old_password" in response.json()
        staff.refresh_from_db()
        assert staff.check_password(TEST_PASSWORD)

    @pytest.mark.parametrize("weak", ["123", "password", "12345678901"])
    def test_django_validators_apply(self, client_for, staff, weak):
        response = client_for(staff).post(
            PASSWORD, {"old_password": TEST_PASSWORD, "new_password": weak}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["new_password"]

    def test_missing_fields(self, client_for, staff):
        response = client_for(staff).post(PASSWORD, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"old_password", "new_password"}
