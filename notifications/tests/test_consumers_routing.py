"""WebSocket paths that match no route, and a channel layer that is down.

The tests run the real ASGI application (origin check, session/JWT middleware, router) with
channels' WebsocketCommunicator (see ws.py).
"""

import logging

import pytest

from notifications.tests.ws import WAIT, communicator, expect_close, run, token_for

pytestmark = pytest.mark.django_db(transaction=True)

# --- paths that match no route -----------------------------------------------------------------

UNROUTED = [
    "/ws/nope/",
    "/ws/stores/bad id/",
    "/ws/stores/",
    "/ws/stores/STORE001",
    "/ws/stores/STORE001/extra/",
    "/ws/notifications",
    "/ws/",
    "/",
]


@pytest.mark.parametrize("path", UNROUTED)
def test_unrouted_path_closes_4404_without_an_error(path, manager, caplog):
    async def scenario():
        await expect_close(communicator(path), 4404)
        await expect_close(communicator(path, token=token_for(manager)), 4404)

    with caplog.at_level(logging.WARNING):
        run(scenario)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_dead_channel_layer_closes_the_socket_1011_without_an_error(manager, store, settings, caplog):
    # Redis on a port where nothing listens: joining the store's group fails.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 1}]},
        }
    }

    async def scenario():
        comm = communicator(f"/ws/stores/{store.pk}/", token=token_for(manager))
        connected, code = await comm.connect(timeout=WAIT)
        assert (connected, code) == (False, 1011)
        await comm.wait()

    with caplog.at_level(logging.WARNING):
        run(scenario)
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []
    assert any("the channel layer failed" in record.getMessage() for record in caplog.records)
