"""A refresh token is spent exactly once, even when two requests present it at the same moment."""

import threading

import pytest
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.tests.factories import UserFactory
from stores.tests.factories import StoreFactory


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_refresh_with_one_token_succeeds_once():
    user = UserFactory(store=StoreFactory())
    raw = str(RefreshToken.for_user(user))
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def refresh():
        try:
            barrier.wait()
            services.auth_refresh(refresh=raw)
            result = "ok"
        except services.AuthenticationError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "token_not_valid", "token_not_valid", "token_not_valid"]
