"""Helpers for the WebSocket tests: a communicator on the real ASGI application, and waits that
never assert on timing.
"""

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from zhilian.asgi import application

ORIGIN = (b"origin", b"http://localhost")
# Generous: a slow CI machine must not fail a test; no timing is asserted.
WAIT = 5
QUIET = 0.5


def token_for(user) -> str:
    # An access token as the login endpoint issues it; no database access, so usable in async code.
    return str(AccessToken.for_user(user))


def communicator(path, *, token=None, subprotocols=None, cookie=None, origin=ORIGIN):
    if token is not None:
        path = f"{path}?token={token}"
    headers = [origin] if origin else []
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)


def run(scenario):
    """Run an async scenario from a sync test; DB work in it goes back to this thread."""
    async_to_sync(scenario)()


async def open_socket(path, **kwargs):
    comm = communicator(path, **kwargs)
    connected, subprotocol = await comm.connect(timeout=WAIT)
    assert connected
    return comm, subprotocol


async def expect_close(comm, code):
    connected, _ = await comm.connect(timeout=WAIT)
    assert connected, "the socket is accepted, then closed, so the browser sees the code"
    message = await comm.receive_output(timeout=WAIT)
    assert message == {"type": "websocket.close", "code": code}
    await comm.wait()


async def receive_event(comm, event_type):
    """The next event of `event_type` (other events of the same change may come first)."""
    while True:
        event = await comm.receive_json_from(timeout=WAIT)
        assert set(event) == {"type", "store", "data", "at"}
        if event["type"] == event_type:
            return event


def make_order(store, user):
    from orders.services import order_create

    return order_create(
        store=store,
        user=user,
        items=[
            {
                "is_open_item": True,
                "item_code": "D001",
                "item_name": "Mapo Tofu",
                "quantity": 2,
                "unit_price_cents": 32_00,
            }
        ],
        customer_name="Li Lei",
    )
