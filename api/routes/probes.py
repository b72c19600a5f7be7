"""Read-only probes: test, discover and preview; unsaved checks; staged secrets."""

from __future__ import annotations

from api.routes.common import service
from api.routing import Call, RouteTable
from connections.schemas import (
    CatalogOut,
    CheckOut,
    ConnectionCheckRequest,
    PreviewOut,
    PreviewRequest,
    SecretStageRequest,
    StagedSecretOut,
)

__all__ = ["routes"]

routes = RouteTable()
_AGENT = "/api/v1/agents/{agent_id}"
_ONE = f"{_AGENT}/data-sources/{{source_id}}"


@routes.route(
    "POST",
    f"{_ONE}/test",
    summary="Test a saved source (read-only, no sync record)",
    tag="probes",
    response=CheckOut,
)
async def test_data_source(call: Call) -> CheckOut:
    """Verbose pass/fail with each step."""
    return await service(call).probes.test(
        call.identity, call.path["agent_id"], call.path["source_id"]
    )


@routes.route(
    "POST",
    f"{_ONE}/discover",
    summary="Discover a saved source's streams",
    tag="probes",
    response=CatalogOut,
)
async def discover_data_source(call: Call) -> CatalogOut:
    """The catalog of a saved source."""
    return await service(call).probes.discover(
        call.identity, call.path["agent_id"], call.path["source_id"]
    )


@routes.route(
    "POST",
    f"{_ONE}/preview",
    summary="Preview the first rows",
    tag="probes",
    body=PreviewRequest,
    response=PreviewOut,
)
async def preview_data_source(call: Call) -> PreviewOut:
    """The first rows the source would yield."""
    return await service(call).probes.preview(
        call.identity, call.path["agent_id"], call.path["source_id"], call.body
    )


@routes.route(
    "POST",
    f"{_AGENT}/connection-checks",
    summary="Test an unsaved connection",
    tag="probes",
    body=ConnectionCheckRequest,
    response=CheckOut,
)
async def check_connection(call: Call) -> CheckOut:
    """Test settings that are not saved yet."""
    return await service(call).probes.check_unsaved(call.identity, call.path["agent_id"], call.body)


@routes.route(
    "POST",
    f"{_AGENT}/catalogs",
    summary="Discover an unsaved connection",
    tag="probes",
    body=ConnectionCheckRequest,
    response=CatalogOut,
)
async def discover_connection(call: Call) -> CatalogOut:
    """Discover streams for settings that are not saved yet."""
    return await service(call).probes.discover_unsaved(
        call.identity, call.path["agent_id"], call.body
    )


@routes.route(
    "POST",
    "/api/v1/secrets",
    summary="Stage a secret",
    tag="secrets",
    body=SecretStageRequest,
    response=StagedSecretOut,
    status=201,
    creates=True,
)
async def stage_secret(call: Call) -> StagedSecretOut:
    """Store a secret the moment it is typed; returns a reference and a mask."""
    return await service(call).secrets.stage(call.identity, call.body)


@routes.route(
    "POST",
    "/api/v1/secrets/{secret_ref}/touch",
    summary="Keep a staged secret alive",
    tag="secrets",
    response=StagedSecretOut,
)
async def touch_secret(call: Call) -> StagedSecretOut:
    """Push a staged secret's expiry to one TTL from now (404 once it has expired)."""
    return await service(call).secrets.touch(call.identity, call.path["secret_ref"])


@routes.route(
    "DELETE",
    "/api/v1/secrets/{secret_ref}",
    summary="Discard a staged secret",
    tag="secrets",
    status=204,
)
async def discard_secret(call: Call) -> None:
    """Delete a staged secret that no source uses."""
    await service(call).secrets.discard(call.identity, call.path["secret_ref"])
