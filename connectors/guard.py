"""The connection guard: every connection to a customer-given host passes through here.

A customer can type any host into a connector config, so without a guard a connection could
be aimed at our own infrastructure: the cloud metadata service, a database on the private
network, an admin port on loopback. The guard resolves the name, refuses every address that
is not plainly public (also IPv6 forms that wrap a refused IPv4 address, and unusual IPv4
spellings), and then connects to the very address it checked, so a second DNS answer cannot
swap in another one (DNS rebinding). The host name is kept for the ``Host`` header and for
TLS, so the certificate is still verified against the name.

Operators open holes with ``INGESTION_AGENT_ALLOWED_NETWORKS`` (comma-separated CIDRs, read
by :meth:`NetworkPolicy.from_string`); tests use it to reach servers on loopback.

httpx clients get all of this from :func:`guarded_client`. Client libraries that cannot be
told which address to connect to (boto3 signs the Host header; PyMySQL wraps TLS itself)
call :meth:`NetworkPolicy.resolve_sync` right before connecting instead, and say so in a
comment: their own second lookup leaves a short window for rebinding.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpcore
import httpx

from connectors.errors import BlockedByPolicyError, ConnectionFailedError, InvalidConfigError

__all__ = ["IPAddress", "IPNetwork", "NetworkPolicy", "guarded_client", "guarded_transport"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_ALLOWED_NETWORKS_ENV: Final = "INGESTION_AGENT_ALLOWED_NETWORKS"


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

_HTTP_PORTS: Final = {"http": 80, "https": 443}
# Matches httpx's own defaults, which the pool we build in its place would otherwise lose.
_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_BYPASSING_CLIENT_OPTIONS: Final = frozenset(
    {"transport", "mounts", "proxy", "trust_env", "follow_redirects"}
)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
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


def _category(address: IPAddress) -> str | None:
    """Why ``address`` itself is refused, ignoring any IPv4 address it wraps."""
    for network, category in _BLOCKED:
        if address in network:
            return category
    if (
        isinstance(address, ipaddress.IPv6Address)
        and address not in _IPV6_GLOBAL_UNICAST
        and not _embedded_ipv4(address)
    ):
        return "reserved"
    return None


def _parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _odd_ipv4(text: str) -> ipaddress.IPv4Address | None:
    """The address an unusual IPv4 spelling (``127.1``, ``0x7f.1``, ``2130706433``) means.

    ``inet_aton`` is what the C resolver uses for numeric hosts, so whatever it accepts
    would reach that address even though it looks like a name to us.
    """
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


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
        written = _parse_address(host.removeprefix("[").removesuffix("]"))
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
            address = _parse_address(host[1:-1])
            if not isinstance(address, ipaddress.IPv6Address):
                raise InvalidConfigError(f"{host} is not a valid IPv6 address.")
            return address
        address = _parse_address(host)
        if address is not None:
            return address
        meant = _odd_ipv4(host)
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
        category = _category(address)
        if category is not None or isinstance(address, ipaddress.IPv4Address):
            return category
        # The wrapping prefix itself is no destination: traffic ends up at the wrapped IPv4
        # address, so that is what is judged, allow-list included.
        for wrapping, embedded in _embedded_ipv4(address):
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


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy checked, never to a name.

    httpcore asks for ``connect_tcp(host, port)`` and then, for https, calls
    ``start_tls(server_hostname=host)`` on the stream we return, so pinning the socket here
    leaves SNI and certificate verification on the name.
    """

    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve and check ``host``, then connect to the first address that answers."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await self._policy.resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"Resolving {host} timed out.") from exc
        except ConnectionFailedError as exc:
            # As without the guard, a name that does not resolve is an httpx.ConnectError.
            raise httpcore.ConnectError(exc.message) from exc
        *earlier, last = addresses
        for address in earlier:
            try:
                return await self._connect(address, port, deadline, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return await self._connect(last, port, deadline, local_address, socket_options)

    async def _connect(
        self,
        address: IPAddress,
        port: int,
        deadline: float | None,
        local_address: str | None,
        socket_options: Iterable[Any] | None,
    ) -> httpcore.AsyncNetworkStream:
        now = asyncio.get_running_loop().time()
        remaining = None if deadline is None else max(deadline - now, 0.0)
        return await self._backend.connect_tcp(
            str(address),
            port,
            timeout=remaining,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def sleep(self, seconds: float) -> None:
        """Wait between connection retries."""
        await self._backend.sleep(seconds)


def _refusal_behind(exc: BaseException) -> BlockedByPolicyError | None:
    """The guard's refusal somewhere in ``exc``'s chain of causes, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, BlockedByPolicyError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (and its exception mapping) over a pinned, checked backend."""

    def __init__(
        self, policy: NetworkPolicy, *, verify: ssl.SSLContext | bool, retries: int
    ) -> None:
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False, limits=_LIMITS, retries=retries)
        # httpx has no parameter for the network backend, so the pool it just built (which
        # opened nothing) is replaced by the same pool connecting through the guard.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            retries=retries,
            network_backend=_PinnedBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; a refusal by the guard surfaces as BlockedByPolicyError."""
        try:
            return await super().handle_async_request(request)
        except httpx.HTTPError as exc:
            # Today the refusal arrives as itself: httpcore's pool re-raises it (``from
            # None``, so look in ``__context__`` too) and httpx re-raises exceptions it
            # does not map unchanged. Should a later version wrap it, unwrap it here:
            # callers must see blocked_by_policy, not a retryable network error.
            refusal = _refusal_behind(exc)
            if refusal is None:
                raise
            raise refusal from None


def guarded_transport(
    policy: NetworkPolicy, *, verify: ssl.SSLContext | bool = True, retries: int = 0
) -> httpx.AsyncBaseTransport:
    """An httpx transport whose every connection passes the connection guard.

    Each new connection resolves the host, refuses it per ``policy`` and connects to the
    checked address, keeping the name for the ``Host`` header and TLS. No proxy is used.

    Args:
        policy: Which addresses may be contacted.
        verify: An ``ssl.SSLContext`` to trust, ``True`` for the default trust store, or
            ``False`` to skip certificate verification.
        retries: Connection attempts to repeat after a connect error or timeout.

    Returns:
        The transport. Refusals raise :class:`~connectors.errors.BlockedByPolicyError`;
        other failures raise the usual ``httpx.ConnectError``, ``httpx.ConnectTimeout``, etc.
    """
    return _GuardedTransport(policy, verify=verify, retries=retries)


def guarded_client(
    policy: NetworkPolicy,
    *,
    verify: ssl.SSLContext | bool = True,
    timeout: float = 10.0,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for customer-given URLs, connecting only through the guard.

    Redirects are not followed (a redirect could carry credentials to another host), and
    nothing is taken from the environment: no proxy may carry a request past the guard.

    Args:
        policy: Which addresses may be contacted.
        verify: An ``ssl.SSLContext`` to trust, ``True`` for the default trust store, or
            ``False`` to skip certificate verification.
        timeout: Seconds allowed for each of connect, read, write and pool wait.
        **kwargs: Further ``httpx.AsyncClient`` options such as ``headers`` or ``auth``.

    Returns:
        The client; use it as an async context manager.

    Raises:
        TypeError: ``kwargs`` holds an option that would bypass the guard or its
            redirect rule (``transport``, ``mounts``, ``proxy``, ``trust_env``,
            ``follow_redirects``).
    """
    bypassing = sorted(_BYPASSING_CLIENT_OPTIONS & kwargs.keys())
    if bypassing:
        raise TypeError(f"guarded_client() sets or forbids {', '.join(bypassing)} itself.")
    return httpx.AsyncClient(
        transport=guarded_transport(policy, verify=verify),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        **kwargs,
    )
