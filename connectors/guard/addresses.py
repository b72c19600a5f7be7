"""Classifying IP addresses: which are refused, and what an unusual spelling really means.

Every refusal comes from an explicit table (:data:`_BLOCKED`) plus two rules: IPv6 outside
global unicast is reserved unless it wraps an IPv4 address, and an IPv6 form that wraps an
IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo, ...) is judged by the address it wraps. The
allow-list is not applied here; :class:`~connectors.guard.NetworkPolicy` does that.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Final

__all__ = [
    "IPAddress",
    "IPNetwork",
    "blocked_category",
    "embedded_ipv4",
    "odd_ipv4",
    "parse_address",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(category: str, *cidrs: str) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), category) for cidr in cidrs)


# The first match names the category, so the single metadata addresses come before the
# link-local, CGNAT and IETF ranges that contain them. An explicit table rather than
# ``ipaddress``'s ``is_private``/``is_global``, whose answers changed between Python releases.
_BLOCKED: Final = (
    *_networks(
        "cloud metadata",
        "169.254.169.254/32",
        "100.100.100.200/32",
        "192.0.0.192/32",
        "fd00:ec2::254/128",
    ),
    *_networks("unspecified", "0.0.0.0/8", "::/128"),
    *_networks("loopback", "127.0.0.0/8", "::1/128"),
    *_networks("private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
    *_networks("carrier-grade NAT", "100.64.0.0/10"),
    *_networks("link-local", "169.254.0.0/16", "fe80::/10"),
    *_networks("unique-local", "fc00::/7"),
    *_networks("site-local", "fec0::/10"),
    *_networks("multicast", "224.0.0.0/4", "ff00::/8"),
    *_networks("benchmarking", "198.18.0.0/15", "2001:2::/48"),
    *_networks(
        "documentation",
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
        "3fff::/20",
    ),
    *_networks("reserved", "192.0.0.0/24", "192.88.99.0/24", "240.0.0.0/4", "100::/64"),
)

# Outside 2000::/3 nothing is public unicast; what lives there either wraps IPv4 (judged by
# the wrapped address) or is reserved.
_IPV6_GLOBAL_UNICAST: Final = ipaddress.IPv6Network("2000::/3")
# Prefixes whose low 32 bits are the IPv4 address the traffic really goes to. The local-use
# NAT64 prefix 64:ff9b:1::/48 allows RFC 6052 layouts of other lengths too; we read the /96
# layout, the one common deployments use.
_LOW32_WRAPPINGS: Final = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), "IPv4-mapped"),
    (ipaddress.IPv6Network("::ffff:0:0:0/96"), "IPv4-translated"),
    (ipaddress.IPv6Network("::/96"), "IPv4-compatible"),
    (ipaddress.IPv6Network("64:ff9b::/96"), "NAT64"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "NAT64"),
)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, each with the name of its wrapping."""
    for prefix, wrapping in _LOW32_WRAPPINGS:
        if address in prefix:
            return [(wrapping, ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))]
    if address.sixtofour is not None:
        return [("6to4", address.sixtofour)]
    if address.teredo is not None:
        server, client = address.teredo
        return [("Teredo client", client), ("Teredo server", server)]
    return []


def blocked_category(address: IPAddress) -> str | None:
    """Why ``address`` itself is refused, ignoring any IPv4 address it wraps."""
    for network, category in _BLOCKED:
        if address in network:
            return category
    if (
        isinstance(address, ipaddress.IPv6Address)
        and address not in _IPV6_GLOBAL_UNICAST
        and not embedded_ipv4(address)
    ):
        return "reserved"
    return None


def parse_address(text: str) -> IPAddress | None:
    """The address ``text`` spells in standard notation, or ``None``."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def odd_ipv4(text: str) -> ipaddress.IPv4Address | None:
    """The address an unusual IPv4 spelling (``127.1``, ``0x7f.1``, ``2130706433``) means.

    ``inet_aton`` is what the C resolver uses for numeric hosts, so whatever it accepts
    would reach that address even though it looks like a name to us.
    """
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None
