"""A refresh token is spent exactly once, even when two requests present it at the same moment."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.tests.factories import UserFactory
from stores.tests.factories import StoreFactory
from zhilian.testing.concurrency import run_in_threads


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_refresh_with_one_token_succeeds_once():
    user = UserFactory(store=StoreFactory())
    raw = str(RefreshToken.for_user(user))

    outcomes = run_in_threads(4, lambda _index: services.auth_refresh(refresh=raw))

    assert len(outcomes.ok) == 1
    refused = outcomes.refused(services.AuthenticationError)
    assert outcomes.unexpected(services.AuthenticationError) == []
    assert [exc.code for exc in refused] == ["token_not_valid"] * 3
