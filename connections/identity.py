"""Who is calling, and what their roles allow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from connections.errors import PermissionDeniedError

__all__ = ["DEFAULT_ROLE_MAP", "Identity", "Permission", "RoleMap"]


class Permission(StrEnum):
    """Permissions as in seed 004; ``manage`` implies every other."""

    READ = "read"
    QUERY = "query"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MANAGE = "manage"
    STREAM = "stream"


DEFAULT_ROLE_MAP: Mapping[str, frozenset[Permission]] = {
    "ROLE_ADMIN": frozenset({Permission.MANAGE}),
    "ROLE_DATA_ENGINEER": frozenset(
        {
            Permission.READ,
            Permission.QUERY,
            Permission.CREATE,
            Permission.UPDATE,
            Permission.DELETE,
            Permission.STREAM,
        }
    ),
    "ROLE_VIEWER": frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class RoleMap:
    """Maps role names to permissions; configuration, not code."""

    roles: Mapping[str, frozenset[Permission]]

    @classmethod
    def default(cls) -> RoleMap:
        """The map of DESIGN.md section 13."""
        return cls(DEFAULT_ROLE_MAP)

    @classmethod
    def parse(cls, text: str) -> RoleMap:
        """Parse ``ROLE_A=read+create;ROLE_B=manage``.

        Raises:
            ValueError: Naming the unknown permission or the malformed entry.
        """
        roles: dict[str, frozenset[Permission]] = {}
        for entry in filter(None, (e.strip() for e in text.split(";"))):
            name, sep, perms = entry.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"role map entry {entry!r} is not ROLE=perm+perm")
            roles[name.strip()] = frozenset(Permission(p.strip()) for p in perms.split("+"))
        return cls(roles)

    def permissions(self, roles: Iterable[str]) -> frozenset[Permission]:
        """Everything the given roles grant."""
        granted: set[Permission] = set()
        for role in roles:
            granted |= self.roles.get(role, frozenset())
        if Permission.MANAGE in granted:
            return frozenset(Permission)
        return frozenset(granted)


@dataclass(frozen=True)
class Identity:
    """The calling user: their tenant, id and roles (the user's, never the agent's own)."""

    tenant_id: str
    user_id: str
    roles: tuple[str, ...]
    permissions: frozenset[Permission]

    def require(self, permission: Permission) -> None:
        """Raise unless the caller holds ``permission``.

        Raises:
            PermissionDeniedError: With the product's standard message.
        """
        if permission not in self.permissions:
            raise PermissionDeniedError
