"""Access tokens say who the user is (accounts/tokens.py): no user query per request, and never a
stale role, store, name, active flag or password, whichever path changes them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD
from stores.tests.factories import StoreFactory

LOGIN, REFRESH, ME = "/api/v1/auth/login/", "/api/v1/auth/refresh/", "/api/v1/auth/me/"
UNREAD = "/api/v1/notifications/unread-count/"


def tokens_of(anon_client, user) -> dict:
    response = anon_client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def get(anon_client, path, access):
    return anon_client.get(path, HTTP_AUTHORIZATION=f"Bearer {access}")


def test_an_authenticated_request_does_not_query_the_user(anon_client, manager):
    access = tokens_of(anon_client, manager)["access"]
    with CaptureQueriesContext(connection) as queries:
        response = get(anon_client, UNREAD, access)
    assert response.json() == {"unread": 0}
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "accounts_user" not in tables, tables
    assert len(queries.captured_queries) == 1  # the notifications count itself


def test_the_profile_still_shows_every_field(anon_client, manager):
    body = get(anon_client, ME, tokens_of(anon_client, manager)["access"]).json()
    assert (body["username"], body["email"], body["role"], body["store"]) == (
        manager.username,
        manager.email,
        "manager",
        manager.store_id,
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: setattr(user, "role", "staff"), id="role"),
        pytest.param(lambda user: setattr(user, "store", StoreFactory(id="STORE777", code="ZZ77")), id="store"),
        pytest.param(lambda user: setattr(user, "username", "renamed_manager"), id="username"),
        pytest.param(lambda user: setattr(user, "is_active", False), id="active"),
        pytest.param(lambda user: user.set_password("another-Pass-2026"), id="password"),
    ],
)
def test_saving_a_change_the_token_would_contradict_revokes_it(anon_client, manager, change):
    access = tokens_of(anon_client, manager)["access"]
    user = User.objects.get(pk=manager.pk)
    change(user)
    user.save()
    response = get(anon_client, UNREAD, access)
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")


def test_a_change_that_tokens_do_not_carry_keeps_them(anon_client, manager):
    access = tokens_of(anon_client, manager)["access"]
    user = User.objects.get(pk=manager.pk)
    user.full_name = "Wang Fang"
    user.phone = "13900001111"
    user.save()
    assert get(anon_client, UNREAD, access).status_code == 200


def test_a_deleted_account_has_no_token_left(anon_client, staff):
    access = tokens_of(anon_client, staff)["access"]
    User.objects.get(pk=staff.pk).delete()
    assert get(anon_client, UNREAD, access).status_code == 401


def test_a_service_change_revokes_and_a_refresh_carries_the_new_claims(anon_client, admin_user, manager):
    tokens = tokens_of(anon_client, manager)
    services.user_update(actor=admin_user, user=manager, role="staff")
    assert get(anon_client, UNREAD, tokens["access"]).status_code == 401
    refreshed = anon_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").json()
    assert get(anon_client, ME, refreshed["access"]).json()["role"] == "staff"
