"""Fixtures for the REST API tests: the app on SQLite and on PostgreSQL, callers, peers.

``backend`` serves one app per database for the whole session (ids ``sqlite`` and
``postgres``); every test gets fresh tenant ids, so tests never see each other's rows. The
app's connector context reaches loopback and trusts the test certificate authority, so it
talks to the real SeaweedFS server and to real HTTPS receivers started here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from mypy_boto3_s3 import S3Client
from pydantic import SecretStr

from api.app import create_app
from api.routes.common import SERVICE_KEY
from api.settings import Settings
from connections.service import ConnectionService
from connectors.base import ConnectorContext
from tests.api.rest.support import (
    Answer,
    Api,
    Receiver,
    csv_rows,
    s3_body,
    unique,
    webhook_source_body,
)
from tests.conftest import LOOPBACK
from tests.connections.conftest import postgres_url, sqlite_url
from tests.support.https import TestTLS, make_tls
from tests.support.seaweedfs import SeaweedS3

# Re-exported so that the database fixtures of tests/connections serve these tests too.
__all__ = ["postgres_url", "sqlite_url"]

BACKENDS = ("sqlite", "postgres")
PREFIX = "daily-uploads/"
CSV_ROWS = 25


@dataclass(frozen=True)
class Backend:
    """One running app and the database behind it."""

    name: str
    url: str
    app: web.Application
    client: TestClient[Any, Any]

    @property
    def service(self) -> ConnectionService:
        """The app's connection service (for looking at rows the API does not show)."""
        return self.app[SERVICE_KEY]


@pytest.fixture(scope="session")
def tls() -> TestTLS:
    """One throw-away CA and localhost certificate for the session."""
    return make_tls()


@pytest.fixture(scope="session")
def connector_context(tls: TestTLS) -> ConnectorContext:
    """Reaches loopback servers and trusts the test CA."""
    return ConnectorContext(network=LOOPBACK, ssl_context=tls.client_context, timeout=5.0)


def build_app(
    data_dir: Any, database_url: str, context: ConnectorContext, **settings: Any
) -> web.Application:
    """The real application on ``database_url``."""
    return create_app(
        Settings(data_dir=data_dir, database_url=SecretStr(database_url), **settings),
        connector_context=context,
    )


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    connector_context: ConnectorContext,
) -> AsyncIterator[Backend]:
    """The app on SQLite, then on the real PostgreSQL (ids ``sqlite``, ``postgres``)."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    app = build_app(tmp_path_factory.mktemp(f"rest-{request.param}"), url, connector_context)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Backend(name=request.param, url=url, app=app, client=client)
    finally:
        await client.close()


@pytest.fixture
def api(backend: Backend) -> Api:
    """A data engineer of a tenant of their own."""
    return Api(client=backend.client, tenant=unique("tenant-a"))


@pytest.fixture
def other_tenant(api: Api) -> Api:
    """A data engineer of another tenant."""
    return api.in_tenant(unique("tenant-b"))


@pytest.fixture
async def agent_id(api: Api) -> str:
    """An agent of ``api``'s tenant."""
    return str((await api.create_agent())["id"])


@pytest.fixture(scope="session")
def stocked_bucket(s3_admin: S3Client) -> str:
    """A bucket with one CSV file of 25 products under ``daily-uploads/``.

    Shared by the session (SeaweedFS takes a quarter second to take a bucket's first
    object): tests only read it. A test that changes a bucket makes its own.
    """
    name = unique("stock").lower()
    s3_admin.create_bucket(Bucket=name)
    s3_admin.put_object(Bucket=name, Key=f"{PREFIX}products.csv", Body=csv_rows(CSV_ROWS))
    return name


@pytest.fixture
async def feed(api: Api, agent_id: str, receiver: Receiver) -> dict[str, Any]:
    """A saved webhook inventory source (quick to make: for tests where the type is moot)."""
    return await api.create_source(
        agent_id, webhook_source_body(receiver.url("/exports/products.csv"))
    )


@pytest.fixture
async def source(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> dict[str, Any]:
    """A saved S3 inventory source (seed 001's body) over ``stocked_bucket``."""
    return await api.create_source(agent_id, s3_body(seaweed, stocked_bucket))


@asynccontextmanager
async def running_receiver(tls: TestTLS) -> AsyncIterator[Receiver]:
    """A real HTTPS receiver on 127.0.0.1.

    ``/results`` listens like a sink (OPTIONS 204, POST 200) and ``/exports/products.csv``
    serves 25 products as CSV; anything else is a 404.
    """
    receiver = Receiver()
    receiver.script("/results", Answer(status=204), method="OPTIONS")
    receiver.script("/results", Answer(status=200), method="POST")
    receiver.script("/exports/products.csv", Answer(status=204), method="OPTIONS")
    receiver.script(
        "/exports/products.csv",
        Answer(body=csv_rows(CSV_ROWS), content_type="text/csv"),
        method="GET",
    )
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls.server_context)
    await site.start()
    receiver.base_url = f"https://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture
async def receiver(tls: TestTLS) -> AsyncIterator[Receiver]:
    """A fresh HTTPS receiver for one test (its record of requests is the test's own)."""
    async with running_receiver(tls) as receiver:
        yield receiver


@pytest.fixture(scope="session")
async def shared_receiver(tls: TestTLS) -> AsyncIterator[Receiver]:
    """One HTTPS receiver for fixtures wider than a test (never inspect its requests)."""
    async with running_receiver(tls) as receiver:
        yield receiver
