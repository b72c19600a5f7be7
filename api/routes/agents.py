"""``/api/v1/agents``: agents, their rule sets and pending items."""

from __future__ import annotations

from api.routes.common import CURSOR, LIMIT, service
from api.routing import Call, RouteTable
from connections.rules import RuleSet
from connections.schemas import AgentCreate, AgentOut, AgentUpdate, Page, PendingItemOut

__all__ = ["routes"]

routes = RouteTable()
_AGENT = "/api/v1/agents/{agent_id}"


@routes.route(
    "GET",
    "/api/v1/agents",
    summary="List agents",
    tag="agents",
    response=Page[AgentOut],
    query=(LIMIT, CURSOR),
)
async def list_agents(call: Call) -> Page[AgentOut]:
    """A page of the tenant's agents."""
    return await service(call).agents.page(
        call.identity, limit=call.query["limit"], cursor=call.query["cursor"]
    )


@routes.route(
    "POST",
    "/api/v1/agents",
    summary="Create an agent",
    tag="agents",
    body=AgentCreate,
    response=AgentOut,
    status=201,
    creates=True,
)
async def create_agent(call: Call) -> AgentOut:
    """Create an agent."""
    return await service(call).agents.create(call.identity, call.body)


# Declared before /agents/{agent_id}, which would otherwise capture "default".
@routes.route(
    "GET",
    "/api/v1/agents/default",
    summary="The tenant's default agent, created on first use",
    tag="agents",
    response=AgentOut,
)
async def get_default_agent(call: Call) -> AgentOut:
    """The agent the chat uses when none is named."""
    return await service(call).agents.default(call.identity)


@routes.route("GET", _AGENT, summary="Get an agent", tag="agents", response=AgentOut)
async def get_agent(call: Call) -> AgentOut:
    """One agent."""
    return await service(call).agents.get(call.identity, call.path["agent_id"])


@routes.route(
    "PATCH", _AGENT, summary="Change an agent", tag="agents", body=AgentUpdate, response=AgentOut
)
async def update_agent(call: Call) -> AgentOut:
    """Change an agent."""
    return await service(call).agents.update(call.identity, call.path["agent_id"], call.body)


@routes.route("DELETE", _AGENT, summary="Delete an agent and its sources", tag="agents", status=204)
async def delete_agent(call: Call) -> None:
    """Delete an agent."""
    await service(call).agents.delete(call.identity, call.path["agent_id"])


@routes.route("GET", f"{_AGENT}/rules", summary="Get the rule set", tag="agents", response=RuleSet)
async def get_rules(call: Call) -> RuleSet:
    """The rule set with defaults."""
    return await service(call).agents.rules(call.identity, call.path["agent_id"])


@routes.route(
    "PUT",
    f"{_AGENT}/rules",
    summary="Replace the rule set",
    tag="agents",
    body=RuleSet,
    response=RuleSet,
)
async def put_rules(call: Call) -> RuleSet:
    """Replace the rule set (omitted sections take their defaults)."""
    return await service(call).agents.put_rules(call.identity, call.path["agent_id"], call.body)


@routes.route(
    "GET",
    f"{_AGENT}/pending-items",
    summary="List pending items",
    tag="agents",
    response=Page[PendingItemOut],
    query=(LIMIT, CURSOR),
)
async def list_pending_items(call: Call) -> Page[PendingItemOut]:
    """A page of the agent's pending items, newest first."""
    return await service(call).agents.pending_items(
        call.identity,
        call.path["agent_id"],
        limit=call.query["limit"],
        cursor=call.query["cursor"],
    )


@routes.route(
    "POST",
    f"{_AGENT}/pending-items/{{item_id}}/resolve",
    summary="Resolve a pending item",
    tag="agents",
    response=PendingItemOut,
)
async def resolve_pending_item(call: Call) -> PendingItemOut:
    """Mark a pending item resolved."""
    return await service(call).agents.resolve_pending(
        call.identity, call.path["agent_id"], call.path["item_id"]
    )
