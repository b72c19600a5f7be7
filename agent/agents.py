"""The tenant's default agent, looked up once.

A session start would otherwise query it each time, and a tenant's first contact often comes
as many starts at once.
"""

from __future__ import annotations

import asyncio
from functools import partial

from connections.client import ConnectionClient
from connections.identity import Identity, Permission
from connections.schemas import AgentOut

__all__ = ["DefaultAgents"]

_CACHE = 10_000


class DefaultAgents:
    """Tenant -> default agent, cached; concurrent first lookups share one request."""

    def __init__(self) -> None:
        self._agents: dict[str, AgentOut] = {}
        self._lookups: dict[str, asyncio.Future[AgentOut]] = {}

    async def get(self, who: Identity, client: ConnectionClient) -> AgentOut:
        """The tenant's default agent (created on first use by the connection service)."""
        # The cache must not let a caller skip the check the lookup itself makes.
        who.require(Permission.READ)
        cached = self._agents.get(who.tenant_id)
        if cached is not None:
            return cached
        # Without one shared lookup each concurrent start would try to create the default
        # agent and queue on the database (seconds at 50 concurrent starts, measured).
        lookup = self._lookups.get(who.tenant_id)
        leading = lookup is None
        if lookup is None:
            lookup = asyncio.ensure_future(client.default_agent())
            self._lookups[who.tenant_id] = lookup
            lookup.add_done_callback(partial(self._done, who.tenant_id))
        try:
            agent = await asyncio.shield(lookup)
        except Exception:
            if leading:
                raise
            # Only success is shared: the leader may lack what this caller has (a viewer
            # cannot create the default agent, a data engineer can).
            agent = await client.default_agent()
        if len(self._agents) >= _CACHE:
            self._agents.clear()
        self._agents[who.tenant_id] = agent
        return agent

    def forget(self, tenant_id: str) -> None:
        """Drop a tenant's cached agent (it was deleted): the next start looks it up afresh."""
        self._agents.pop(tenant_id, None)

    def _done(self, tenant_id: str, lookup: asyncio.Future[AgentOut]) -> None:
        if self._lookups.get(tenant_id) is lookup:
            del self._lookups[tenant_id]
        if not lookup.cancelled():
            lookup.exception()  # retrieved: its callers were told, or gave up waiting
