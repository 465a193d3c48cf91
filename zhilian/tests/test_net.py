"""zhilian.net.client_ip: X-Forwarded-For only from configured proxies, walked from the right."""

import pytest
from django.test import RequestFactory

from zhilian.net import client_ip


def address(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8", "192.0.2.5"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert address("10.0.0.1", "198.51.100.1") == "10.0.0.1"


def test_an_untrusted_peer_cannot_choose_its_address(proxies):
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert address("203.0.113.7", "10.0.0.1") == "203.0.113.7"


def test_a_trusted_proxy_is_believed(proxies):
    assert address("10.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert address("192.0.2.5", "198.51.100.1") == "198.51.100.1"


def test_the_chain_is_walked_past_trusted_proxies_only(proxies):
    # client -> proxy 10.0.0.2 -> proxy 10.0.0.1 -> us
    assert address("10.0.0.1", "198.51.100.1, 10.0.0.2") == "198.51.100.1"
    # what the client wrote itself (left of its real address) is not believed
    assert address("10.0.0.1", "1.1.1.1, 198.51.100.1") == "198.51.100.1"
    assert address("10.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.2") == "198.51.100.1"


def test_a_chain_of_only_proxies_gives_the_leftmost(proxies):
    assert address("10.0.0.1", "10.0.0.3, 10.0.0.2") == "10.0.0.3"


def test_an_unreadable_hop_ends_the_walk(proxies):
    assert address("10.0.0.1", "198.51.100.1, garbage") == "10.0.0.1"
    assert address("10.0.0.1", "") == "10.0.0.1"
    assert address("10.0.0.1", " , ") == "10.0.0.1"


def test_ports_brackets_and_ipv6(proxies):
    assert address("10.0.0.1", "198.51.100.1:5555") == "198.51.100.1"
    assert address("fd00::1", "[2001:db8::7]:443") == "2001:db8::7"
    assert address("fd00::1", "2001:db8::7") == "2001:db8::7"
    assert address("::ffff:10.0.0.1", "198.51.100.1") == "198.51.100.1"


def test_no_peer_address():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None
    assert address("not-an-address") is None
