"""One login lockout for every door (API, admin, dashboard), run by django-axes.

Every door logs in through ``django.contrib.auth.authenticate(request, username=..., password=...)``;
axes' backend (first in AUTHENTICATION_BACKENDS) refuses a locked-out login before the password
is looked at, and its signal handler records each failure in the database (``AccessAttempt``),
so the lockout survives a cache outage and is shared by every worker.

Policy (settings, from the environment):

- ``AXES_FAILURE_LIMIT`` (LOGIN_FAILURE_LIMIT, default 5) failures per account within
  ``AXES_COOLOFF_TIME`` (LOGIN_LOCKOUT_MINUTES, default 15) lock the account. The account is
  the one the login resolves to, so its username and its email share one count; a login that
  names no account is counted under its normalized name.
- ``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` (default 20) failures from one client address within
  the same period lock that address (zhilian.net.client_ip decides the address).
- A locked login waits out the cool-off counted from the failure that locked it; attempts
  during the lockout neither count nor extend it. A successful login clears the account's
  failures (not the address's: logging into one's own account must not reset an attacker's
  budget). Admins, and managers for the staff of their store, unlock an account early
  (accounts.services.user_unlock_login).

Each door answers a lockout itself: the API with 429, Retry-After and ``{"detail", "code":
"throttled"}``, the admin and dashboard login forms re-rendered with "try again in N minutes",
status 429 and Retry-After. axes' own middleware is not used (see settings).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from accounts.usernames import normalize_username

ACCOUNT = "username"
ADDRESS = "ip_address"
# AccessAttempt.username holds at most this many characters.
_KEY_LENGTH = 255


def account_key(user) -> str:
    """What the lockout records for an account: its username, lower-cased (usernames are
    unique case-insensitively)."""
    return user.username.lower()


def lockout_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a login names, however it is named."""
    if not credentials:
        return None
    login = credentials.get(ACCOUNT) or credentials.get("email")
    if not login:
        return None
    # Resolved once per request: axes asks several times while it checks and records.
    memo = getattr(request, "_zh_lockout_keys", None) if request is not None else None
    if memo is not None and login in memo:
        return memo[login]
    from accounts.backends import resolve_login

    user = resolve_login(login)
    key = account_key(user) if user is not None else normalize_username(login).lower()[:_KEY_LENGTH]
    if request is not None:
        if memo is None:
            memo = {}
            request._zh_lockout_keys = memo
        memo[login] = key
    return key


def _limits() -> dict[str, int]:
    return {ACCOUNT: settings.AXES_FAILURE_LIMIT, ADDRESS: settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS}


class LoginLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout parameter (account, address).

    axes compares one failure count with one limit (AXES_FAILURE_LIMIT, the per-account limit).
    ``get_failures`` therefore reports, on the scale of that limit, how close the nearer of the
    two limits is: an address at its own limit reads as an account at its limit.
    """

    def _counted(self, request, credentials) -> list[tuple[str, object, int]]:
        limits = _limits()
        parameters = get_lockout_parameters(request, credentials)
        return [
            (parameter, attempts, limits[parameter])
            for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials))
        ]

    def get_failures(self, request, credentials: dict | None = None) -> int:
        scale = settings.AXES_FAILURE_LIMIT
        worst = 0
        for _parameter, attempts, limit in self._counted(request, credentials):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures + scale - limit)
        return worst

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=account_key(user)).delete()

    def seconds_until_unlocked(self, request, credentials: dict | None) -> int:
        """How long until every limit this login is over has room again (at least 1 s)."""
        cool_off: timedelta = get_cool_off(request)
        now: datetime = request.axes_attempt_time
        unlock_at = now
        for _parameter, attempts, limit in self._counted(request, credentials):
            rows = list(attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start"))
            remaining = sum(failures for _at, failures in rows)
            # Attempts leave the window oldest first; the lock ends when the rest is under the limit.
            for attempt_time, failures in rows:
                if remaining < limit:
                    break
                remaining -= failures
                unlock_at = max(unlock_at, attempt_time + cool_off)
        return max(1, math.ceil((unlock_at - now).total_seconds()))


def retry_after(request: HttpRequest, login: str | None) -> int | None:
    """Seconds until the login may be tried again, or None when this request was not locked out.

    Call after ``authenticate`` returned None: axes flags the request when it refused a
    locked-out login or when this failure reached a limit.
    """
    if not getattr(request, "axes_locked_out", False):
        return None
    handler = AxesProxyHandler.get_implementation()
    if isinstance(handler, LoginLockoutHandler):
        return handler.seconds_until_unlocked(request, get_credentials(login))
    return int(get_cool_off(request).total_seconds())


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute.",
        "Too many failed login attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def mark_locked_out(response: HttpResponse, seconds: int) -> HttpResponse:
    """A login page re-rendered for a locked-out login: 429 with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(seconds)
    return response
