"""Helpers for the REST API tests: a caller with an identity, request bodies, a receiver.

``Api`` sends requests as one user of one tenant (trusted-gateway headers) and returns a
``Reply`` with the parsed JSON. Bodies follow seed 001 exactly (camelCase ``config`` and
``secret``). The ``Receiver`` is a real HTTPS endpoint whose answers are scripted per path.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from ulid import ULID

from tests.support.seaweedfs import S3Identity, SeaweedS3

__all__ = [
    "ENGINEER",
    "SIGNING_SECRET",
    "VIEWER",
    "Api",
    "Receiver",
    "Reply",
    "csv_rows",
    "s3_body",
    "unique",
    "webhook_sink_body",
    "webhook_source_body",
]

ENGINEER = "ROLE_DATA_ENGINEER"
VIEWER = "ROLE_VIEWER"
ADMIN = "ROLE_ADMIN"
# A Standard Webhooks signing secret: whsec_ + base64 of at least 16 bytes.
SIGNING_SECRET = "whsec_" + base64.b64encode(b"rest-api-signing-key-0123456789").decode()
_NO_BODY: Any = object()


def unique(prefix: str) -> str:
    """A name no other test uses: ``prefix`` plus a lower-case ULID."""
    return f"{prefix}-{str(ULID()).lower()}"


@dataclass(frozen=True)
class Reply:
    """One response: status, headers and the parsed JSON body (``None`` when empty)."""

    status: int
    headers: Mapping[str, str]
    text: str

    @property
    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.text) if self.text else None

    @property
    def error(self) -> dict[str, Any]:
        """The ``error`` object of the envelope (asserting that the body is one)."""
        body = self.json
        assert isinstance(body, dict), self.text
        assert set(body) == {"error"}, self.text
        error: dict[str, Any] = body["error"]
        assert isinstance(error.get("code"), str), self.text
        assert isinstance(error.get("message"), str), self.text
        return error


@dataclass(frozen=True)
class Api:
    """Calls the app as ``user`` of ``tenant`` with ``roles`` (trusted-gateway headers)."""

    client: TestClient[Any, Any]
    tenant: str
    user: str = "alice@example.com"
    roles: str = ENGINEER
    replies: list[Reply] = field(default_factory=list, compare=False)

    def as_roles(self, roles: str) -> Api:
        """The same caller with other roles."""
        return replace(self, roles=roles)

    def in_tenant(self, tenant: str, user: str = "bob@example.com") -> Api:
        """Another tenant's caller (sharing the record of replies)."""
        return replace(self, tenant=tenant, user=user)

    @property
    def headers(self) -> dict[str, str]:
        """The identity headers a gateway would set."""
        return {"X-Tenant-Id": self.tenant, "X-User-ID": self.user, "X-User-Roles": self.roles}

    async def request(
        self,
        method: str,
        path: str,
        body: Any = _NO_BODY,
        *,
        raw: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        identity: bool = True,
    ) -> Reply:
        """Send a request; ``body`` as JSON, or ``raw`` bytes as they are."""
        sent = {**(self.headers if identity else {}), **(headers or {})}
        kwargs: dict[str, Any] = {"headers": sent}
        if params:
            kwargs["params"] = dict(params)
        if raw is not None:
            kwargs["data"] = raw
            sent.setdefault("Content-Type", "application/json")
        elif body is not _NO_BODY:
            kwargs["json"] = body
        async with self.client.request(method, path, **kwargs) as response:
            reply = Reply(response.status, dict(response.headers), await response.text())
        self.replies.append(reply)
        return reply

    async def get(self, path: str, **kwargs: Any) -> Reply:
        """GET ``path``."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> Reply:
        """POST ``body`` to ``path``."""
        return await self.request("POST", path, body, **kwargs)

    async def patch(self, path: str, body: Any, **kwargs: Any) -> Reply:
        """PATCH ``path`` with ``body``."""
        return await self.request("PATCH", path, body, **kwargs)

    async def put(self, path: str, body: Any, **kwargs: Any) -> Reply:
        """PUT ``body`` at ``path``."""
        return await self.request("PUT", path, body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        """DELETE ``path``."""
        return await self.request("DELETE", path, **kwargs)

    async def create_agent(self, name: str | None = None, **fields: Any) -> dict[str, Any]:
        """Create an agent, asserting a 201; return its body."""
        reply = await self.post("/api/v1/agents", {"name": name or unique("agent"), **fields})
        assert reply.status == 201, reply.text
        body: dict[str, Any] = reply.json
        return body

    async def create_source(self, agent_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a source or sink, asserting a 201; return its body."""
        reply = await self.post(f"/api/v1/agents/{agent_id}/data-sources", dict(body))
        assert reply.status == 201, reply.text
        created: dict[str, Any] = reply.json
        return created

    async def source_ids(self, agent_id: str) -> list[str]:
        """Ids of every source of ``agent_id`` (asserting the list answers)."""
        reply = await self.get(f"/api/v1/agents/{agent_id}/data-sources", params={"limit": "200"})
        assert reply.status == 200, reply.text
        return [item["id"] for item in reply.json["items"]]

    async def agent_ids(self) -> list[str]:
        """Ids of every agent of the tenant."""
        reply = await self.get("/api/v1/agents", params={"limit": "200"})
        assert reply.status == 200, reply.text
        return [item["id"] for item in reply.json["items"]]


def s3_body(
    seaweed: SeaweedS3,
    bucket: str,
    *,
    identity: S3Identity | None = None,
    role: str = "INVENTORY_SOURCE",
    name: str = "Daily uploads",
    prefix: str = "daily-uploads/",
) -> dict[str, Any]:
    """Seed 001's create body, pointed at the test's SeaweedFS bucket."""
    key = identity or seaweed.admin
    return {
        "role": role,
        "type": "S3",
        "name": name,
        "config": {
            "bucket": bucket,
            "prefix": prefix,
            "region": "us-east-1",
            "endpointUrl": seaweed.endpoint_url,
        },
        "secret": {"accessKeyId": key.access_key_id, "secretAccessKey": key.secret_access_key},
        "format": "CSV",
        "scheduleCron": "0 */6 * * *",
    }


def webhook_sink_body(
    url: str, *, signing_secret: str = SIGNING_SECRET, name: str = "Results hook"
) -> dict[str, Any]:
    """A webhook results sink: deliveries are POSTed to ``url`` and signed."""
    return {
        "role": "RESULTS_SINK",
        "type": "WEBHOOK",
        "name": name,
        "config": {"url": url},
        "secret": {"signingSecret": signing_secret},
        "format": "JSON",
    }


def webhook_source_body(
    url: str, *, auth_header: str | None = None, name: str = "Product feed"
) -> dict[str, Any]:
    """A webhook inventory source fetching CSV from ``url``."""
    body: dict[str, Any] = {
        "role": "INVENTORY_SOURCE",
        "type": "WEBHOOK",
        "name": name,
        "config": {"url": url},
        "format": "CSV",
        "scheduleCron": "0 * * * *",
    }
    if auth_header is not None:
        body["secret"] = {"authHeader": auth_header}
    return body


def csv_rows(count: int) -> bytes:
    """A CSV file of ``count`` products."""
    lines = ["sku,name,qty"] + [f"SKU-{i:03d},Widget {i},{i}" for i in range(1, count + 1)]
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Answer:
    """A scripted answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    # When set, a request without exactly this Authorization header gets a 401.
    require_auth: str | None = None


class Receiver:
    """An HTTPS endpoint: every request kept, answers scripted per (method, path)."""

    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Received] = []
        self._script: dict[tuple[str, str], Answer] = {}

    def url(self, path: str) -> str:
        """The full URL of ``path``."""
        return f"{self.base_url}{path}"

    def script(self, path: str, answer: Answer, *, method: str = "*") -> None:
        """Answer ``method`` (any by default) on ``path`` with ``answer``."""
        self._script[(method, path)] = answer

    def received(self, path: str) -> list[Received]:
        """The requests that reached ``path``."""
        return [r for r in self.requests if r.path == path]

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request; answer as scripted, else 404."""
        self.requests.append(
            Received(
                method=request.method,
                path=request.path,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=await request.read(),
            )
        )
        answer = self._script.get((request.method, request.path)) or self._script.get(
            ("*", request.path), Answer(status=404)
        )
        if answer.require_auth and request.headers.get("Authorization") != answer.require_auth:
            return web.Response(status=401)
        return web.Response(
            status=answer.status, body=answer.body, headers={"Content-Type": answer.content_type}
        )
