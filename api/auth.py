"""Who is calling: trusted-gateway headers (default) or a verified JWT bearer token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import jwt
from aiohttp import web

from connections.errors import UnauthenticatedError
from connections.identity import Identity, RoleMap

__all__ = ["ROLE_NAME", "TENANT_ID", "Authenticator", "HeaderAuthenticator", "JwtAuthenticator"]

# The shapes of a tenant id and a role name, wherever an identity comes from.
TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
ROLE_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_USER = re.compile(r"^[^\x00-\x1f]{1,200}$")


class Authenticator(Protocol):
    """Turns a request into an identity or raises ``UnauthenticatedError``."""

    def identify(self, request: web.Request) -> Identity:
        """The caller of ``request``."""
        ...


def _identity(
    tenant: str | None, user: str | None, roles: list[str], role_map: RoleMap
) -> Identity:
    if not tenant or not TENANT_ID.match(tenant):
        raise UnauthenticatedError("A tenant id is required (X-Tenant-Id or the tenant_id claim).")
    if not user or not _USER.match(user):
        raise UnauthenticatedError("A user id is required (X-User-ID or the sub claim).")
    clean = tuple(r for r in roles if ROLE_NAME.match(r))
    return Identity(
        tenant_id=tenant, user_id=user, roles=clean, permissions=role_map.permissions(clean)
    )


@dataclass(frozen=True)
class HeaderAuthenticator:
    """Trusts ``X-Tenant-Id``, ``X-User-ID`` and ``X-User-Roles`` set by a gateway in front."""

    role_map: RoleMap

    def identify(self, request: web.Request) -> Identity:
        """Read the three headers; roles are comma-separated."""
        roles = [r.strip() for r in request.headers.get("X-User-Roles", "").split(",") if r.strip()]
        return _identity(
            request.headers.get("X-Tenant-Id"),
            request.headers.get("X-User-ID"),
            roles,
            self.role_map,
        )


@dataclass(frozen=True)
class JwtAuthenticator:
    """Verifies ``Authorization: Bearer <jwt>`` with one fixed algorithm.

    ``exp``, ``iat``, ``sub`` and ``aud`` are required; the tenant comes from the
    ``tenant_id`` claim and roles from ``roles``.
    """

    role_map: RoleMap
    key: str
    algorithm: str
    audience: str
    leeway_seconds: int = 30

    def identify(self, request: web.Request) -> Identity:
        """Verify the token and read its claims."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise UnauthenticatedError("A bearer token is required.")
        try:
            claims = jwt.decode(
                token.strip(),
                self.key,
                # Fixed: a token cannot choose its own algorithm ("none", HS/RS confusion).
                algorithms=[self.algorithm],
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise UnauthenticatedError("The token has expired.") from None
        except jwt.PyJWTError:
            raise UnauthenticatedError("The token is not valid.") from None
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            roles = []
        return _identity(
            str(claims.get("tenant_id") or ""),
            str(claims.get("sub") or ""),
            [str(r) for r in roles],
            self.role_map,
        )
