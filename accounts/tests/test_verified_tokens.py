"""accounts.authentication.VerifiedTokens: a token's signature is checked once per process, but its
expiry and its revocation on every request."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import VerifiedTokens, verified_tokens

pytestmark = pytest.mark.django_db
ME = "/api/v1/auth/me/"


def me(access: str):
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {access}")


def test_the_signature_is_checked_once_then_remembered(manager):
    access = str(AccessToken.for_user(manager))
    with mock.patch.object(TokenBackend, "decode", autospec=True, side_effect=TokenBackend.decode) as decode:
        for _ in range(3):
            response = me(access)
            assert response.status_code == 200 and response.json()["username"] == manager.username
    assert decode.call_count == 1


def test_a_remembered_token_still_expires(manager):
    token = AccessToken.for_user(manager)
    token.set_exp(lifetime=dt.timedelta(seconds=1))
    access = str(token)
    assert me(access).status_code == 200
    time.sleep(1.1)
    response = me(access)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_tampered_copy_of_a_remembered_token_is_refused(manager):
    access = str(AccessToken.for_user(manager))
    assert me(access).status_code == 200
    header, payload, signature = access.split(".")
    forged = ".".join((header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")))
    assert me(forged).status_code == 401


def test_the_cache_is_bounded_oldest_first(manager):
    cache = VerifiedTokens(size=2)
    tokens = [AccessToken.for_user(manager) for _ in range(3)]
    for token in tokens:
        cache.add(str(token).encode(), token)
    assert cache.get(str(tokens[0]).encode()) is None
    assert cache.get(str(tokens[1]).encode()) is tokens[1]
    assert cache.get(str(tokens[2]).encode()) is tokens[2]


def test_an_expired_entry_is_dropped(manager):
    token = AccessToken.for_user(manager)
    token.payload["exp"] = int(time.time()) - 1
    verified_tokens.add(b"expired", token)
    assert verified_tokens.get(b"expired") is None
    assert b"expired" not in verified_tokens._tokens
