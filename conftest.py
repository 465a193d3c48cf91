"""Fixtures shared by every app's tests: two stores and one actor of each role per store."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from stores.tests.factories import StoreFactory


def pytest_collection_modifyitems(config, items):
    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: row locks and truly concurrent writers, its query planner, COPY or pg_trgm, "
        "none of which SQLite has, or a test database a server subprocess can open (SQLite's is in memory)"
    )
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@dataclass
class Actors:
    store: object
    other_store: object
    admin: object
    manager: object
    staff: object
    other_manager: object
    other_staff: object

    def all(self) -> dict:
        return {
            "admin": self.admin,
            "manager": self.manager,
            "staff": self.staff,
            "other_manager": self.other_manager,
            "other_staff": self.other_staff,
        }


@pytest.fixture
def store(db):
    return StoreFactory(id="STORE001", code="SH01", name="Jing'an Flagship")


@pytest.fixture
def other_store(db):
    return StoreFactory(id="STORE002", code="BJ01", name="Sanlitun", city="Beijing")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="chain_admin")


@pytest.fixture
def manager(store):
    return ManagerFactory(username="manager1", store=store)


@pytest.fixture
def staff(store):
    return UserFactory(username="staff1", store=store)


@pytest.fixture
def other_manager(other_store):
    return ManagerFactory(username="manager2", store=other_store)


@pytest.fixture
def other_staff(other_store):
    return UserFactory(username="staff2", store=other_store)


@pytest.fixture
def actors(store, other_store, admin_user, manager, staff, other_manager, other_staff):
    return Actors(store, other_store, admin_user, manager, staff, other_manager, other_staff)


def jwt_client(user) -> APIClient:
    """An API client that authenticates with a real access token, as a POS terminal does."""
    client = APIClient()
    if user is not None:
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def client_for():
    return jwt_client


@pytest.fixture
def anon_client():
    return APIClient()
