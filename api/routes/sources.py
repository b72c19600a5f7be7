"""``/api/v1/agents/{id}/data-sources``: sources and sinks, their syncs, pause and resume."""

from __future__ import annotations

from dataclasses import replace

from api.routes.common import CURSOR, LIMIT, service
from api.routing import Call, Query, RouteTable
from connections.schemas import DataSourceCreate, DataSourceOut, DataSourceUpdate, Page, SyncOut
from connectors.spec import Role

__all__ = ["routes"]

routes = RouteTable()
_LIST = "/api/v1/agents/{agent_id}/data-sources"
_ONE = f"{_LIST}/{{source_id}}"
_ROLE = Query("role", str, "Only sources or only sinks.", enum=tuple(r.value for r in Role))
_TYPE = Query("type", str, "Only this connector type, e.g. S3.")
_STATUS = Query("status", str, "Only active or only paused.", enum=("active", "paused"))
# Smaller pages than other lists by default: each sync carries its whole manifest.
_SYNC_LIMIT = replace(LIMIT, default=20)


@routes.route(
    "POST",
    _LIST,
    summary="Create a source or sink (pinged before it is saved)",
    tag="data-sources",
    body=DataSourceCreate,
    response=DataSourceOut,
    status=201,
    creates=True,
)
async def create_data_source(call: Call) -> DataSourceOut:
    """Create a source or sink; a failed ping is a 422 with the classified reason."""
    return await service(call).sources.create(call.identity, call.path["agent_id"], call.body)


@routes.route(
    "GET",
    _LIST,
    summary="List sources and sinks",
    tag="data-sources",
    response=Page[DataSourceOut],
    query=(_ROLE, _TYPE, _STATUS, LIMIT, CURSOR),
)
async def list_data_sources(call: Call) -> Page[DataSourceOut]:
    """A page of the agent's sources and sinks."""
    role = call.query["role"]
    return await service(call).sources.page(
        call.identity,
        call.path["agent_id"],
        role=Role(role) if role else None,
        type_=call.query["type"],
        status=call.query["status"],
        limit=call.query["limit"],
        cursor=call.query["cursor"],
    )


@routes.route(
    "GET", _ONE, summary="Get a source or sink", tag="data-sources", response=DataSourceOut
)
async def get_data_source(call: Call) -> DataSourceOut:
    """One source or sink."""
    return await service(call).sources.get(
        call.identity, call.path["agent_id"], call.path["source_id"]
    )


@routes.route(
    "PATCH",
    _ONE,
    summary="Change a source or sink",
    tag="data-sources",
    body=DataSourceUpdate,
    response=DataSourceOut,
)
async def update_data_source(call: Call) -> DataSourceOut:
    """Change a source; a secret sent back as its mask keeps the stored value."""
    return await service(call).sources.update(
        call.identity, call.path["agent_id"], call.path["source_id"], call.body
    )


@routes.route(
    "DELETE", _ONE, summary="Delete a source or sink and its secret", tag="data-sources", status=204
)
async def delete_data_source(call: Call) -> None:
    """Delete a source or sink."""
    await service(call).sources.delete(call.identity, call.path["agent_id"], call.path["source_id"])


@routes.route(
    "POST", f"{_ONE}/pause", summary="Pause a source", tag="data-sources", response=DataSourceOut
)
async def pause_data_source(call: Call) -> DataSourceOut:
    """Stop scheduled pulls."""
    return await service(call).sources.set_status(
        call.identity, call.path["agent_id"], call.path["source_id"], paused=True
    )


@routes.route(
    "POST", f"{_ONE}/resume", summary="Resume a source", tag="data-sources", response=DataSourceOut
)
async def resume_data_source(call: Call) -> DataSourceOut:
    """Resume scheduled pulls and clear the failure count."""
    return await service(call).sources.set_status(
        call.identity, call.path["agent_id"], call.path["source_id"], paused=False
    )


@routes.route(
    "GET",
    f"{_ONE}/syncs",
    summary="List syncs with manifests",
    tag="data-sources",
    response=Page[SyncOut],
    query=(_SYNC_LIMIT, CURSOR),
)
async def list_syncs(call: Call) -> Page[SyncOut]:
    """A page of the source's syncs, newest first."""
    return await service(call).sources.syncs(
        call.identity,
        call.path["agent_id"],
        call.path["source_id"],
        limit=call.query["limit"],
        cursor=call.query["cursor"],
    )
