"""Who a Slack user is to the connection service: a user of the configured Slack tenant.

Slack proves the request came from the workspace (the signature); the tenant and the roles
are the operator's choice (``INGESTION_AGENT_SLACK_TENANT``, ``INGESTION_AGENT_SLACK_ROLES``),
mapped to permissions by the same role map as every other face. The user id names the
workspace and the person, ``slack:T123:U456``, so two workspaces never share a session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.auth import ROLE_NAME, TENANT_ID
from connections.identity import Identity, RoleMap

__all__ = ["SlackPeople"]

_SLACK_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")


@dataclass(frozen=True)
class SlackPeople:
    """Builds the :class:`~connections.identity.Identity` of a Slack user.

    Args:
        tenant: The tenant every Slack user acts in.
        roles: Comma-separated roles every Slack user holds.
        role_map: Roles to permissions (the service's configured map).

    Raises:
        ValueError: The tenant or a role is not a valid name.
    """

    tenant: str
    roles: str
    role_map: RoleMap

    def __post_init__(self) -> None:
        if not TENANT_ID.match(self.tenant):
            raise ValueError("INGESTION_AGENT_SLACK_TENANT is not a valid tenant id")
        if not self.role_names or not all(ROLE_NAME.match(r) for r in self.role_names):
            raise ValueError("INGESTION_AGENT_SLACK_ROLES must list valid role names")

    @property
    def role_names(self) -> tuple[str, ...]:
        """The configured roles, in order."""
        return tuple(r.strip() for r in self.roles.split(",") if r.strip())

    def identity(self, team: str, user: str) -> Identity:
        """The identity of Slack user ``user`` of workspace ``team``.

        Raises:
            ValueError: ``team`` or ``user`` is not a Slack id.
        """
        if not (_SLACK_ID.match(team) and _SLACK_ID.match(user)):
            raise ValueError("not a Slack team or user id")
        roles = self.role_names
        return Identity(
            tenant_id=self.tenant,
            user_id=f"slack:{team}:{user}",
            roles=roles,
            permissions=self.role_map.permissions(roles),
        )
