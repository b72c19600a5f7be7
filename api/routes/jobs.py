"""``/api/v1/agents/{id}/jobs`` and a source's column mapping, which its jobs apply."""

from __future__ import annotations

from api.routes.common import CURSOR, LIMIT, service
from api.routing import Call, Query, RouteTable
from connections.jobs import JOB_STATUSES
from connections.schemas import (
    ColumnMappingBody,
    ColumnMappingOut,
    JobDetailOut,
    JobOut,
    Page,
)

__all__ = ["routes"]

routes = RouteTable()
_JOBS = "/api/v1/agents/{agent_id}/jobs"
_MAPPING = "/api/v1/agents/{agent_id}/data-sources/{source_id}/mapping"
_STATUS = Query("status", str, "Only jobs in this status.", enum=JOB_STATUSES)


@routes.route(
    "GET",
    _JOBS,
    summary="List jobs",
    tag="jobs",
    response=Page[JobOut],
    query=(_STATUS, LIMIT, CURSOR),
)
async def list_jobs(call: Call) -> Page[JobOut]:
    """A page of the agent's jobs, oldest first."""
    return await service(call).jobs.page(
        call.identity,
        call.path["agent_id"],
        status=call.query["status"],
        limit=call.query["limit"],
        cursor=call.query["cursor"],
    )


@routes.route(
    "GET",
    f"{_JOBS}/{{job_id}}",
    summary="Get a job with its error rows and pushes",
    tag="jobs",
    response=JobDetailOut,
)
async def get_job(call: Call) -> JobDetailOut:
    """One job, the first rows it refused, and each push of its result."""
    return await service(call).jobs.get(call.identity, call.path["agent_id"], call.path["job_id"])


@routes.route(
    "GET",
    _MAPPING,
    summary="Get a source's column mapping",
    tag="jobs",
    response=ColumnMappingOut,
)
async def get_column_mapping(call: Call) -> ColumnMappingOut:
    """Target field → source column; empty when columns pass through unchanged."""
    return await service(call).jobs.mapping(
        call.identity, call.path["agent_id"], call.path["source_id"]
    )


@routes.route(
    "PUT",
    _MAPPING,
    summary="Set a source's column mapping",
    tag="jobs",
    body=ColumnMappingBody,
    response=ColumnMappingOut,
)
async def put_column_mapping(call: Call) -> ColumnMappingOut:
    """Replace the mapping jobs apply to the source's uploads; empty fields remove it."""
    return await service(call).jobs.put_mapping(
        call.identity, call.path["agent_id"], call.path["source_id"], call.body
    )
