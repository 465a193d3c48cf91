"""Unlocking a locked-out login early: admins anyone, managers the staff of their own store.

Through the service (accounts.services.user_unlock_login) and through the user changelist's
"Unlock login" action, which also shows which accounts are locked.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.tests.factories import TEST_PASSWORD, ManagerFactory
from zhilian.errors import Forbidden

LOGIN = "/api/v1/auth/login/"
CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture(autouse=True)
def policy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 50


def api_login(username, password=TEST_PASSWORD, **extra):
    return APIClient().post(LOGIN, {"username": username, "password": password}, format="json", **extra)


def lock(user):
    for _ in range(3):
        api_login(user.username, "bad-guess")
    assert api_login(user.username).status_code == 429


def assert_unlocked(user):
    assert api_login(user.username).status_code == 200


def assert_locked(user):
    assert api_login(user.username).status_code == 429


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestService:
    def test_an_admin_unlocks_anyone(self, actors):
        for user in (actors.manager, actors.other_staff):
            lock(user)
            assert services.user_unlock_login(actor=actors.admin, user=user) == 1
            assert_unlocked(user)

    def test_a_manager_unlocks_staff_of_their_store(self, actors):
        lock(actors.staff)
        services.user_unlock_login(actor=actors.manager, user=actors.staff)
        assert_unlocked(actors.staff)

    @pytest.mark.parametrize("target", ["other_staff", "peer_manager", "manager", "admin"])
    def test_a_manager_unlocks_no_one_else(self, actors, target):
        user = ManagerFactory(username="peer", store=actors.store) if target == "peer_manager" else None
        user = user or getattr(actors, target)
        lock(user)
        with pytest.raises(Forbidden):
            services.user_unlock_login(actor=actors.manager, user=user)
        assert_locked(user)

    def test_staff_unlock_no_one(self, actors):
        lock(actors.staff)
        with pytest.raises(Forbidden):
            services.user_unlock_login(actor=actors.staff, user=actors.staff)
        assert_locked(actors.staff)

    def test_a_locked_address_stays_locked(self, actors, settings):
        settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
        for name in ("a", "b", "c"):
            api_login(name, "x", REMOTE_ADDR="10.0.0.9")
        services.user_unlock_login(actor=actors.admin, user=actors.staff)
        assert api_login("staff1", REMOTE_ADDR="10.0.0.9").status_code == 429
        assert api_login("staff1", REMOTE_ADDR="10.0.0.10").status_code == 200


def run_action(client, users, action="unlock_login"):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [str(u.pk) for u in users]}, follow=True)


class TestAdminAction:
    def test_the_changelist_shows_who_is_locked(self, actors):
        lock(actors.staff)
        response = logged_in(actors.manager).get(CHANGELIST)
        model_admin = response.context["cl"].model_admin
        locked = {obj.username: model_admin.login_locked(obj) for obj in response.context["cl"].result_list}
        assert locked == {"staff1": True, "manager1": False}

    def test_a_manager_unlocks_own_staff_from_the_changelist(self, actors):
        lock(actors.staff)
        response = run_action(logged_in(actors.manager), [actors.staff])
        assert response.status_code == 200
        assert "1 account(s) unlocked." in [str(m) for m in get_messages(response.wsgi_request)]
        assert_unlocked(actors.staff)

    def test_a_manager_cannot_unlock_another_stores_staff(self, actors):
        lock(actors.other_staff)
        run_action(logged_in(actors.manager), [actors.other_staff])
        assert_locked(actors.other_staff)

    def test_a_manager_cannot_unlock_a_peer_manager(self, actors):
        peer = ManagerFactory(username="peer", store=actors.store)
        lock(peer)
        response = run_action(logged_in(actors.manager), [peer])
        assert "You may not unlock this account." in [str(m) for m in get_messages(response.wsgi_request)]
        assert_locked(peer)

    def test_an_admin_unlocks_anyone_from_the_changelist(self, actors):
        lock(actors.other_manager)
        lock(actors.staff)
        run_action(logged_in(actors.admin), [actors.other_manager, actors.staff])
        assert_unlocked(actors.other_manager)
        assert_unlocked(actors.staff)


class TestLockoutRecordsInTheAdmin:
    @pytest.mark.parametrize("model", ["accessattempt", "accessfailurelog"])
    def test_admins_only(self, actors, model):
        lock(actors.staff)
        url = reverse(f"admin:axes_{model}_changelist")
        response = logged_in(actors.admin).get(url)
        assert response.status_code == 200
        assert "staff1" in response.content.decode()
        assert logged_in(actors.manager).get(url).status_code == 403
