"""The auth endpoints answer malformed bodies with a 4xx, never a 500."""

import pytest

from accounts.tests.auth_helpers import LOGIN, LOGOUT, REFRESH, REGISTER

pytestmark = pytest.mark.usefixtures("clear_throttle_counters")

MALFORMED = [[], "text", {"username": ["a"], "password": {"x": 1}}, {"username": "a" * 5000, "password": "x"}, 12]


@pytest.mark.parametrize("url", [LOGIN, REFRESH, LOGOUT, REGISTER])
@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_bodies_are_4xx_never_500(anon_client, staff, url, body):
    response = anon_client.post(url, body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert isinstance(response.json(), dict)
