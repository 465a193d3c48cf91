"""The auth flow end to end: /api/v1/auth/register/."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.auth_helpers import NEW_PASSWORD, REGISTER, login
from accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("clear_throttle_counters")


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
