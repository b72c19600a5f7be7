"""The network policy: which customer-given hosts and URLs may be contacted.

:class:`NetworkPolicy` checks literal addresses, resolves names and checks every address in
the answer, and validates customer-given URLs. Holes opened by the operator (the allow-list)
are applied here, on top of the classification in :mod:`connectors.guard.addresses`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from connectors.errors import BlockedByPolicyError, ConnectionFailedError, InvalidConfigError
from connectors.guard.addresses import (
    IPAddress,
    IPNetwork,
    blocked_category,
    embedded_ipv4,
    odd_ipv4,
    parse_address,
)

__all__ = ["NetworkPolicy"]

_ALLOWED_NETWORKS_ENV: Final = "INGESTION_AGENT_ALLOWED_NETWORKS"
_HTTP_PORTS: Final = {"http": 80, "https": 443}


def _unresolvable(host: str) -> ConnectionFailedError:
    return ConnectionFailedError(f"The host name {host} could not be resolved.")


@dataclass(frozen=True)
class NetworkPolicy:
    """Which customer-given addresses may be contacted.

    Loopback, private, link-local, carrier-grade NAT, cloud metadata, multicast, reserved,
    benchmarking and documentation addresses are refused, and so are IPv6 addresses that
    wrap one of them (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo).

    Attributes:
        allowed_networks: Holes an operator opened: an address inside one of these networks
            passes even where it would otherwise be refused.
    """

    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_string(cls, value: str | None) -> NetworkPolicy:
        """Build a policy from ``INGESTION_AGENT_ALLOWED_NETWORKS``.

        Args:
            value: Comma-separated CIDRs such as ``"10.0.0.0/8, 127.0.0.0/8"``; a bare
                address means just that address. Empty or ``None`` opens no hole.

        Returns:
            The policy with those networks allowed.

        Raises:
            ValueError: An entry is not a network; the message names it. Host bits set
                (``10.0.0.1/8``) count as a mistake rather than silently widening the hole.
        """
        networks: list[IPNetwork] = []
        for entry in (value or "").split(","):
            text = entry.strip()
            if not text:
                continue
            try:
                networks.append(ipaddress.ip_network(text))
            except ValueError as exc:
                raise ValueError(
                    f"{_ALLOWED_NETWORKS_ENV}: {text!r} is not a network in CIDR notation ({exc})."
                ) from exc
        return cls(allowed_networks=tuple(networks))

    def is_allowed(self, address: IPAddress) -> bool:
        """Whether ``address`` lies inside a network the operator allowed.

        Only the address as given is compared; :meth:`check_address` also compares the IPv4
        address an IPv6 form wraps.
        """
        return any(address in network for network in self.allowed_networks)

    def check_address(self, address: IPAddress, *, host: str) -> None:
        """Refuse ``address`` unless it is public or inside an allowed network.

        Args:
            address: The address about to be contacted.
            host: What the customer wrote, named in the refusal.

        Raises:
            BlockedByPolicyError: Naming the address, why it is refused and the setting
                that can allow it.
        """
        reason = self._refusal(address)
        if reason is None:
            return
        written = parse_address(host.removeprefix("[").removesuffix("]"))
        where = host if written == address else f"{host} at {address}"
        raise BlockedByPolicyError(
            f"Connections to {where} ({reason}) are not allowed. An operator can allow this"
            f" network with {_ALLOWED_NETWORKS_ENV}."
        )

    def literal_address(self, host: str) -> IPAddress | None:
        """The address ``host`` spells literally, or ``None`` when it is a name.

        Args:
            host: A host as written in a URL or config: ``"203.0.113.7"``, ``"::1"``,
                ``"[::1]"`` or a name.

        Returns:
            The address, not yet checked against the policy; ``None`` for a name.

        Raises:
            BlockedByPolicyError: ``host`` is an unusual IPv4 spelling (``127.1``,
                ``0x7f.1``, ``0177.0.0.1``, ``2130706433``); refused whatever is allowed,
                since such spellings serve to slip past filters.
            InvalidConfigError: ``host`` is bracketed but not an IPv6 address.
        """
        if host.startswith("[") and host.endswith("]"):
            address = parse_address(host[1:-1])
            if not isinstance(address, ipaddress.IPv6Address):
                raise InvalidConfigError(f"{host} is not a valid IPv6 address.")
            return address
        address = parse_address(host)
        if address is not None:
            return address
        meant = odd_ipv4(host)
        if meant is not None:
            raise BlockedByPolicyError(
                f"The host {host} is an unusual spelling of the IPv4 address {meant} and is"
                f" refused whatever {_ALLOWED_NETWORKS_ENV} allows. Write it as {meant}."
            )
        return None

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Resolve ``host`` and check every address it resolves to.

        Args:
            host: A name or a literal address.
            port: The port about to be contacted (passed to the resolver).

        Returns:
            The addresses in resolver order, all allowed; connect to one of these, not to
            the name, so that what was checked is what is contacted.

        Raises:
            BlockedByPolicyError: Any address is refused. A name whose answer mixes public
                and refused addresses is refused as a whole: that is what DNS rebinding
                looks like.
            ConnectionFailedError: The name does not resolve (failure ``unreachable``).
            InvalidConfigError: ``host`` is empty or a malformed bracketed literal.
        """
        literal = self._checked_literal(host)
        if literal is not None:
            return [literal]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise _unresolvable(host) from exc
        return self._checked_answer(host, infos)

    def resolve_sync(self, host: str, port: int) -> list[IPAddress]:
        """Blocking :meth:`resolve`, for clients that have no hook to connect to an address.

        Call it right before such a client connects; the client's own lookup may differ
        from ours, so prefer :func:`guarded_client` wherever the client allows pinning.

        Raises:
            BlockedByPolicyError: As :meth:`resolve`.
            ConnectionFailedError: As :meth:`resolve`.
            InvalidConfigError: As :meth:`resolve`.
        """
        literal = self._checked_literal(host)
        if literal is not None:
            return [literal]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise _unresolvable(host) from exc
        return self._checked_answer(host, infos)

    def check_url(self, url: str) -> tuple[str, str, int]:
        """Check a customer-given URL before anything is contacted.

        Literal addresses are checked here; names are resolved and checked when the
        connection is made (by :func:`guarded_client` or :meth:`resolve`).

        Args:
            url: An ``http`` or ``https`` URL.

        Returns:
            ``(scheme, host, port)``: the scheme in lower case, the host as it goes on the
            wire (IDNA-encoded, IPv6 without brackets) and the port, defaulting to 80 or
            443.

        Raises:
            InvalidConfigError: With ``field="url"``: not a URL, not http or https, no
                host, a port out of range, or credentials inside the URL (they belong in
                the vault). The URL itself is never echoed, since it may carry a secret.
            BlockedByPolicyError: The host is a refused address or an unusual IPv4
                spelling.
        """
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            # httpx rejects some odd IPv4 spellings (0177.0.0.1) as malformed; name them
            # for what they are. Its own message is dropped because it may quote the URL.
            self._refuse_odd_host(url)
            raise InvalidConfigError("The URL is not valid.", field="url") from None
        scheme = parsed.scheme
        if scheme not in _HTTP_PORTS:
            problem = f"not {scheme}://" if scheme else "and this one has no scheme"
            raise InvalidConfigError(
                f"Only http:// and https:// URLs can be used, {problem}.", field="url"
            )
        if parsed.userinfo:
            raise InvalidConfigError(
                "The URL must not contain a user name or password; store credentials as"
                " the connection's secret instead.",
                field="url",
            )
        host = parsed.raw_host.decode("ascii")
        if not host:
            raise InvalidConfigError("The URL has no host.", field="url")
        port = _HTTP_PORTS[scheme] if parsed.port is None else parsed.port
        if not 0 < port < 65536:
            raise InvalidConfigError("The URL's port must be between 1 and 65535.", field="url")
        self._checked_literal(host)
        return scheme, host, port

    def _refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused, or ``None`` when it may be contacted."""
        if self.is_allowed(address):
            return None
        category = blocked_category(address)
        if category is not None or isinstance(address, ipaddress.IPv4Address):
            return category
        # The wrapping prefix itself is no destination: traffic ends up at the wrapped IPv4
        # address, so that is what is judged, allow-list included.
        for wrapping, embedded in embedded_ipv4(address):
            reason = self._refusal(embedded)
            if reason is not None:
                return f"{wrapping} {embedded}, {reason}"
        return None

    def _checked_literal(self, host: str) -> IPAddress | None:
        if not host:
            raise InvalidConfigError("No host was given.")
        literal = self.literal_address(host)
        if literal is not None:
            self.check_address(literal, host=host)
        return literal

    def _checked_answer(
        self, host: str, infos: Iterable[tuple[int, int, int, str, tuple[Any, ...]]]
    ) -> list[IPAddress]:
        addresses: list[IPAddress] = []
        for family, _, _, _, sockaddr in infos:
            if family not in {socket.AF_INET, socket.AF_INET6}:
                continue
            address = ipaddress.ip_address(str(sockaddr[0]))
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise _unresolvable(host)
        for address in addresses:
            self.check_address(address, host=host)
        return addresses

    def _refuse_odd_host(self, url: str) -> None:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return
        if host:
            self.literal_address(host)
