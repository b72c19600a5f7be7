"""The pinned httpx transport: connect only to the address the policy checked.

A new connection resolves the host through :meth:`NetworkPolicy.resolve
<connectors.guard.NetworkPolicy.resolve>` and opens the socket to a checked address, never to
the name, so a second DNS answer cannot swap in another address (DNS rebinding). httpcore
still gets the name for the ``Host`` header, SNI and certificate verification.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any, Final

import httpcore
import httpx

from connectors.errors import BlockedByPolicyError, ConnectionFailedError
from connectors.guard.addresses import IPAddress
from connectors.guard.policy import NetworkPolicy

__all__ = ["guarded_client", "guarded_transport"]

# Matches httpx's own defaults, which the pool we build in its place would otherwise lose.
_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_BYPASSING_CLIENT_OPTIONS: Final = frozenset(
    {"transport", "mounts", "proxy", "trust_env", "follow_redirects"}
)


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
