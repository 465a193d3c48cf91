import pytest
from django.core.cache import cache


@pytest.fixture
def clear_throttle_counters():
    # Not autouse: only the auth-flow tests (test_auth_*.py) ask for it, with `pytestmark`.
    cache.clear()
    yield
    cache.clear()
