"""The auth flow end to end: /api/v1/auth/ login, refresh, logout, me, password change, register."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from zhilian.roles import Role

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
PASSWORD = "/api/v1/auth/password/change/"
REGISTER = "/api/v1/auth/register/"
NEW_PASSWORD = "Brand-new-pass-2026!"


@pytest.fixture(autouse=True)
def _clear_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def login(client, login, password=TEST_PASSWORD, key="username", **extra):
    return client.post(LOGIN, {key: login, "password": password}, format="json", **extra)


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


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


def register_body(**extra):
    return {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": NEW_PASSWORD,
        "full_name": "New Bie",
        **extra,
    }


class TestRegister:
    def test_admin_creates_any_role(self, client_for, actors):
        response = client_for(actors.admin).post(
            REGISTER, register_body(role="manager", store="STORE002"), format="json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["role"], body["store"], body["is_active"]) == ("manager", "STORE002", True)
        assert "password" not in body
        assert User.objects.get(username="newbie").check_password(NEW_PASSWORD)

    def test_manager_creates_staff_of_own_store(self, client_for, actors):
        response = client_for(actors.manager).post(REGISTER, register_body(), format="json")
        assert response.status_code == 201, response.content
        user = User.objects.get(username="newbie")
        assert (user.role, user.store_id, user.is_active) == ("staff", "STORE001", True)

    @pytest.mark.parametrize("role", ["manager", "admin"])
    def test_manager_cannot_grant_higher_roles(self, client_for, actors, role):
        response = client_for(actors.manager).post(REGISTER, register_body(role=role), format="json")
        assert response.status_code == 400
        assert "role" in response.json()
        assert not User.objects.filter(username="newbie").exists()

    def test_manager_cannot_create_in_another_store(self, client_for, actors):
        response = client_for(actors.manager).post(REGISTER, register_body(store="STORE002"), format="json")
        assert response.status_code == 400
        assert "store" in response.json()

    def test_staff_cannot_register_anyone(self, client_for, actors):
        response = client_for(actors.staff).post(REGISTER, register_body(), format="json")
        assert response.status_code == 403

    def test_closed_registration_gives_every_anonymous_body_the_same_403(self, anon_client, actors, settings):
        settings.ZHILIAN_OPEN_REGISTRATION = False
        bodies = [
            register_body(store="STORE001"),  # new username and email
            register_body(username="staff1", email="staff1@example.com", store="STORE001"),  # taken
            register_body(username="bad name!", email="not-an-email", password="1"),  # invalid
            {},
        ]
        responses = [anon_client.post(REGISTER, body, format="json") for body in bodies]
        responses.append(anon_client.post(REGISTER, "not json", content_type="application/json"))
        first = responses[0]
        assert first.status_code == 403
        assert first.json() == {
            "detail": "Registration is closed; ask a manager for an account.",
            "code": "registration_closed",
        }
        for response in responses[1:]:
            assert (response.status_code, response.content) == (first.status_code, first.content)
        assert not User.objects.filter(username="newbie").exists()

    def test_open_registration_answers_the_same_for_taken_and_new_names(self, anon_client, actors, settings):
        settings.ZHILIAN_OPEN_REGISTRATION = True
        taken_username = anon_client.post(
            REGISTER, register_body(username="STAFF1", email="fresh1@example.com", store="STORE001"), format="json"
        )
        taken_email = anon_client.post(
            REGISTER, register_body(username="fresh2", email="Staff1@Example.com", store="STORE001"), format="json"
        )
        new = anon_client.post(REGISTER, register_body(store="STORE001"), format="json")
        assert new.status_code == 202, new.content
        assert new.json() == {
            "detail": "If the details are acceptable, the account was requested; a manager of the store activates it.",
            "code": "registration_received",
        }
        for response in (taken_username, taken_email):
            assert (response.status_code, response.content) == (new.status_code, new.content)
            assert dict(response.headers) == dict(new.headers)
        # Only the new one exists; the taken account is untouched.
        assert not User.objects.filter(username__in=["fresh2"]).exists()
        assert not User.objects.filter(email="fresh1@example.com").exists()
        user = User.objects.get(username="newbie")
        assert (user.role, user.store_id, user.is_active) == ("staff", "STORE001", False)
        actors.staff.refresh_from_db()
        assert actors.staff.check_password(TEST_PASSWORD) and actors.staff.is_active
        # ... who cannot log in until a manager activates them.
        assert login(anon_client, "newbie", NEW_PASSWORD).json()["code"] == "account_inactive"

    def test_open_registration_still_refuses_bad_input_whoever_exists(self, anon_client, store, settings):
        settings.ZHILIAN_OPEN_REGISTRATION = True
        response = anon_client.post(REGISTER, register_body(), format="json")
        assert response.status_code == 400
        assert "store" in response.json()
        response = anon_client.post(REGISTER, register_body(store="STORE001", role="admin"), format="json")
        assert response.status_code == 400
        assert "role" in response.json()
        response = anon_client.post(REGISTER, register_body(store="NOPE"), format="json")
        assert response.status_code == 400
        assert "store" in response.json()
        response = anon_client.post(REGISTER, register_body(store="STORE001", password="123"), format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"password"}
        assert not User.objects.filter(username="newbie").exists()

    def test_anonymous_registration_is_throttled_per_address(self, client_for, actors, settings):
        settings.ZHILIAN_OPEN_REGISTRATION = True
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"register": "2/hour"}}
        client = APIClient()
        for i in range(2):
            body = register_body(username=f"new{i}", email=f"new{i}@example.com", store="STORE001")
            assert client.post(REGISTER, body, format="json", REMOTE_ADDR="10.0.0.9").status_code == 202
        # A forged X-Forwarded-For from an untrusted peer is no new address.
        body = register_body(store="STORE001")
        response = client.post(REGISTER, body, format="json", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) >= 1
        assert not User.objects.filter(username="newbie").exists()
        assert client.post(REGISTER, body, format="json", REMOTE_ADDR="10.0.0.10").status_code == 202
        # Signed-in admins and managers are not limited by it.
        for i in range(3):
            body = register_body(username=f"made{i}", email=f"made{i}@example.com", store="STORE001")
            response = client_for(actors.admin).post(REGISTER, body, format="json", REMOTE_ADDR="10.0.0.9")
            assert response.status_code == 201

    def test_duplicate_username_and_email_are_field_errors(self, client_for, actors):
        response = client_for(actors.admin).post(
            REGISTER, register_body(username="staff1", email="STAFF1@example.com", store="STORE001"), format="json"
        )
        assert response.status_code == 400
        assert {"username", "email"} <= set(response.json())

    def test_weak_password_and_bad_email(self, client_for, actors):
        response = client_for(actors.admin).post(
            REGISTER, register_body(password="123", email="not-an-email", store="STORE001"), format="json"
        )
        assert response.status_code == 400
        assert "email" in response.json()
        response = client_for(actors.admin).post(
            REGISTER, register_body(password="123", store="STORE001"), format="json"
        )
        assert response.status_code == 400
        assert "password" in response.json()

    def test_staff_account_needs_a_store(self, client_for, actors):
        response = client_for(actors.admin).post(REGISTER, register_body(role="staff"), format="json")
        assert response.status_code == 400
        assert "store" in response.json()


MALFORMED = [[], "text", {"username": ["a"], "password": {"x": 1}}, {"username": "a" * 5000, "password": "x"}, 12]


@pytest.mark.parametrize("url", [LOGIN, REFRESH, LOGOUT, REGISTER])
@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_bodies_are_4xx_never_500(anon_client, staff, url, body):
    response = anon_client.post(url, body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "x", "email": "x@example.com", "password": NEW_PASSWORD, "store": ["STORE001"]},
        {"username": "x", "email": "x@example.com", "password": NEW_PASSWORD, "store": 10**40},
        {"username": "bad name!", "email": "x@example.com", "password": NEW_PASSWORD},
        {"username": "x", "email": "x@example.com", "password": NEW_PASSWORD, "role": "emperor"},
    ],
)
def test_bad_register_values_are_400(client_for, actors, body):
    response = client_for(actors.admin).post(REGISTER, body, format="json")
    assert response.status_code == 400, response.content
