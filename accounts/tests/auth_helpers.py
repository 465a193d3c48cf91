"""Helpers shared by the auth-flow tests (test_auth_*.py)."""

from rest_framework.test import APIClient

from accounts.tests.factories import TEST_PASSWORD

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
PASSWORD = "/api/v1/auth/password/change/"
REGISTER = "/api/v1/auth/register/"
NEW_PASSWORD = "Brand-new-pass-2026!"


def login(client, login, password=TEST_PASSWORD, key="username", **extra):
    return client.post(LOGIN, {key: login, "password": password}, format="json", **extra)


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client
