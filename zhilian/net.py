"""The client's network address, the one place that decides it.

Used by the login lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``), the API throttles
(``zhilian.api.throttling``) and anything else that counts or logs per address.

``X-Forwarded-For`` is believed only when the peer that connected to us (``REMOTE_ADDR``) is a
configured proxy (settings.TRUSTED_PROXIES, addresses or networks; empty by default, so the header
is ignored). The chain is then walked from the right, past every trusted proxy, and the first
address that is not one is the client's. A client that writes the header itself therefore gains
nothing: either it reaches us directly (the header is ignored) or a trusted proxy appends the
real peer address to the right of whatever it wrote.

Written here rather than taken from django-ipware: ipware decides from the header's contents
(its trusted-proxy list is matched against addresses in the header, not against the socket
peer), so a client that reaches the application directly could still choose its own address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_proxies() -> tuple[Network, ...]:
    """settings.TRUSTED_PROXIES parsed (a bad entry fails loudly at the first request)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(value: str | None) -> Address | None:
    """An address from a header or REMOTE_ADDR ("1.2.3.4", "1.2.3.4:5678", "[::1]:80"), or None."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4-mapped IPv6 peer (dual-stack sockets) is the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as a string, or None when the peer address is unknown."""
    meta = getattr(request, "META", {})
    address = parse_address(meta.get("REMOTE_ADDR"))
    if address is None:
        return None
    networks = trusted_proxies()
    if networks and _is_trusted(address, networks):
        hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _is_trusted(address, networks):
                break
            parsed = parse_address(hop)
            if parsed is None:
                # A hop we cannot read ends the chain: the last proxy we trust is what we know.
                break
            address = parsed
    return str(address)
