"""One login lockout behind every door: the API, the admin login and the dashboard login.

The policy under test (accounts/lockout.py): AXES_FAILURE_LIMIT failures per account (however it
is named) or LOGIN_FAILURE_LIMIT_PER_ADDRESS failures per client address lock the login for
AXES_COOLOFF_TIME; the right password does not get through a lock; the failure that reaches a
limit already answers "locked". Attempts are recorded in the database (axes' AccessAttempt).
"""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import TEST_PASSWORD

LOGIN = "/api/v1/auth/login/"
ADMIN_LOGIN = "/admin/login/"
DASHBOARD_LOGIN = "/dashboard/login/"
COOL_OFF = dt.timedelta(minutes=15)
LOCKED_MESSAGE = "Too many failed login attempts. Try again in 15 minutes."
UNREACHABLE_CACHE = {
    # A real Redis client against a closed port: every cache call raises ConnectionError.
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture(autouse=True)
def policy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 5
    settings.AXES_COOLOFF_TIME = COOL_OFF
    settings.TRUSTED_PROXIES = []
    cache.clear()


def api_login(login, password=TEST_PASSWORD, client=None, **extra):
    return (client or APIClient()).post(LOGIN, {"username": login, "password": password}, format="json", **extra)


def form_login(url, login, password=TEST_PASSWORD, client=None, **extra):
    client = client or Client()
    return client.post(url, {"username": login, "password": password, "next": "/"}, **extra), client


def admin_login(login, password=TEST_PASSWORD, client=None, **extra):
    return form_login(ADMIN_LOGIN, login, password, client, **extra)


def dashboard_login(login, password=TEST_PASSWORD, client=None, **extra):
    return form_login(DASHBOARD_LOGIN, login, password, client, **extra)


def assert_api_locked(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"].startswith(LOCKED_MESSAGE)
    assert set(body) == {"detail", "code"}
    assert 1 <= int(response["Retry-After"]) <= COOL_OFF.total_seconds()


def assert_form_locked(response, client):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= COOL_OFF.total_seconds()
    assert LOCKED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session, "a locked-out login must not sign in"


def assert_signed_in(response, client, user):
    assert response.status_code == 302, response.content[:500]
    assert client.session["_auth_user_id"] == str(user.pk)


class TestApiDoor:
    def test_the_account_locks_at_the_limit_and_the_right_password_waits(self, staff):
        for _ in range(2):
            response = api_login("staff1", "bad-guess")
            assert response.status_code == 401
            assert response.json()["code"] == "invalid_credentials"
        # The failure that reaches the limit already says so.
        assert_api_locked(api_login("staff1", "bad-guess"))
        assert_api_locked(api_login("staff1"))
        # ... by email too, in any case: it is the same account.
        assert_api_locked(api_login("STAFF1@example.com"))

    def test_username_and_email_share_one_count(self, staff):
        assert api_login("staff1", "x").status_code == 401
        assert api_login("staff1@example.com", "x").status_code == 401
        assert_api_locked(api_login("Staff1", "x"))
        assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"staff1"}

    def test_the_lock_is_per_account(self, staff, manager):
        for _ in range(3):
            api_login("staff1", "bad-guess")
        assert_api_locked(api_login("staff1"))
        assert api_login("manager1").status_code == 200

    def test_unknown_names_are_counted_too(self, db):
        assert api_login("nobody", "x").status_code == 401
        assert api_login("NOBODY", "x").status_code == 401
        assert_api_locked(api_login("nobody", "x"))

    def test_successes_do_not_count_and_clear_the_accounts_failures(self, staff):
        for _ in range(5):
            assert api_login("staff1").status_code == 200
        assert api_login("staff1", "typo").status_code == 401
        assert api_login("staff1", "typo").status_code == 401
        assert api_login("staff1").status_code == 200
        assert api_login("staff1", "typo").status_code == 401
        assert api_login("staff1", "typo").status_code == 401
        assert_api_locked(api_login("staff1", "typo"))

    def test_attempts_during_the_lockout_neither_count_nor_extend_it(self, staff):
        for _ in range(3):
            api_login("staff1", "bad-guess")
        before = list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time"))
        for _ in range(3):
            assert_api_locked(api_login("staff1", "bad-guess"))
        assert list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time")) == before

    def test_the_lock_ends_after_the_cool_off(self, staff):
        for _ in range(3):
            api_login("staff1", "bad-guess")
        assert_api_locked(api_login("staff1"))
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - COOL_OFF - dt.timedelta(seconds=1))
        assert api_login("staff1").status_code == 200

    def test_failures_are_logged_for_the_admins(self, staff):
        api_login("staff1", "bad-guess")
        log = AccessFailureLog.objects.get()
        assert (log.username, log.ip_address, log.path_info, log.locked_out) == ("staff1", "127.0.0.1", LOGIN, False)


class TestAddressLimit:
    def test_many_accounts_from_one_address_lock_that_address(self, staff):
        for name in ("a", "b", "c", "d"):
            assert api_login(name, "x", REMOTE_ADDR="10.0.0.9").status_code == 401
        assert_api_locked(api_login("e", "x", REMOTE_ADDR="10.0.0.9"))
        assert_api_locked(api_login("staff1", REMOTE_ADDR="10.0.0.9"))
        assert api_login("staff1", REMOTE_ADDR="10.0.0.10").status_code == 200

    def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape(self, staff):
        for i in range(4):
            response = api_login(f"user{i}", "x", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
            assert response.status_code == 401
        assert_api_locked(api_login("user9", "x", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.99"))
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}

    def test_the_forwarded_address_is_honoured_from_a_configured_proxy(self, staff, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
        via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for i in range(4):
            response = api_login(f"user{i}", "x", HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy)
            assert response.status_code == 401
        assert_api_locked(api_login("user9", "x", HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy))
        # Another client behind the same proxy has its own budget ...
        assert api_login("staff1", HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy).status_code == 200
        # ... and what a client writes left of what the proxy appended changes nothing.
        spoofed = api_login("staff1", HTTP_X_FORWARDED_FOR="198.51.100.2, 198.51.100.1", **via_proxy)
        assert_api_locked(spoofed)
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


class TestAdminDoor:
    def test_the_admin_login_locks_and_says_when_to_try_again(self, manager):
        for _ in range(2):
            response, _client = admin_login("manager1", "bad-guess")
            assert response.status_code == 200
            assert "Please enter the correct" in response.content.decode()
        response, client = admin_login("manager1", "bad-guess")
        assert_form_locked(response, client)
        response, client = admin_login("manager1")
        assert_form_locked(response, client)
        assert client.get("/admin/").status_code == 302

    def test_the_message_is_translated(self, manager):
        for _ in range(3):
            response, client = admin_login("manager1", "bad-guess", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 429
        assert "登录失败次数过多，请 15 分钟后再试。" in response.content.decode()

    def test_the_right_password_signs_in_when_not_locked(self, manager):
        response, client = admin_login("manager1")
        assert_signed_in(response, client, manager)


class TestDashboardDoor:
    def test_the_dashboard_login_locks_and_says_when_to_try_again(self, staff):
        for _ in range(2):
            response, _client = dashboard_login("staff1", "bad-guess")
            assert response.status_code == 200
            assert "Please enter a correct username and password." in response.content.decode()
        response, client = dashboard_login("staff1", "bad-guess")
        assert_form_locked(response, client)
        response, client = dashboard_login("staff1")
        assert_form_locked(response, client)
        assert client.get("/dashboard/").status_code == 302

    def test_the_right_password_signs_in_when_not_locked(self, staff):
        response, client = dashboard_login("staff1@example.com")
        assert_signed_in(response, client, staff)


class TestOnePolicyForEveryDoor:
    def test_failures_on_the_admin_and_dashboard_lock_the_api(self, manager):
        admin_login("manager1", "bad-guess")
        dashboard_login("MANAGER1@example.com", "bad-guess")
        response, client = admin_login("manager1", "bad-guess")
        assert_form_locked(response, client)
        assert_api_locked(api_login("manager1"))

    def test_failures_on_the_api_lock_the_admin_and_the_dashboard(self, manager):
        for _ in range(3):
            api_login("manager1@example.com", "bad-guess")
        assert_form_locked(*admin_login("manager1"))
        assert_form_locked(*dashboard_login("manager1"))

    def test_an_address_locked_on_one_door_is_locked_on_the_others(self, staff, manager):
        for name in ("a", "b", "c", "d", "e"):
            dashboard_login(name, "x", REMOTE_ADDR="10.0.0.9")
        assert_api_locked(api_login("staff1", REMOTE_ADDR="10.0.0.9"))
        assert_form_locked(*admin_login("manager1", REMOTE_ADDR="10.0.0.9"))


class TestWithoutTheCache:
    def test_logins_and_lockouts_work_with_an_unreachable_cache(self, staff, manager, settings):
        settings.CACHES = UNREACHABLE_CACHE
        with pytest.raises(Exception, match="127.0.0.1:1"):
            cache.get("probe")
        assert api_login("staff1").status_code == 200
        response, client = admin_login("manager1")
        assert_signed_in(response, client, manager)
        for _ in range(2):
            assert api_login("staff1", "bad-guess").status_code == 401
        assert_api_locked(api_login("staff1", "bad-guess"))
        assert_form_locked(*dashboard_login("staff1"))
