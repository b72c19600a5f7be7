"""Agents: CRUD, the tenant's default agent, rule sets, pending items."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.exc import IntegrityError

from connections.db.models import Agent, DataSource, NotificationChannel, PendingItem
from connections.db.types import utcnow
from connections.deps import (
    ServiceDeps,
    audited,
    delete_audited,
    get_scoped,
    page_query,
    page_rows,
    require_cron,
)
from connections.errors import ConflictError
from connections.identity import Identity, Permission
from connections.rules import RuleSet
from connections.schemas import (
    AgentCreate,
    AgentOut,
    AgentUpdate,
    Page,
    PendingItemOut,
)
from core.ids import new_id

__all__ = ["DEFAULT_AGENT_NAME", "AgentService"]

DEFAULT_AGENT_NAME = "Default agent"


def agent_out(row: Agent) -> AgentOut:
    """The public shape of an agent row."""
    return AgentOut(
        id=row.id,
        name=row.name,
        goal=row.goal,
        default_cron=row.default_cron,
        is_default=row.is_default,
        rules=RuleSet.model_validate(row.rules or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def pending_out(row: PendingItem) -> PendingItemOut:
    """The public shape of a pending item."""
    return PendingItemOut(
        id=row.id,
        agent_id=row.agent_id,
        source_id=row.source_id,
        kind=row.kind,
        status="resolved" if row.status == "resolved" else "open",
        message=row.message,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
    )


class AgentService:
    """Agents of one tenant."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._deps = deps

    async def page(
        self, who: Identity, *, limit: int = 50, cursor: str | None = None
    ) -> Page[AgentOut]:
        """A page of the tenant's agents."""
        who.require(Permission.READ)
        query = page_query(
            select(Agent).where(Agent.tenant_id == who.tenant_id), Agent, limit, cursor
        )
        async with self._deps.database() as db:
            rows, pagination = await page_rows(db, query, limit)
        return Page[AgentOut](items=[agent_out(r) for (r,) in rows], pagination=pagination)

    async def create(
        self, who: Identity, body: AgentCreate, *, is_default: bool = False
    ) -> AgentOut:
        """Create an agent with the default rules unless others are given.

        Raises:
            ConflictError: The tenant already has an agent of that name.
        """
        who.require(Permission.CREATE)
        require_cron(body.default_cron, "defaultCron")
        row = Agent(
            id=new_id("agt"),
            tenant_id=who.tenant_id,
            name=body.name.strip(),
            goal=body.goal,
            default_cron=body.default_cron,
            rules=(body.rules or RuleSet()).model_dump(mode="json"),
            is_default=is_default,
            created_by=who.user_id,
        )
        async with self._deps.database() as db:
            db.add(row)
            try:
                await db.flush()
            except IntegrityError:
                raise ConflictError(
                    f"An agent named {row.name!r} already exists.", field="name"
                ) from None
            await audited(db, who, "agent.create", row.id, {"name": row.name})
            await db.commit()
        return agent_out(row)

    async def get(self, who: Identity, agent_id: str) -> AgentOut:
        """One agent."""
        who.require(Permission.READ)
        async with self._deps.database() as db:
            return agent_out(await get_scoped(db, Agent, who.tenant_id, agent_id, "agent"))

    async def default(self, who: Identity) -> AgentOut:
        """The tenant's default agent, created on first use (the chat's agent)."""
        who.require(Permission.READ)
        for name in (DEFAULT_AGENT_NAME, f"{DEFAULT_AGENT_NAME} {new_id('agt')[-6:]}"):
            existing = await self._find_default(who.tenant_id)
            if existing is not None:
                return agent_out(existing)
            try:
                return await self.create(who, AgentCreate(name=name), is_default=True)
            except ConflictError:
                # Another request made the default first, or a person named an agent so.
                continue
        existing = await self._find_default(who.tenant_id)
        if existing is None:
            raise ConflictError("The default agent could not be created; try again.")
        return agent_out(existing)

    async def _find_default(self, tenant_id: str) -> Agent | None:
        async with self._deps.database() as db:
            query = select(Agent).where(Agent.tenant_id == tenant_id, Agent.is_default)
            return (await db.execute(query)).scalars().first()

    async def update(self, who: Identity, agent_id: str, body: AgentUpdate) -> AgentOut:
        """Change name, goal or default cron."""
        who.require(Permission.UPDATE)
        require_cron(body.default_cron, "defaultCron")
        async with self._deps.database() as db:
            row = await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            changes = body.model_dump(exclude_none=True)
            for name, value in changes.items():
                setattr(row, name, value.strip() if name == "name" else value)
            try:
                await db.flush()
            except IntegrityError:
                raise ConflictError(
                    f"An agent named {body.name!r} already exists.", field="name"
                ) from None
            await audited(db, who, "agent.update", row.id, {"changed": sorted(changes)})
            await db.commit()
            return agent_out(row)

    async def delete(self, who: Identity, agent_id: str) -> None:
        """Delete an agent and, by cascade, its sources, channels, syncs and pending items."""
        who.require(Permission.DELETE)
        async with self._deps.database() as db:
            row = await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            # Sources and channels go by cascade; their secrets (credentials, channel URLs)
            # live in the vault and go explicitly.
            owned = union(
                *(
                    select(model.secret_id).where(
                        model.tenant_id == who.tenant_id,
                        model.agent_id == agent_id,
                        model.secret_id.is_not(None),
                    )
                    for model in (DataSource, NotificationChannel)
                )
            )
            secret_ids = list((await db.execute(owned)).scalars())
            await delete_audited(
                db, self._deps.vault, who, row, "agent.delete", secret_ids=secret_ids
            )
            await db.commit()

    async def rules(self, who: Identity, agent_id: str) -> RuleSet:
        """The agent's rule set with defaults filled in."""
        return (await self.get(who, agent_id)).rules

    async def put_rules(self, who: Identity, agent_id: str, rules: RuleSet) -> RuleSet:
        """Replace the rule set."""
        who.require(Permission.UPDATE)
        async with self._deps.database() as db:
            row = await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            row.rules = rules.model_dump(mode="json")
            await audited(db, who, "agent.rules.update", row.id, {"rules": row.rules})
            await db.commit()
        return rules

    async def pending_items(
        self, who: Identity, agent_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> Page[PendingItemOut]:
        """A page of the agent's pending items, open and resolved, newest first."""
        who.require(Permission.READ)
        query = page_query(
            select(PendingItem).where(
                PendingItem.tenant_id == who.tenant_id, PendingItem.agent_id == agent_id
            ),
            PendingItem,
            limit,
            cursor,
            newest_first=True,
        )
        async with self._deps.database() as db:
            await get_scoped(db, Agent, who.tenant_id, agent_id, "agent")
            rows, pagination = await page_rows(db, query, limit)
        return Page[PendingItemOut](items=[pending_out(r) for (r,) in rows], pagination=pagination)

    async def resolve_pending(self, who: Identity, agent_id: str, item_id: str) -> PendingItemOut:
        """Mark a pending item resolved."""
        who.require(Permission.UPDATE)
        async with self._deps.database() as db:
            row = await get_scoped(
                db, PendingItem, who.tenant_id, item_id, "pending item", agent_id=agent_id
            )
            if row.status != "resolved":
                row.status = "resolved"
                row.resolved_at = utcnow()
                row.resolved_by = who.user_id
                await audited(db, who, "pending_item.resolve", row.id)
                await db.commit()
            return pending_out(row)
