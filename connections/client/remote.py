"""The connection client that calls a separate ``ingestion-agent serve`` over REST.

The user's identity travels with every request: their bearer token in ``jwt`` mode, or
the gateway headers in ``headers`` mode, so the remote service checks the user's roles.
Error envelopes come back as the same exceptions the in-process client raises.
"""

from __future__ import annotations

import ssl
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from connections.client.base import ConnectionClient
from connections.errors import (
    CheckFailedError,
    ConflictError,
    ConnectorFailedError,
    IdempotencyError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    UnauthenticatedError,
    UnavailableError,
    ValidationError,
)
from connections.identity import Identity
from connections.schemas import (
    AgentOut,
    CatalogOut,
    CheckOut,
    ConnectionCheckRequest,
    ConnectorTypeList,
    ConnectorTypeOut,
    DataSourceCreate,
    DataSourceOut,
    Page,
    PreviewOut,
    PullTrigger,
    StagedSecretOut,
    SyncOut,
)
from connectors.results import CheckResult, CheckStep, FailureClass
from core.roles import Role

__all__ = ["HttpClient", "error_from_envelope"]

T = TypeVar("T")
_FAILURES = {f.value for f in FailureClass}


def error_from_envelope(status: int, body: Any) -> Exception:  # noqa: PLR0911 - one per status family
    """The exception an error response stands for."""
    error = body.get("error", {}) if isinstance(body, dict) else {}
    code = str(error.get("code", ""))
    message = str(error.get("message", "The connection service refused the request."))
    field = error.get("field")
    if status == 422 and "steps" in error:
        result = CheckResult(
            ok=False,
            failure=FailureClass(code) if code in _FAILURES else FailureClass.UNKNOWN,
            message=message,
            field=field,
            steps=tuple(CheckStep.model_validate(s) for s in error["steps"]),
        )
        return CheckFailedError(result, field=field)
    simple: dict[int, type[ServiceError]] = {
        401: UnauthenticatedError,
        404: NotFoundError,
        409: ConflictError,
    }
    if status == 403:
        return PermissionDeniedError()
    if status in simple:
        return simple[status](message, field=field)
    if code in _FAILURES:
        return ConnectorFailedError(message, failure=FailureClass(code), field=field)
    if status == 422 and code == IdempotencyError.code:
        return IdempotencyError(message, field=field)
    if 400 <= status < 500:
        return ValidationError(message, field=field)
    return UnavailableError("The connection service failed; try again in a moment.")


class HttpClient(ConnectionClient):
    """Talks to a remote connection service as one user."""

    def __init__(
        self,
        base_url: str,
        identity: Identity,
        *,
        token: str | None = None,
        verify: ssl.SSLContext | bool = True,
        timeout: float = 60.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        headers = (
            {"Authorization": f"Bearer {token}"}
            if token
            else {
                "X-Tenant-Id": identity.tenant_id,
                "X-User-ID": identity.user_id,
                "X-User-Roles": ",".join(identity.roles),
            }
        )
        # The service's own address is operator configuration, not customer input: the
        # connection guard does not apply here.
        self._http = http or httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, verify=verify, trust_env=False
        )
        self._headers = headers

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        shape: Any,
        *,
        body: BaseModel | dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        payload = (
            body.model_dump(mode="json", by_alias=True, exclude_none=True)
            if isinstance(body, BaseModel)
            else body
        )
        try:
            response = await self._http.request(
                method,
                path,
                json=payload,
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers={**self._headers, **(headers or {})},
            )
        except httpx.HTTPError as exc:
            raise UnavailableError("The connection service could not be reached.") from exc
        data = response.json() if response.content else None
        if response.status_code >= 400:
            raise error_from_envelope(response.status_code, data)
        return TypeAdapter(shape).validate_python(data)

    async def connector_types(self) -> list[ConnectorTypeOut]:
        """Every connector type."""
        listing: ConnectorTypeList = await self._call(
            "GET", "/api/v1/connector-types", ConnectorTypeList
        )
        return listing.items

    async def get_agent(self, agent_id: str) -> AgentOut:
        """One agent (``GET /api/v1/agents/{id}``)."""
        result: AgentOut = await self._call("GET", _agent(agent_id), AgentOut)
        return result

    async def default_agent(self) -> AgentOut:
        """The tenant's default agent (``GET /api/v1/agents/default``)."""
        result: AgentOut = await self._call("GET", "/api/v1/agents/default", AgentOut)
        return result

    async def stage_secret(
        self, values: dict[str, str], *, type_: str | None = None, secret_ref: str | None = None
    ) -> StagedSecretOut:
        """Stage a secret."""
        body = {"values": values, "type": type_, "secretRef": secret_ref}
        result: StagedSecretOut = await self._call(
            "POST", "/api/v1/secrets", StagedSecretOut, body=body
        )
        return result

    async def touch_secret(self, secret_ref: str) -> StagedSecretOut:
        """Keep a staged secret alive."""
        result: StagedSecretOut = await self._call(
            "POST", f"/api/v1/secrets/{quote(secret_ref, safe='')}/touch", StagedSecretOut
        )
        return result

    async def discard_secret(self, secret_ref: str) -> None:
        """Delete a staged secret."""
        await self._call("DELETE", f"/api/v1/secrets/{quote(secret_ref, safe='')}", type(None))

    async def check(self, agent_id: str, request: ConnectionCheckRequest) -> CheckOut:
        """Test an unsaved connection."""
        result: CheckOut = await self._call(
            "POST", f"{_agent(agent_id)}/connection-checks", CheckOut, body=request
        )
        return result

    async def discover(self, agent_id: str, request: ConnectionCheckRequest) -> CatalogOut:
        """Discover an unsaved connection."""
        result: CatalogOut = await self._call(
            "POST", f"{_agent(agent_id)}/catalogs", CatalogOut, body=request
        )
        return result

    async def create_source(
        self, agent_id: str, body: DataSourceCreate, *, idempotency_key: str | None = None
    ) -> DataSourceOut:
        """Create a source or sink."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        result: DataSourceOut = await self._call(
            "POST", f"{_agent(agent_id)}/data-sources", DataSourceOut, body=body, headers=headers
        )
        return result

    async def list_sources(self, agent_id: str, *, role: Role | None = None) -> Page[DataSourceOut]:
        """The first page of sources."""
        result: Page[DataSourceOut] = await self._call(
            "GET",
            f"{_agent(agent_id)}/data-sources",
            Page[DataSourceOut],
            params={"role": role.value if role else None},
        )
        return result

    async def get_source(self, agent_id: str, source_id: str) -> DataSourceOut:
        """One source."""
        result: DataSourceOut = await self._call("GET", _source(agent_id, source_id), DataSourceOut)
        return result

    async def test_source(self, agent_id: str, source_id: str) -> CheckOut:
        """Test a saved source."""
        result: CheckOut = await self._call(
            "POST", f"{_source(agent_id, source_id)}/test", CheckOut
        )
        return result

    async def preview(self, agent_id: str, source_id: str, *, limit: int = 20) -> PreviewOut:
        """Preview a saved source."""
        result: PreviewOut = await self._call(
            "POST", f"{_source(agent_id, source_id)}/preview", PreviewOut, body={"limit": limit}
        )
        return result

    async def pull_source(
        self, agent_id: str, source_id: str, *, trigger: PullTrigger = "manual"
    ) -> SyncOut:
        """Queue a pull."""
        result: SyncOut = await self._call(
            "POST", f"{_source(agent_id, source_id)}/pull", SyncOut, params={"trigger": trigger}
        )
        return result

    async def get_sync(self, agent_id: str, source_id: str, sync_id: str) -> SyncOut:
        """One sync."""
        path = f"{_source(agent_id, source_id)}/syncs/{quote(sync_id, safe='')}"
        result: SyncOut = await self._call("GET", path, SyncOut)
        return result

    async def resume_source(self, agent_id: str, source_id: str) -> DataSourceOut:
        """Resume a paused source."""
        result: DataSourceOut = await self._call(
            "POST", f"{_source(agent_id, source_id)}/resume", DataSourceOut
        )
        return result


def _agent(agent_id: str) -> str:
    return f"/api/v1/agents/{quote(agent_id, safe='')}"


def _source(agent_id: str, source_id: str) -> str:
    return f"{_agent(agent_id)}/data-sources/{quote(source_id, safe='')}"
