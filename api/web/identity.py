"""Which identity the widget's page should use: local development, the gateway, or a token.

In ``headers`` mode the service trusts ``X-Tenant-Id``, ``X-User-ID`` and ``X-User-Roles``
from the gateway in front of it. A developer running ``ingestion-agent serve`` on their own
machine has no gateway, so the page may send a fixed local identity instead, but only when
the request plainly comes straight from this machine: a loopback peer, a loopback ``Host``
(a DNS-rebinding page names its own host), and no header that a gateway or proxy adds. The
answer grants nothing by itself: it only tells the page which headers to send, and those
headers are checked like any other request's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from api.auth import Authenticator, JwtAuthenticator

__all__ = ["LOCAL_IDENTITY", "IdentityHint", "identity_hint", "is_local_development"]

LOCAL_IDENTITY: dict[str, str] = {
    "X-Tenant-Id": "local",
    "X-User-ID": "you",
    "X-User-Roles": "ROLE_DATA_ENGINEER",
}

# Any of these means a gateway or a proxy stands between the browser and the service.
_GATEWAY_HEADERS = (
    "X-Tenant-Id",
    "X-User-ID",
    "X-User-Roles",
    "Authorization",
    "Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Real-IP",
    "Via",
)


class IdentityHint(BaseModel):
    """What ``GET /widget/identity`` tells the page.

    ``local``: send ``headers`` (development on this machine). ``gateway``: send nothing;
    the gateway in front adds the identity. ``token``: send ``Authorization: Bearer`` with
    the token the embedding page provides (or let the gateway add it).
    """

    model_config = ConfigDict(frozen=True)

    mode: Literal["local", "gateway", "token"]
    headers: dict[str, str] | None = None


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _host_is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    return name == "localhost" or _is_loopback(name)


def is_local_development(remote: str | None, host: str, headers: Mapping[str, str]) -> bool:
    """Whether a request came straight from a browser on this machine, with no gateway.

    Args:
        remote: The TCP peer's address (not a forwarded-for header).
        host: The ``Host`` header.
        headers: The request headers (case-insensitive mapping).
    """
    if not (_is_loopback(remote) and _host_is_loopback(host)):
        return False
    return not any(name in headers for name in _GATEWAY_HEADERS)


def identity_hint(
    authenticator: Authenticator, remote: str | None, host: str, headers: Mapping[str, str]
) -> IdentityHint:
    """The hint for one request, given how the service authenticates."""
    if isinstance(authenticator, JwtAuthenticator):
        return IdentityHint(mode="token")
    if is_local_development(remote, host, headers):
        return IdentityHint(mode="local", headers=dict(LOCAL_IDENTITY))
    return IdentityHint(mode="gateway")
