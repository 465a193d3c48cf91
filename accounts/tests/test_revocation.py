"""Logout ends access tokens too, not only refresh tokens (accounts/tokens.py).

A plain logout refuses every access token of its session (also those minted before a refresh
rotated the session) and the access token presented with it; "everywhere" refuses every access
token of the user issued until then. The deny list lives in the cache; when the cache cannot be
reached the check degrades (a warning, the token is accepted) instead of failing the request.
"""

import logging

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import TEST_PASSWORD

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
UNREACHABLE_CACHE = {
    # A real Redis client against a closed port: every cache call raises ConnectionError.
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def login(username="staff1"):
    response = APIClient().post(LOGIN, {"username": username, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(tokens):
    response = APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def logout(tokens, *, everywhere=False, access=None):
    client = APIClient()
    if access:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.post(LOGOUT, {"refresh": tokens["refresh"], "everywhere": everywhere}, format="json")


def me(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get(ME)


def assert_revoked(access):
    response = me(access)
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": "This token was revoked by a logout.", "code": "token_revoked"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def assert_works(access, username="staff1"):
    response = me(access)
    assert response.status_code == 200, response.content
    assert response.json()["username"] == username


class TestPlainLogout:
    def test_the_sessions_access_token_is_refused_after_logout(self, staff):
        session = login()
        assert_works(session["access"])
        assert logout(session).status_code == 204
        assert_revoked(session["access"])

    def test_other_sessions_keep_working(self, staff, manager):
        phone, laptop = login(), login()
        their = login("manager1")
        assert logout(phone).status_code == 204
        assert_revoked(phone["access"])
        assert_works(laptop["access"])
        assert_works(their["access"], "manager1")

    def test_access_tokens_minted_before_a_rotation_are_refused_too(self, staff):
        first = login()
        second = refresh(first)
        third = refresh(second)
        assert logout(third).status_code == 204
        for tokens in (first, second, third):
            assert_revoked(tokens["access"])

    def test_the_access_token_presented_with_the_logout_is_refused(self, staff):
        phone, laptop = login(), login()
        assert logout(phone, access=laptop["access"]).status_code == 204
        assert_revoked(phone["access"])
        assert_revoked(laptop["access"])

    def test_another_users_access_token_presented_with_a_logout_is_left_alone(self, staff, manager):
        mine, theirs = login(), login("manager1")
        assert logout(mine, access=theirs["access"]).status_code == 204
        assert_works(theirs["access"], "manager1")

    def test_a_failed_logout_revokes_nothing(self, staff):
        session = login()
        response = APIClient().post(LOGOUT, {"refresh": session["access"]}, format="json")
        assert response.status_code == 401
        assert_works(session["access"])


class TestLogoutEverywhere:
    def test_every_access_token_of_the_user_is_refused(self, staff, manager):
        phone, laptop = login(), login()
        rotated = refresh(laptop)
        theirs = login("manager1")
        assert logout(phone, everywhere=True).status_code == 204
        for tokens in (phone, laptop, rotated):
            assert_revoked(tokens["access"])
        assert_works(theirs["access"], "manager1")

    def test_a_login_after_it_works(self, staff):
        session = login()
        assert logout(session, everywhere=True).status_code == 204
        fresh = login()
        assert_works(fresh["access"])
        assert_works(refresh(fresh)["access"])


class TestWithoutTheCache:
    def test_requests_degrade_to_accepting_tokens_with_a_warning(self, staff, settings, caplog):
        session = login()
        settings.CACHES = UNREACHABLE_CACHE
        with pytest.raises(Exception, match="127.0.0.1:1"):
            cache.get("probe")
        with caplog.at_level(logging.WARNING, logger="accounts.tokens"):
            assert_works(session["access"])
            assert logout(session).status_code == 204
            other = login()
            assert_works(other["access"])
        messages = [r.getMessage() for r in caplog.records if r.name == "accounts.tokens"]
        assert any("could not read access-token revocations" in m for m in messages)
        assert any("could not write access-token revocations" in m for m in messages)
