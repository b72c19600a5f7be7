"""Harnesses for every registered connector, each against a real peer on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from mypy_boto3_s3 import S3Client

from connectors.base import ConnectorContext
from connectors.registry import default_registry
from connectors.results import FailureClass
from connectors.s3 import S3Connector
from connectors.spec import Role
from connectors.webhook import WebhookConnector
from tests.conftest import LOOPBACK
from tests.connectors.conformance.db_harnesses import DB_HARNESSES
from tests.connectors.conformance.harness import BadInput, Harness
from tests.support.https import make_tls, serve
from tests.support.ports import free_port
from tests.support.seaweedfs import SeaweedS3

RECORDS = [{"id": "1", "name": "Ada"}, {"id": "2", "name": "Grace"}]
CANARY = "conformance-canary-9f8e7d6c5b4a"


async def _s3_harness(seaweed: SeaweedS3, s3_admin: S3Client, bucket: str) -> Harness:
    s3_admin.put_object(Bucket=bucket, Key="in/people.csv", Body=b"id,name\n1,Ada\n2,Grace\n")
    config = {"bucket": bucket, "prefix": "in/", "endpoint_url": seaweed.endpoint_url}
    closed = f"http://127.0.0.1:{free_port()}"

    async def delivered(location: str) -> bytes | None:
        key = location.split(f"s3://{bucket}/", 1)[1]
        return s3_admin.get_object(Bucket=bucket, Key=key)["Body"].read()

    canary_secrets = {"access_key_id": seaweed.admin.access_key_id, "secret_access_key": CANARY}
    return Harness(
        connector=S3Connector(ConnectorContext(network=LOOPBACK, timeout=3.0)),
        config=config,
        secrets=seaweed.reader.secrets(),
        stream="people",
        records=RECORDS,
        bad_inputs=[
            BadInput("wrong-secret", config, canary_secrets, FailureClass.AUTH_FAILED),
            BadInput(
                "no-bucket",
                {**config, "bucket": "nope-nope"},
                seaweed.admin.secrets(),
                FailureClass.NOT_FOUND,
            ),
            BadInput(
                "closed-port",
                {**config, "endpoint_url": closed},
                seaweed.admin.secrets(),
                FailureClass.UNREACHABLE,
            ),
            BadInput(
                "sink-read-only",
                config,
                seaweed.reader.secrets(),
                FailureClass.PERMISSION_DENIED,
                Role.RESULTS_SINK,
            ),
        ],
        sink_config={**config, "prefix": "out/"},
        sink_secrets=seaweed.writer.secrets(),
        delivered=delivered,
    )


def _webhook_app(received: dict[str, bytes]) -> web.Application:
    async def people(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer good-token-123456":
            return web.Response(status=401)
        if request.method == "OPTIONS":
            return web.Response(status=204)
        return web.json_response(RECORDS)

    async def inbox(request: web.Request) -> web.Response:
        if request.method == "POST":
            received[request.headers["webhook-id"]] = await request.read()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/people", people)
    app.router.add_route("*", "/inbox", inbox)
    return app


@pytest.fixture(params=sorted(default_registry()))
async def harness(
    request: pytest.FixtureRequest, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> AsyncIterator[Harness]:
    """A harness for each registered connector type; a new type without one fails here."""
    if request.param == "S3":
        yield await _s3_harness(seaweed, s3_admin, bucket)
        return
    if request.param in DB_HARNESSES:
        async with DB_HARNESSES[request.param](RECORDS, CANARY) as db_harness:
            yield db_harness
        return
    if request.param != "WEBHOOK":
        pytest.fail(f"connector {request.param} has no conformance harness")
    tls = make_tls()
    received: dict[str, bytes] = {}
    async with serve(_webhook_app(received), tls=tls.server_context) as base:
        context = ConnectorContext(network=LOOPBACK, ssl_context=tls.client_context, timeout=3.0)
        good = {"url": f"{base}/people", "format": "JSON"}
        auth = {"auth_header": "Bearer good-token-123456"}

        async def delivered(location: str) -> bytes | None:
            return next(iter(received.values()), None)

        yield Harness(
            connector=WebhookConnector(context),
            config=good,
            secrets=auth,
            stream="people",
            records=RECORDS,
            bad_inputs=[
                BadInput(
                    "wrong-token",
                    good,
                    {"auth_header": f"Bearer {CANARY}"},
                    FailureClass.AUTH_FAILED,
                ),
                BadInput(
                    "missing-path", {**good, "url": f"{base}/missing"}, auth, FailureClass.NOT_FOUND
                ),
                BadInput(
                    "closed-port",
                    {**good, "url": f"https://127.0.0.1:{free_port()}/x"},
                    auth,
                    FailureClass.UNREACHABLE,
                ),
                BadInput(
                    "ftp-scheme",
                    {**good, "url": "ftp://example.com/x"},
                    auth,
                    FailureClass.INVALID_CONFIG,
                ),
            ],
            sink_config={"url": f"{base}/inbox", "format": "JSON"},
            sink_secrets={"signing_secret": "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
            delivered=delivered,
        )
