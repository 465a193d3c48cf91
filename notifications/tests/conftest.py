import pytest
from channels.layers import get_channel_layer

from notifications.tests.live import use_private_channel_layer


@pytest.fixture(autouse=True)
def channel_layer(settings):
    # A unique prefix per test: parallel runs and leftover messages in a shared Redis never mix.
    use_private_channel_layer(settings)
    return get_channel_layer()
