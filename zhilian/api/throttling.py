"""API throttles that count per client address as zhilian.net decides it.

DRF's own address (``BaseThrottle.get_ident``) believes X-Forwarded-For from anyone unless
NUM_PROXIES is set, and then it trusts a fixed number of hops without looking at who connected;
these throttles use ``zhilian.net.client_ip`` instead (forwarded headers only from
settings.TRUSTED_PROXIES). Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from zhilian.net import client_ip


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class AnonymousAddressThrottle(ClientAddressMixin, AnonRateThrottle):
    """Anonymous callers per address; signed-in callers are not limited by it.

    Subclasses name the rate with ``scope``; a rate of None turns the throttle off.
    """

    def get_rate(self) -> str | None:
        # Read per request: DRF binds THROTTLE_RATES once at import, so changed settings would
        # otherwise never apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class RegisterThrottle(AnonymousAddressThrottle):
    """Anonymous registration attempts per address (rate "register")."""

    scope = "register"
