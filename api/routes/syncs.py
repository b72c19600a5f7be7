"""Pulls: request one now, read a sync, list the inventory uploads."""

from __future__ import annotations

from api.routes.common import CURSOR, LIMIT, service
from api.routing import Call, Query, RouteTable
from connections.schemas import InventoryUploadOut, Page, PullTrigger, SyncOut

__all__ = ["routes"]

routes = RouteTable()
_AGENT = "/api/v1/agents/{agent_id}"
_ONE = f"{_AGENT}/data-sources/{{source_id}}"


@routes.route(
    "POST",
    f"{_ONE}/pull",
    summary="Pull new inventory from a source now",
    tag="syncs",
    response=SyncOut,
    status=202,
    creates=True,
    query=(
        Query(
            "trigger",
            str,
            "initial: the first pull after creating the source (the chat's); else manual.",
            enum=("manual", "initial"),
            default="manual",
        ),
    ),
)
async def pull_data_source(call: Call) -> SyncOut:
    """Queue a pull; the sync comes back ``queued`` and runs in the background.

    A paused source is refused with 409 (resume it first); a sink with 422.
    """
    trigger: PullTrigger = "initial" if call.query["trigger"] == "initial" else "manual"
    return await service(call).syncs.request_pull(
        call.identity, call.path["agent_id"], call.path["source_id"], trigger=trigger
    )


@routes.route(
    "GET",
    f"{_ONE}/syncs/{{sync_id}}",
    summary="One sync with its manifest",
    tag="syncs",
    response=SyncOut,
)
async def get_sync(call: Call) -> SyncOut:
    """A sync: status, manifest, byte and record counts, error."""
    return await service(call).syncs.get_sync(
        call.identity, call.path["agent_id"], call.path["source_id"], call.path["sync_id"]
    )


@routes.route(
    "GET",
    f"{_AGENT}/inventory-uploads",
    summary="List inventory uploads",
    tag="syncs",
    response=Page[InventoryUploadOut],
    query=(Query("sourceId", str, "Only the uploads of this source."), LIMIT, CURSOR),
)
async def list_inventory_uploads(call: Call) -> Page[InventoryUploadOut]:
    """A page of the agent's pulled files and table extracts, oldest first."""
    return await service(call).syncs.uploads(
        call.identity,
        call.path["agent_id"],
        source_id=call.query["sourceId"],
        limit=call.query["limit"],
        cursor=call.query["cursor"],
    )
