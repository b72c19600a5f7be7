"""The OpenAPI document: valid OpenAPI 3.1, complete, and honoured by the live server.

Schemathesis generates requests for every documented operation and sends them to a real
server on a loopback port, as a data engineer. Half the cases use real ids (an agent, a
webhook source, a staged secret, a pending item), so the handlers run past the lookups.
Every answer must be a documented status with a body that matches the document, and
never a 5xx.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from api.routes.common import SERVICE_KEY
from connections.db.models import PendingItem
from connections.service import ConnectionService
from connectors.base import ConnectorContext
from core.ids import new_id
from tests.api.rest.conftest import Backend, build_app
from tests.api.rest.support import ENGINEER, Receiver, webhook_source_body
from tests.support.https import serve

# Generated cases per operation: small, so the whole run takes about ten seconds.
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


async def test_the_document_is_valid_openapi_3_1(backend: Backend) -> None:
    reply = await backend.client.get("/api/openapi.json")

    document = await reply.json()
    assert reply.status == 200
    assert document["openapi"].startswith("3.1.")
    OPENAPI_31_VALIDATOR.validate(document)


async def test_every_component_schema_is_valid_json_schema(backend: Backend) -> None:
    document = await (await backend.client.get("/api/openapi.json")).json()

    invalid = [
        name
        for name, schema in document["components"]["schemas"].items()
        if not jsonschema_rs.meta.is_valid(schema)
    ]

    assert invalid == []


async def test_the_document_lists_every_route_the_app_serves(backend: Backend) -> None:
    document = await (await backend.client.get("/api/openapi.json")).json()
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (route.method, route.resource.canonical)
        for route in backend.app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }

    # The document does not describe itself.
    assert served - {("GET", "/api/openapi.json")} == documented


async def test_every_operation_has_a_unique_id_and_an_error_response(backend: Backend) -> None:
    document = await (await backend.client.get("/api/openapi.json")).json()
    operations = [op for ops in document["paths"].values() for op in ops.values()]

    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert all("400" in op["responses"] for op in operations)


# -- schemathesis against a live server --------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """A server on a loopback port and real ids of one tenant's objects."""

    base_url: str
    headers: dict[str, str]
    ids: dict[str, str]


@pytest.fixture(scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory,
    connector_context: ConnectorContext,
    shared_receiver: Receiver,
) -> AsyncIterator[Live]:
    data_dir = tmp_path_factory.mktemp("rest-live")
    app = build_app(data_dir, f"sqlite:///{data_dir / 'live.db'}", connector_context)
    headers = {"X-Tenant-Id": "schemathesis", "X-User-ID": "fuzzer", "X-User-Roles": ENGINEER}
    async with serve(app) as base_url:
        ids = await _arrange(app[SERVICE_KEY], base_url, headers, shared_receiver)
        yield Live(base_url=base_url, headers=headers, ids=ids)


async def _arrange(
    service: ConnectionService, base_url: str, headers: dict[str, str], receiver: Receiver
) -> dict[str, str]:
    """An agent with a webhook source, a staged secret and a pending item."""
    async with aiohttp.ClientSession(base_url, headers=headers) as http:
        async with http.post("/api/v1/agents", json={"name": "Fuzzed"}) as response:
            agent = (await response.json())["id"]
        body = webhook_source_body(receiver.url("/exports/products.csv"))
        async with http.post(f"/api/v1/agents/{agent}/data-sources", json=body) as response:
            source = (await response.json())["id"]
        async with http.post("/api/v1/secrets", json={"values": {"t": "v4lue-0123"}}) as response:
            secret = (await response.json())["secretRef"]
    item = new_id("pnd")
    async with service.deps.database() as db:
        db.add(
            PendingItem(
                id=item,
                tenant_id=headers["X-Tenant-Id"],
                agent_id=agent,
                kind="DATA_SOURCE_PULL_FAILED",
                message="Paused after 3 failed pulls.",
                created_at=datetime.now(UTC),
            )
        )
        await db.commit()
    return {
        "agent_id": agent,
        "source_id": source,
        "secret_ref": secret,
        "item_id": item,
        "type": "webhook",
    }


def _order(label: str) -> tuple[int, str]:
    """Deletions last (sources before agents), so real ids live for the other operations."""
    if not label.startswith("DELETE"):
        return 0, label
    return (2 if label.endswith("{agent_id}") else 1), label


def _fuzz(live: Live) -> list[str]:
    """Run every operation; return one line per operation that broke a check."""
    schema = schemathesis.openapi.from_url(f"{live.base_url}/api/openapi.json")
    results = list(schema.get_all_operations())
    broken = [str(r.err()) for r in results if isinstance(r, Err)]
    assert broken == [], broken
    operations = sorted(
        (r.ok() for r in results if isinstance(r, Ok)), key=lambda op: _order(op.label)
    )
    assert len(operations) > 20
    failures = []
    for operation in operations:
        names = set(re.findall(r"{(\w+)}", operation.path))
        real = {name: live.ids[name] for name in names if name in live.ids}
        strategy = (
            st.one_of(operation.as_strategy(), operation.as_strategy(path_parameters=real))
            if real
            else operation.as_strategy()
        )
        try:
            _run(strategy, live)
        # Every operation gets its run and every failure is reported (schemathesis raises
        # a BaseExceptionGroup of the distinct failures it found).
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            failures.append(f"{operation.label}: {' | '.join(lines[:14])}")
    return failures


def _run(strategy: st.SearchStrategy[Any], live: Live) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        response = case.call(base_url=live.base_url, headers=live.headers, timeout=15)
        case.validate_response(response, checks=CHECKS, headers=live.headers)

    check()


async def test_the_live_server_honours_its_document(live: Live) -> None:
    # The server runs on this event loop; schemathesis's blocking client runs beside it.
    failures = await asyncio.to_thread(_fuzz, live)

    assert failures == [], "\n\n".join(failures)
